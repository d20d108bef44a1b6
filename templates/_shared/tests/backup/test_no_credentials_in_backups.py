"""No backup holds a live credential (SECURITY.md, "Backups").

Rows that are credentials in plain form (Django's sessions, say: the project's
`TABLES_WITHOUT_ROWS`) never go into a backup, and a restore empties their tables, so neither
a stolen backup nor a restored database signs anyone in. Other credentials are not stored in
plain form at all: passwords and refresh tokens only as hashes, access tokens not at all.

Each test runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from http import HTTPStatus
from typing import TYPE_CHECKING

import pytest

from ops.backup import (
    Settings,
    create_backup,
    restore_backup,
    snapshot_live,
    verify_backup,
)

from .helpers import read_manifest, row_counts, table_named

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import httpx

    RunSql = Callable[[str, str], None]

API = "/api/v1"
PASSWORD = "backup-credentials-4711"
# A value that appears nowhere else, so finding it in a backup means the row was kept.
SESSION_LIKE = "live-session-key-7f3a9c2e"
INSERT_SESSION_LIKE = "INSERT INTO tags VALUES (4, 2, 'live-session-key-7f3a9c2e')"


def backup_text(backup: Path) -> str:
    """The data a backup holds, as text that can be searched for a value.

    A SQLite backup is the database file itself; PostgreSQL's custom format compresses the
    data, which pg_restore prints back as SQL without connecting anywhere.
    """
    if backup.suffix == ".sqlite3":
        return backup.read_bytes().decode("latin-1")
    # A fixed program and a file path as arguments, no shell.
    printed = subprocess.run(  # noqa: S603
        ["pg_restore", "--file=-", str(backup)],  # noqa: S607 (found on PATH, as the tool does)
        capture_output=True,
        check=True,
        timeout=60,
    )
    return printed.stdout.decode("utf-8", errors="replace")


@pytest.mark.asvs("8.1.6")
def test_rows_of_tables_without_rows_stay_out_of_backups(
    tiny_settings: Settings, execute_sql: RunSql
) -> None:
    execute_sql(tiny_settings.database_url, INSERT_SESSION_LIKE)
    settings = replace(tiny_settings, tables_without_rows=("tags",))

    backup = create_backup(settings)

    manifest = read_manifest(backup)
    assert table_named(manifest, "tags")["rows"] == 0
    assert [name.rpartition(".")[2] for name in manifest["tables_without_rows"]] == ["tags"]
    assert row_counts(manifest)["notes"] == 3
    text = backup_text(backup)
    assert "with bytes" in text, "the other tables' rows are in the backup, readable"
    assert SESSION_LIKE not in text
    # The manifest describes what the backup holds, so the backup verifies.
    verify_backup(settings, backup)
    assert snapshot_live(settings)["tables"] == manifest["tables"]


@pytest.mark.asvs("8.1.6")
def test_restore_empties_tables_without_rows_even_from_an_older_backup(
    tiny_settings: Settings,
) -> None:
    # Made while the table's rows were still backed up (as by an older version of the tool).
    older = create_backup(tiny_settings)
    assert table_named(read_manifest(older), "tags")["rows"] == 3
    settings = replace(tiny_settings, tables_without_rows=("tags",))

    restore_backup(settings, older, yes=True)

    # Seen without the exclusion, the live table really is empty.
    counts = row_counts(snapshot_live(tiny_settings))
    assert counts["tags"] == 0
    assert counts["notes"] == 3


@pytest.fixture
def app_backup_settings(database_url: str, backup_dir: Path) -> Settings:
    """The tool pointed at the application's own test database."""
    return Settings(database_url=database_url, backup_dir=backup_dir)


@pytest.mark.asvs("8.1.6")
def test_backups_hold_no_password_or_token_in_plain_text(
    app_client: httpx.Client, app_backup_settings: Settings
) -> None:
    email = "keeper-of-tokens@example.com"
    registered = app_client.post(
        f"{API}/auth/register", json={"email": email, "password": PASSWORD, "full_name": "K"}
    )
    assert registered.status_code == HTTPStatus.CREATED, registered.text
    login = app_client.post(f"{API}/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == HTTPStatus.OK, login.text
    tokens = login.json()

    text = backup_text(create_backup(app_backup_settings))

    assert email in text, "the users' rows are in the backup, readable"
    assert tokens["refresh_token"] not in text
    assert tokens["access_token"] not in text
    assert PASSWORD not in text
