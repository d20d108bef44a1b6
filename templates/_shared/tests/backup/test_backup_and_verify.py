"""Making and verifying backups of a tiny database of the tests' own (no web app needed).

Each test runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import stat
from typing import TYPE_CHECKING, Any

import pytest

from ops.backup import (
    BackupError,
    Settings,
    create_backup,
    list_backups,
    verify_backup,
)

from .helpers import manifest_path, read_manifest, rewrite_manifest, row_counts, table_named

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable

    RunCli = Callable[..., subprocess.CompletedProcess[str]]
    RunSql = Callable[[str, str], None]


@pytest.mark.asvs("8.1.6")
def test_backup_and_manifest_are_created_private(tiny_settings: Settings) -> None:
    backup = create_backup(tiny_settings)

    for path in (backup, manifest_path(backup)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_manifest_records_counts_checksums_head_and_tools(tiny_settings: Settings) -> None:
    backup = create_backup(tiny_settings)

    manifest = read_manifest(backup)
    kind = "sqlite" if tiny_settings.database_url.startswith("sqlite") else "postgresql"
    assert manifest["kind"] == kind
    assert backup.name.startswith("backup-")
    assert backup.suffix == (".sqlite3" if kind == "sqlite" else ".dump")
    assert manifest["sha256"] == hashlib.sha256(backup.read_bytes()).hexdigest()
    assert row_counts(manifest) == {"alembic_version": 1, "notes": 3, "tags": 3}
    assert all(len(table["sha256"]) == 64 for table in manifest["tables"].values())
    assert manifest["migration_head"] == {"alembic": ["0001_tiny"]}
    assert manifest["created_at"].endswith("Z")
    assert {"python", "sqlite"} <= manifest["tools"].keys()
    if kind == "postgresql":
        assert manifest["tools"]["pg_dump"].startswith("pg_dump")


def test_content_checksum_changes_with_one_value(
    tiny_settings: Settings, execute_sql: RunSql
) -> None:
    before = read_manifest(create_backup(tiny_settings))
    execute_sql(tiny_settings.database_url, "UPDATE tags SET name = 'office' WHERE id = 2")

    after = read_manifest(create_backup(tiny_settings))

    assert table_named(after, "tags")["rows"] == table_named(before, "tags")["rows"]
    assert table_named(after, "tags")["sha256"] != table_named(before, "tags")["sha256"]
    assert table_named(after, "notes") == table_named(before, "notes")


@pytest.mark.asvs("8.1.5")
def test_verify_restores_into_scratch_and_records_success(tiny_settings: Settings) -> None:
    backup = create_backup(tiny_settings)
    assert not list_backups(tiny_settings)[0].verified

    manifest = verify_backup(tiny_settings, backup)

    assert manifest["sha256"] == read_manifest(backup)["sha256"]
    assert list_backups(tiny_settings)[0].verified


def test_verify_accepts_a_bare_name_from_the_list(tiny_settings: Settings) -> None:
    backup = create_backup(tiny_settings)

    verify_backup(tiny_settings, backup.name)


@pytest.mark.asvs("8.1.6")
def test_verify_rejects_a_truncated_backup(tiny_settings: Settings) -> None:
    backup = create_backup(tiny_settings)
    backup.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])

    with pytest.raises(BackupError, match="SHA-256 does not match"):
        verify_backup(tiny_settings, backup)


@pytest.mark.asvs("8.1.6")
def test_verify_restores_even_when_the_checksum_was_forged(tiny_settings: Settings) -> None:
    # A checksum only proves the file is the one the manifest names; restoring is what proves
    # the file can become a database again.
    backup = create_backup(tiny_settings)
    backup.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    forged = hashlib.sha256(backup.read_bytes()).hexdigest()
    rewrite_manifest(backup, lambda manifest: manifest.update(sha256=forged))

    with pytest.raises(BackupError, match=r"not a readable SQLite database|pg_restore failed"):
        verify_backup(tiny_settings, backup)


@pytest.mark.asvs("8.1.6")
@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            lambda m: m["tables"][next(iter(m["tables"]))].update(rows=99),
            "manifest says 99 rows",
            id="row-count",
        ),
        pytest.param(
            lambda m: m["tables"][next(iter(m["tables"]))].update(sha256="0" * 64),
            "content checksum differs",
            id="content-checksum",
        ),
        pytest.param(
            lambda m: m.update(migration_head={"alembic": ["9999_later"]}),
            "migration head differs",
            id="migration-head",
        ),
        pytest.param(
            lambda m: m["tables"].update(ghost={"rows": 0, "sha256": "0" * 64}),
            "ghost is in the manifest but not in the backup",
            id="extra-table",
        ),
        pytest.param(lambda m: m.update(tables=[]), "malformed", id="wrong-shape"),
        pytest.param(lambda m: m.pop("sha256"), "malformed", id="no-checksum"),
    ],
)
def test_verify_rejects_a_tamperedread_manifest(
    tiny_settings: Settings, change: Callable[[dict[str, Any]], object], message: str
) -> None:
    backup = create_backup(tiny_settings)
    rewrite_manifest(backup, change)

    with pytest.raises(BackupError, match=message):
        verify_backup(tiny_settings, backup)
    assert not list_backups(tiny_settings)[0].verified


def test_verify_rejects_a_backup_withoutread_manifest(tiny_settings: Settings) -> None:
    backup = create_backup(tiny_settings)
    manifest_path(backup).unlink()

    with pytest.raises(BackupError, match="has no manifest"):
        verify_backup(tiny_settings, backup)
