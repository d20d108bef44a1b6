"""The backup tool as a real process, `python -m ops.backup`, as the Makefile runs it.

Each test runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ops.backup import (
    Settings,
    list_backups,
)

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable

    RunCli = Callable[..., subprocess.CompletedProcess[str]]
    RunSql = Callable[[str, str], None]


@pytest.mark.long
def test_command_line_round_trip(tiny_settings: Settings, run_backup_cli: RunCli) -> None:
    url = tiny_settings.database_url

    made = run_backup_cli(url, "backup")
    assert made.returncode == 0, made.stderr
    (backup,) = (entry.path for entry in list_backups(tiny_settings))
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
    assert len(list_backups(tiny_settings)) == 2


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["verify", "missing.sqlite3"], id="missing-file"),
        pytest.param(["restore", "/etc/hostname", "--yes"], id="outside-folder"),
        pytest.param(["prune", "--keep", "0"], id="keep-zero"),
    ],
)
def test_command_line_errors_are_one_line_without_traceback(
    tiny_settings: Settings, run_backup_cli: RunCli, args: list[str]
) -> None:
    result = run_backup_cli(tiny_settings.database_url, *args)

    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["backup", "list", "verify", "restore", "prune"])
def test_every_command_has_help(
    tiny_settings: Settings, run_backup_cli: RunCli, command: str
) -> None:
    result = run_backup_cli(tiny_settings.database_url, command, "--help")

    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m ops.backup")
