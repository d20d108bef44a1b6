"""The backup tool on a tiny schema of its own: no web application needed.

Each test runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import stat
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable
    from contextlib import AbstractContextManager
    from pathlib import Path

    RunCli = Callable[..., subprocess.CompletedProcess[str]]
    RunSql = Callable[[str, str], None]


@pytest.fixture
def settings(tiny_database_url: str, backup_dir: Path) -> Settings:
    """Settings pointing the tool at the tiny database and this test's backup folder."""
    return Settings(database_url=tiny_database_url, backup_dir=backup_dir)


def _manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def _manifest(backup: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(_manifest_path(backup).read_text(encoding="utf-8"))
    return manifest


def _rewrite_manifest(backup: Path, change: Callable[[dict[str, Any]], object]) -> None:
    manifest = _manifest(backup)
    change(manifest)
    _manifest_path(backup).write_text(json.dumps(manifest), encoding="utf-8")


def _rows(snapshot: dict[str, Any]) -> dict[str, int]:
    # Table keys are bare on SQLite and schema-qualified (public.notes) on PostgreSQL.
    return {name.rpartition(".")[2]: table["rows"] for name, table in snapshot["tables"].items()}


def _table(snapshot: dict[str, Any], bare_name: str) -> dict[str, Any]:
    return next(t for name, t in snapshot["tables"].items() if name.endswith(bare_name))


@pytest.mark.asvs("8.1.6")
def test_backup_and_manifest_are_created_private(settings: Settings) -> None:
    backup = create_backup(settings)

    for path in (backup, _manifest_path(backup)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_manifest_records_counts_checksums_head_and_tools(settings: Settings) -> None:
    backup = create_backup(settings)

    manifest = _manifest(backup)
    kind = "sqlite" if settings.database_url.startswith("sqlite") else "postgresql"
    assert manifest["kind"] == kind
    assert backup.name.startswith("backup-")
    assert backup.suffix == (".sqlite3" if kind == "sqlite" else ".dump")
    assert manifest["sha256"] == hashlib.sha256(backup.read_bytes()).hexdigest()
    assert _rows(manifest) == {"alembic_version": 1, "notes": 3, "tags": 3}
    assert all(len(table["sha256"]) == 64 for table in manifest["tables"].values())
    assert manifest["migration_head"] == {"alembic": ["0001_tiny"]}
    assert manifest["created_at"].endswith("Z")
    assert {"python", "sqlite"} <= manifest["tools"].keys()
    if kind == "postgresql":
        assert manifest["tools"]["pg_dump"].startswith("pg_dump")


def test_content_checksum_changes_with_one_value(settings: Settings, execute_sql: RunSql) -> None:
    before = _manifest(create_backup(settings))
    execute_sql(settings.database_url, "UPDATE tags SET name = 'office' WHERE id = 2")

    after = _manifest(create_backup(settings))

    assert _table(after, "tags")["rows"] == _table(before, "tags")["rows"]
    assert _table(after, "tags")["sha256"] != _table(before, "tags")["sha256"]
    assert _table(after, "notes") == _table(before, "notes")


@pytest.mark.asvs("8.1.5")
def test_verify_restores_into_scratch_and_records_success(settings: Settings) -> None:
    backup = create_backup(settings)
    assert not list_backups(settings)[0].verified

    manifest = verify_backup(settings, backup)

    assert manifest["sha256"] == _manifest(backup)["sha256"]
    assert list_backups(settings)[0].verified


def test_verify_accepts_a_bare_name_from_the_list(settings: Settings) -> None:
    backup = create_backup(settings)

    verify_backup(settings, backup.name)


@pytest.mark.asvs("8.1.6")
def test_verify_rejects_a_truncated_backup(settings: Settings) -> None:
    backup = create_backup(settings)
    backup.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])

    with pytest.raises(BackupError, match="SHA-256 does not match"):
        verify_backup(settings, backup)


@pytest.mark.asvs("8.1.6")
def test_verify_restores_even_when_the_checksum_was_forged(settings: Settings) -> None:
    # A checksum only proves the file is the one the manifest names; restoring is what proves
    # the file can become a database again.
    backup = create_backup(settings)
    backup.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    forged = hashlib.sha256(backup.read_bytes()).hexdigest()
    _rewrite_manifest(backup, lambda manifest: manifest.update(sha256=forged))

    with pytest.raises(BackupError, match=r"not a readable SQLite database|pg_restore failed"):
        verify_backup(settings, backup)


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
def test_verify_rejects_a_tampered_manifest(
    settings: Settings, change: Callable[[dict[str, Any]], object], message: str
) -> None:
    backup = create_backup(settings)
    _rewrite_manifest(backup, change)

    with pytest.raises(BackupError, match=message):
        verify_backup(settings, backup)
    assert not list_backups(settings)[0].verified


def test_verify_rejects_a_backup_without_manifest(settings: Settings) -> None:
    backup = create_backup(settings)
    _manifest_path(backup).unlink()

    with pytest.raises(BackupError, match="has no manifest"):
        verify_backup(settings, backup)


def test_restore_refuses_a_path_outside_the_backup_folder(
    settings: Settings, tmp_path: Path
) -> None:
    backup = create_backup(settings)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    stray = outside / backup.name
    stray.write_bytes(backup.read_bytes())
    _manifest_path(stray).write_bytes(_manifest_path(backup).read_bytes())

    with pytest.raises(BackupError, match="outside the backup folder"):
        restore_backup(settings, stray, yes=True)
    with pytest.raises(BackupError, match="outside the backup folder"):
        restore_backup(settings, settings.backup_dir / ".." / "elsewhere" / backup.name, yes=True)


