"""`python -m ops.backup recover`: what it removes, and what it must leave alone.

A partial file or scratch database is only a leftover when no running command owns it; the
recovery that every command runs first must never remove another command's work in progress.
"""

from __future__ import annotations

import secrets
from contextlib import closing
from typing import TYPE_CHECKING, Any

import pytest

from ops.backup import Settings, create_backup, list_backups
from ops.backup.leftovers import working_in

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable, Iterator
    from pathlib import Path

    import psycopg

    RunCli = Callable[..., subprocess.CompletedProcess[str]]


def test_recover_removes_partial_files_only_when_no_command_is_running(
    tiny_settings: Settings, run_backup_cli: RunCli
) -> None:
    backup = create_backup(tiny_settings)
    partial = backup.with_name("backup-20000101T000000Z.dump.partial")
    orphan_manifest = backup.with_name("backup-20000101T000000Z.dump.json")

    with working_in(tiny_settings.backup_dir):
        partial.write_bytes(b"half a dump")
        orphan_manifest.write_text("{}", encoding="utf-8")
        busy = run_backup_cli(tiny_settings.database_url, "recover")
    idle = run_backup_cli(tiny_settings.database_url, "recover")
    again = run_backup_cli(tiny_settings.database_url, "recover")

    assert busy.returncode == 0, busy.stderr
    assert "nothing was left behind" in busy.stdout
    assert idle.returncode == 0, idle.stderr
    assert partial.name in idle.stdout
    assert orphan_manifest.name in idle.stdout
    assert not partial.exists()
    assert not orphan_manifest.exists()
    assert [entry.path for entry in list_backups(tiny_settings)] == [backup]
    assert "nothing was left behind" in again.stdout


def test_every_command_recovers_first_and_says_so_on_stderr(
    tiny_settings: Settings, run_backup_cli: RunCli
) -> None:
    tiny_settings.backup_dir.mkdir()
    scratch = tiny_settings.backup_dir / ".scratch-killed.partial"
    scratch.mkdir()
    (scratch / "scratch.sqlite3").write_bytes(b"a copy of the data")

    listed = run_backup_cli(tiny_settings.database_url, "list")

    assert listed.returncode == 0, listed.stderr
    assert listed.stderr.startswith("recovered: removed .scratch-killed.partial")
    assert not scratch.exists()


# PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture
def server(tiny_settings: Settings) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection to the tiny PostgreSQL database's server (PostgreSQL only)."""
    if not tiny_settings.database_url.startswith("postgresql"):
        pytest.skip("scratch databases exist on PostgreSQL only")
    import psycopg  # noqa: PLC0415 (installed wherever the PostgreSQL cases run)

    with psycopg.connect(_server_url(tiny_settings), autocommit=True) as connection:
        yield connection


def _server_url(settings: Settings) -> str:
    # The maintenance database the tool recovers from; advisory locks are per database.
    return settings.database_url.rpartition("/")[0] + "/postgres"


def _live_name(settings: Settings) -> str:
    return settings.database_url.rpartition("/")[2]


def _create(server: psycopg.Connection[Any], name: str) -> None:
    from psycopg import sql  # noqa: PLC0415 (only once psycopg is known to be installed)

    server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _exists(server: psycopg.Connection[Any], name: str) -> bool:
    found = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return found is not None


def test_recover_leaves_a_scratch_database_in_use_alone(
    tiny_settings: Settings, server: psycopg.Connection[Any], run_backup_cli: RunCli
) -> None:
    import psycopg  # noqa: PLC0415 (the fixture skipped the test without it)

    from ops.backup.postgres import Scratch  # noqa: PLC0415 (PostgreSQL only)

    scratch = Scratch.named(_live_name(tiny_settings), secrets.token_hex(4))
    _create(server, scratch.name)
    # The lock a running restore holds while its scratch copy exists.
    with closing(psycopg.connect(_server_url(tiny_settings), autocommit=True)) as owner:
        owner.execute("SELECT pg_advisory_lock(%s, %s)", scratch.lock_key)
        busy = run_backup_cli(tiny_settings.database_url, "recover")
        still_there = _exists(server, scratch.name)
    idle = run_backup_cli(tiny_settings.database_url, "recover")

    assert busy.returncode == 0, busy.stderr
    assert still_there
    assert "nothing was left behind" in busy.stdout
    assert idle.returncode == 0, idle.stderr
    assert f"dropped database {scratch.name}" in idle.stdout
    assert not _exists(server, scratch.name)


def test_recover_undoes_a_restore_killed_by_an_older_version(
    tiny_settings: Settings, server: psycopg.Connection[Any], run_backup_cli: RunCli
) -> None:
    import psycopg  # noqa: PLC0415 (the fixture skipped the test without it)
    from psycopg import sql  # noqa: PLC0415

    from ops.backup.postgres import Scratch  # noqa: PLC0415 (PostgreSQL only)

    # What older versions left when killed mid-swap: the live database refusing every
    # connection, and the scratch copy beside it.
    live = _live_name(tiny_settings)
    scratch = Scratch.named(live, secrets.token_hex(4))
    _create(server, scratch.name)
    server.execute(
        sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(live))
    )

    result = run_backup_cli(tiny_settings.database_url, "recover")

    assert result.returncode == 0, result.stderr
    assert f"dropped database {scratch.name}" in result.stdout
    assert f"allowed connections to {live} again" in result.stdout
    with psycopg.connect(tiny_settings.database_url) as connection:
        assert connection.execute("SELECT count(*) FROM notes").fetchone() == (3,)


def test_recover_on_a_project_without_database_or_backups_creates_nothing(
    tmp_path: Path, run_backup_cli: RunCli
) -> None:
    # A SQLite project before its first migration: nothing to recover, nothing created.
    result = run_backup_cli(f"sqlite:///{tmp_path / 'missing.db'}", "recover")

    assert result.returncode == 0, result.stderr
    assert "nothing was left behind" in result.stdout
    assert not (tmp_path / "missing.db").exists()
    assert not (tmp_path / "backups").exists()
