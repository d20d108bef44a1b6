"""Restoring and pruning backups of a tiny database of the tests' own (no web app needed).

Each test runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ops.backup import (
    BackupError,
    Settings,
    create_backup,
    list_backups,
    prune_backups,
    restore_backup,
    snapshot_live,
    verify_backup,
)

from .helpers import manifest_path, read_manifest, rewrite_manifest, row_counts

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable
    from contextlib import AbstractContextManager
    from pathlib import Path

    RunCli = Callable[..., subprocess.CompletedProcess[str]]
    RunSql = Callable[[str, str], None]


def test_restore_refuses_a_path_outside_the_backup_folder(
    tiny_settings: Settings, tmp_path: Path
) -> None:
    backup = create_backup(tiny_settings)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    stray = outside / backup.name
    stray.write_bytes(backup.read_bytes())
    manifest_path(stray).write_bytes(manifest_path(backup).read_bytes())

    with pytest.raises(BackupError, match="outside the backup folder"):
        restore_backup(tiny_settings, stray, yes=True)
    with pytest.raises(BackupError, match="outside the backup folder"):
        restore_backup(
            tiny_settings, tiny_settings.backup_dir / ".." / "elsewhere" / backup.name, yes=True
        )


def test_restore_refuses_a_symlink_that_leads_outside(
    tiny_settings: Settings, tmp_path: Path
) -> None:
    backup = create_backup(tiny_settings)
    stray = tmp_path / "stray.sqlite3"
    stray.write_bytes(backup.read_bytes())
    link = tiny_settings.backup_dir / "backup-20000101T000000Z.sqlite3"
    link.symlink_to(stray)

    with pytest.raises(BackupError, match="outside the backup folder"):
        restore_backup(tiny_settings, link, yes=True)


def test_restore_without_yes_changes_nothing(tiny_settings: Settings, execute_sql: RunSql) -> None:
    backup = create_backup(tiny_settings)
    execute_sql(tiny_settings.database_url, "DELETE FROM tags")
    before = snapshot_live(tiny_settings)

    with pytest.raises(BackupError, match="--yes"):
        restore_backup(tiny_settings, backup)

    assert snapshot_live(tiny_settings) == before
    assert len(list_backups(tiny_settings)) == 1


@pytest.mark.asvs("8.1.5")
def test_restore_replaces_live_data_and_keeps_a_safety_backup(
    tiny_settings: Settings, execute_sql: RunSql
) -> None:
    backup = create_backup(tiny_settings)
    execute_sql(tiny_settings.database_url, "INSERT INTO tags VALUES (4, 2, 'later')")
    changed = snapshot_live(tiny_settings)

    result = restore_backup(tiny_settings, backup, yes=True)

    restored = snapshot_live(tiny_settings)
    assert restored["tables"] == read_manifest(backup)["tables"]
    assert restored["migration_head"] == read_manifest(backup)["migration_head"]
    assert result.safety_backup is not None
    safety = read_manifest(result.safety_backup)
    assert safety["tables"] == changed["tables"]
    assert safety["reason"] == f"safety copy before restoring {backup.name}"
    verify_backup(tiny_settings, result.safety_backup)


def test_restore_takes_over_from_an_open_application_session(
    tiny_settings: Settings,
    execute_sql: RunSql,
    other_session: Callable[[str], AbstractContextManager[object]],
) -> None:
    backup = create_backup(tiny_settings)
    execute_sql(tiny_settings.database_url, "DELETE FROM tags")

    with other_session(tiny_settings.database_url):
        restore_backup(tiny_settings, backup, yes=True)

    assert row_counts(snapshot_live(tiny_settings))["tags"] == 3


def test_restore_removes_tables_created_after_the_backup(
    tiny_settings: Settings, execute_sql: RunSql
) -> None:
    backup = create_backup(tiny_settings)
    execute_sql(tiny_settings.database_url, "CREATE TABLE newer (id INTEGER PRIMARY KEY)")

    restore_backup(tiny_settings, backup, yes=True)

    assert row_counts(snapshot_live(tiny_settings)) == {
        "alembic_version": 1,
        "notes": 3,
        "tags": 3,
    }


def test_prune_keeps_the_newest_and_the_newest_verified(tiny_settings: Settings) -> None:
    oldest = create_backup(tiny_settings)
    verify_backup(tiny_settings, oldest)
    newer = [create_backup(tiny_settings) for _ in range(3)]

    deleted = prune_backups(tiny_settings, keep=2)

    remaining = [entry.path for entry in list_backups(tiny_settings)]
    assert remaining == [newer[2], newer[1], oldest]
    assert deleted == [newer[0]]
    assert not manifest_path(newer[0]).exists()


def test_prune_ignores_a_verification_mark_for_other_content(tiny_settings: Settings) -> None:
    first = create_backup(tiny_settings)
    verify_backup(tiny_settings, first)
    rewrite_manifest(first, lambda manifest: manifest.update(sha256="0" * 64))
    second = create_backup(tiny_settings)

    prune_backups(tiny_settings, keep=1)

    assert [entry.path for entry in list_backups(tiny_settings)] == [second]


def test_prune_refuses_to_keep_fewer_than_one(tiny_settings: Settings) -> None:
    create_backup(tiny_settings)

    with pytest.raises(BackupError, match="at least 1"):
        prune_backups(tiny_settings, keep=0)
    assert len(list_backups(tiny_settings)) == 1