def test_restore_refuses_a_symlink_that_leads_outside(settings: Settings, tmp_path: Path) -> None:
    backup = create_backup(settings)
    stray = tmp_path / "stray.sqlite3"
    stray.write_bytes(backup.read_bytes())
    link = settings.backup_dir / "backup-20000101T000000Z.sqlite3"
    link.symlink_to(stray)

    with pytest.raises(BackupError, match="outside the backup folder"):
        restore_backup(settings, link, yes=True)


def test_restore_without_yes_changes_nothing(settings: Settings, execute_sql: RunSql) -> None:
    backup = create_backup(settings)
    execute_sql(settings.database_url, "DELETE FROM tags")
    before = snapshot_live(settings)

    with pytest.raises(BackupError, match="--yes"):
        restore_backup(settings, backup)

    assert snapshot_live(settings) == before
    assert len(list_backups(settings)) == 1


@pytest.mark.asvs("8.1.5")
def test_restore_replaces_live_data_and_keeps_a_safety_backup(
    settings: Settings, execute_sql: RunSql
) -> None:
    backup = create_backup(settings)
    execute_sql(settings.database_url, "INSERT INTO tags VALUES (4, 2, 'later')")
    changed = snapshot_live(settings)

    result = restore_backup(settings, backup, yes=True)

    restored = snapshot_live(settings)
    assert restored["tables"] == _manifest(backup)["tables"]
    assert restored["migration_head"] == _manifest(backup)["migration_head"]
    assert result.safety_backup is not None
    safety = _manifest(result.safety_backup)
    assert safety["tables"] == changed["tables"]
    assert safety["reason"] == f"safety copy before restoring {backup.name}"
    verify_backup(settings, result.safety_backup)


def test_restore_takes_over_from_an_open_application_session(
    settings: Settings,
    execute_sql: RunSql,
    other_session: Callable[[str], AbstractContextManager[object]],
) -> None:
    backup = create_backup(settings)
    execute_sql(settings.database_url, "DELETE FROM tags")

    with other_session(settings.database_url):
        restore_backup(settings, backup, yes=True)

    assert _rows(snapshot_live(settings))["tags"] == 3


def test_restore_removes_tables_created_after_the_backup(
    settings: Settings, execute_sql: RunSql
) -> None:
    backup = create_backup(settings)
    execute_sql(settings.database_url, "CREATE TABLE newer (id INTEGER PRIMARY KEY)")

    restore_backup(settings, backup, yes=True)

    assert _rows(snapshot_live(settings)) == {"alembic_version": 1, "notes": 3, "tags": 3}


def test_prune_keeps_the_newest_and_the_newest_verified(settings: Settings) -> None:
    oldest = create_backup(settings)
    verify_backup(settings, oldest)
    newer = [create_backup(settings) for _ in range(3)]

    deleted = prune_backups(settings, keep=2)

    remaining = [entry.path for entry in list_backups(settings)]
    assert remaining == [newer[2], newer[1], oldest]
    assert deleted == [newer[0]]
    assert not _manifest_path(newer[0]).exists()


def test_prune_ignores_a_verification_mark_for_other_content(settings: Settings) -> None:
    first = create_backup(settings)
    verify_backup(settings, first)
    _rewrite_manifest(first, lambda manifest: manifest.update(sha256="0" * 64))
    second = create_backup(settings)

    prune_backups(settings, keep=1)

    assert [entry.path for entry in list_backups(settings)] == [second]


def test_prune_refuses_to_keep_fewer_than_one(settings: Settings) -> None:
    create_backup(settings)

    with pytest.raises(BackupError, match="at least 1"):
        prune_backups(settings, keep=0)
    assert len(list_backups(settings)) == 1


def test_command_line_round_trip(settings: Settings, run_backup_cli: RunCli) -> None:
    url = settings.database_url

    made = run_backup_cli(url, "backup")
    assert made.returncode == 0, made.stderr
    (backup,) = (entry.path for entry in list_backups(settings))
    listed = run_backup_cli(url, "list")
    verified = run_backup_cli(url, "verify", backup.name)
    refused = run_backup_cli(url, "restore", str(backup))
    restored = run_backup_cli(url, "restore", str(backup), "--yes")
    pruned = run_backup_cli(url, "prune", "--keep", "1")

    assert backup.name in listed.stdout
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("ok: ")
    assert refused.returncode == 1
    assert "--yes" in refused.stderr
    assert restored.returncode == 0, restored.stderr
    assert pruned.returncode == 0, pruned.stderr
    assert len(list_backups(settings)) == 2


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["verify", "missing.sqlite3"], id="missing-file"),
        pytest.param(["restore", "/etc/hostname", "--yes"], id="outside-folder"),
        pytest.param(["prune", "--keep", "0"], id="keep-zero"),
    ],
)
def test_command_line_errors_are_one_line_without_traceback(
    settings: Settings, run_backup_cli: RunCli, args: list[str]
) -> None:
    result = run_backup_cli(settings.database_url, *args)

    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["backup", "list", "verify", "restore", "prune"])
def test_every_command_has_help(settings: Settings, run_backup_cli: RunCli, command: str) -> None:
    result = run_backup_cli(settings.database_url, command, "--help")

    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m ops.backup")
