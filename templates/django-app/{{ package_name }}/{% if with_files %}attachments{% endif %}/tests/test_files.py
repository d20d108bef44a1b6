"""What only the project can show about stored files: the table, commits and rollbacks.

The HTTP rules of attachments, on both storages, are the shared suites'
(tests/contract/test_attachments.py, tests/security/test_uploads.py).
"""

from __future__ import annotations

import io
import logging
from contextlib import suppress
from typing import TYPE_CHECKING, Any
from unittest import mock

import pytest
from django.db import OperationalError, connection, transaction
from tests.contract.helpers import PDF_BYTES, png_bytes

from ...tasks.tests.factories import TaskFactory
from ..files import file_storage, remove_file
from ..models import Attachment
from ..services import attach_file

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(settings: Any, tmp_path: Path) -> Callable[[], list[str]]:
    """Store in a folder of this test; the keys it holds, sorted."""
    settings.FILES_DIR = str(tmp_path / "files")
    settings.S3_BUCKET = ""
    return lambda: sorted(file_storage().stored_keys())


def test_the_table_has_the_columns_the_backup_tool_reads() -> None:
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "attachments")
        constraints = connection.introspection.get_constraints(cursor, "attachments")

    assert {column.name for column in columns} == {
        "id",
        "task_id",
        "storage_key",
        "filename",
        "content_type",
        "size",
        "sha256",
        "created_at",
    }
    assert any(c["columns"] == ["storage_key"] and c["unique"] for c in constraints.values())
    assert any(c["columns"] == ["task_id"] and c["index"] for c in constraints.values())
    assert any(c["foreign_key"] == ("tasks_task", "id") for c in constraints.values())


def test_ids_are_never_reused_on_sqlite() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL sequences never go back")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'attachments'")
        (definition,) = cursor.fetchone()

    assert "AUTOINCREMENT" in definition


def test_a_file_whose_row_cannot_be_committed_is_removed(
    stored: Callable[[], list[str]],
) -> None:
    task = TaskFactory.create()

    def refuse_attachment_rows(execute: Any, sql: str, *args: Any) -> Any:
        if sql.startswith('INSERT INTO "attachments"'):
            message = "the database went away"
            raise OperationalError(message)
        return execute(sql, *args)

    with connection.execute_wrapper(refuse_attachment_rows), pytest.raises(OperationalError):
        attach_file(task, io.BytesIO(png_bytes()), "picture.png")

    assert stored() == []
    assert not Attachment.objects.exists()


def test_files_go_once_the_deletion_of_their_task_is_committed(
    stored: Callable[[], list[str]],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    task = TaskFactory.create()
    picture = attach_file(task, io.BytesIO(png_bytes()), "picture.png")
    scan = attach_file(task, io.BytesIO(PDF_BYTES), "scan.pdf")
    keys = sorted([picture.storage_key, scan.storage_key])

    with (
        django_capture_on_commit_callbacks(execute=True),
        suppress(RuntimeError),
        transaction.atomic(),
    ):
        task.delete()
        assert stored() == keys, "a file went before its row's deletion was committed"
        message = "rolled back"
        raise RuntimeError(message)
    kept = stored()
    with django_capture_on_commit_callbacks(execute=True):
        # The owner's deletion deletes the task, which deletes its attachments.
        task.owner.delete()

    assert kept == keys
    assert stored() == []


def test_a_file_that_cannot_be_removed_is_logged_and_left(
    caplog: pytest.LogCaptureFixture,
) -> None:
    storage = mock.Mock()
    storage.delete.side_effect = OSError("Read-only file system")

    with caplog.at_level(logging.ERROR):
        remove_file(storage, "0" * 32)

    assert [record.message for record in caplog.records] == ["attachment_file_not_removed"]
