"""What the backup tool tells the operator: the confirmation, prune's choices, lookups, outages.

Each message is read from the tool run as a real process, as `make backup`, `make restore`
and friends run it. The backups a test starts from are made in-process (`create_backup`, what
`python -m ops.backup backup` calls): a Python start-up per arrangement would prove nothing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from ops.backup import (
    BackupError,
    Settings,
    create_backup,
    list_backups,
    restore_backup,
    verify_backup,
)

from .conftest import PROJECT_ROOT

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    RunCli = Callable[..., subprocess.CompletedProcess[str]]

PASSWORD = "not-a-real-secret-4711"
# Each says the same one line when the database cannot be reached.
COMMANDS_THAT_CONNECT = [["backup"], ["restore", "backup-x.dump", "--yes"], ["check"]]


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    assert result.stderr.count("\n") == 1, f"expected one line, got:\n{result.stderr}"
    return result.stderr


def test_restore_without_confirmation_names_the_flag_of_the_command_line(
    tiny_settings: Settings, run_backup_cli: RunCli
) -> None:
    url = tiny_settings.database_url
    create_backup(tiny_settings)
    (backup,) = list_backups(tiny_settings)

    refused = _one_error_line(run_backup_cli(url, "restore", backup.path.name))

    assert "--yes" in refused
    assert "YES=1" not in refused


def test_restore_without_confirmation_under_make_says_yes_1(
    tiny_settings: Settings, run_backup_cli: RunCli
) -> None:
    url = tiny_settings.database_url
    create_backup(tiny_settings)
    (backup,) = list_backups(tiny_settings)

    refused = run_backup_cli(url, "restore", backup.path.name, invoked_via="make")

    line = _one_error_line(refused)
    assert f"make restore FILE={backup.path.name} YES=1" in line
    assert "--yes" not in line


def test_prune_says_why_it_kept_more_than_asked(
    tiny_settings: Settings, run_backup_cli: RunCli
) -> None:
    url = tiny_settings.database_url
    create_backup(tiny_settings)
    create_backup(tiny_settings)
    newest, older = list_backups(tiny_settings)
    verify_backup(tiny_settings, older.path)

    pruned = run_backup_cli(url, "prune", "--keep", "1")

    assert pruned.returncode == 0, pruned.stderr
    assert [entry.path for entry in list_backups(tiny_settings)] == [newest.path, older.path]
    assert f"kept {older.path.name}" in pruned.stdout
    assert "newest verified backup" in pruned.stdout


def test_prune_with_nothing_to_delete_says_how_many_it_keeps(
    tiny_settings: Settings, run_backup_cli: RunCli
) -> None:
    url = tiny_settings.database_url
    create_backup(tiny_settings)

    pruned = run_backup_cli(url, "prune", "--keep", "7")

    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stdout == "nothing to delete (1 backups; the newest 7 are kept)\n"


def test_restore_takes_a_bare_name_from_the_backup_folder(
    tiny_settings: Settings, run_backup_cli: RunCli
) -> None:
    url = tiny_settings.database_url
    create_backup(tiny_settings)
    (backup,) = list_backups(tiny_settings)

    restored = run_backup_cli(url, "restore", backup.path.name, "--yes")

    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith(f"restored {backup.path.name}")


def test_a_bare_name_means_the_backup_folder_even_beside_a_file_of_that_name(
    tiny_settings: Settings, tmp_path: Path, monkeypatch
) -> None:
    create_backup(tiny_settings)
    (backup,) = list_backups(tiny_settings)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / backup.path.name).write_bytes(backup.path.read_bytes())
    monkeypatch.chdir(elsewhere)

    result = restore_backup(tiny_settings, backup.path.name, yes=True)

    assert result.restored == backup.path.resolve()
    # A path that leads outside the folder is still refused.
    with pytest.raises(BackupError, match="outside the backup folder"):
        restore_backup(tiny_settings, elsewhere / backup.path.name, yes=True)


# A database that cannot be reached ------------------------------------------------------


def _server() -> tuple[str, int]:
    server_url = os.environ.get("TEST_DATABASE_URL", "")
    if not server_url.startswith(("postgresql", "postgres:")):
        pytest.skip("set TEST_DATABASE_URL to a postgresql:// URL to run the PostgreSQL cases")
    parts = urlsplit(server_url)
    return parts.hostname or "127.0.0.1", parts.port or 5432


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize("command", COMMANDS_THAT_CONNECT)
def test_a_role_that_does_not_exist_is_one_line_with_the_fix(
    run_backup_cli: RunCli, command: list[str]
) -> None:
    host, port = _server()
    url = f"postgresql://no_such_role_here:{PASSWORD}@{host}:{port}/demo"

    line = _one_error_line(run_backup_cli(url, *command))

    assert f"postgresql://no_such_role_here@{host}:{port}/demo" in line
    assert PASSWORD not in line
    assert "createuser --createdb" in line


@pytest.mark.parametrize("command", COMMANDS_THAT_CONNECT)
def test_a_server_that_does_not_answer_is_one_line_with_the_fix(
    run_backup_cli: RunCli, command: list[str]
) -> None:
    pytest.importorskip("psycopg")
    url = f"postgresql://demo:{PASSWORD}@127.0.0.1:{_free_port()}/demo"

    line = _one_error_line(run_backup_cli(url, *command))

    assert url.replace(f":{PASSWORD}", "") in line
    assert PASSWORD not in line
    assert "start PostgreSQL" in line


def test_check_says_a_reachable_postgresql_database_answers(run_backup_cli: RunCli) -> None:
    host, port = _server()
    url = f"postgresql://postgres@{host}:{port}/postgres"

    result = run_backup_cli(url, "check")

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"ok: PostgreSQL database postgres ({url}) answers\n"


def test_check_of_a_sqlite_file_not_made_yet_says_the_migrations_make_it(
    tmp_path: Path, run_backup_cli: RunCli
) -> None:
    result = run_backup_cli(f"sqlite:///{tmp_path / 'new.db'}", "check")

    assert result.returncode == 0, result.stderr
    assert "does not exist yet; the migrations create it" in result.stdout
    assert not (tmp_path / "new.db").exists()


def test_check_of_a_sqlite_file_in_a_missing_folder_is_one_line_with_the_fix(
    tmp_path: Path, run_backup_cli: RunCli
) -> None:
    line = _one_error_line(run_backup_cli(f"sqlite:///{tmp_path / 'nowhere' / 'app.db'}", "check"))

    assert f"create {tmp_path / 'nowhere'}" in line


@pytest.mark.parametrize("target", ["migrate", "run"])
def test_make_migrate_and_run_say_in_one_line_that_the_database_is_unreachable(
    target: str,
) -> None:
    pytest.importorskip("psycopg")
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    url = f"postgresql://demo:{PASSWORD}@127.0.0.1:{_free_port()}/demo"
    # A top-level make, as a user types it, even when this suite itself runs under `make test`.
    inherited = {"MAKELEVEL", "MAKEFLAGS", "MFLAGS"}
    environment = {k: v for k, v in os.environ.items() if k not in inherited}
    environment["DATABASE_URL"] = url

    # The project's own Makefile, as a user runs it; no shell beyond make's own.
    result = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", target],  # noqa: S607 - make from PATH, as a user
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if not line.startswith("make: ***")]
    shown = url.replace(f":{PASSWORD}", "")
    expected = (
        f"error: cannot connect to PostgreSQL at {shown}: no server answers there; start "
        "PostgreSQL, or fix the host and port in DATABASE_URL in .env"
    )
    assert errors == [expected]
    assert PASSWORD not in result.stdout + result.stderr
