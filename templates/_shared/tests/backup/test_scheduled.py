"""The scheduled backup (`python -m ops.backup scheduled`{% if with_jobs %}, and the worker's periodic job{% endif %}).

One run backs up, verifies and prunes, and records how it went where `list` (`make backups`)
shows it, so a schedule that stopped working is noticed. Each test runs on SQLite and, when
TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from ops.backup import BackupError, Settings, create_backup, list_backups
from ops.backup.scheduled import LAST_RUN_FILE, {% if with_jobs %}cron_fields, {% endif %}run_scheduled

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable
    from pathlib import Path

    RunCli = Callable[..., subprocess.CompletedProcess[str]]


def test_a_run_backs_up_verifies_prunes_and_records_it(tiny_settings: Settings) -> None:
    for _ in range(3):
        create_backup(tiny_settings)

    record = run_scheduled(tiny_settings, keep=2)

    entries = list_backups(tiny_settings)
    assert entries[0].path.name == record["backup"]
    assert entries[0].verified
    assert len(entries) == 2
    assert len(record["pruned"]) == 2
    assert record["outcome"] == "ok"
    written = tiny_settings.backup_dir / LAST_RUN_FILE
    assert json.loads(written.read_text("utf-8")) == record
    assert written.stat().st_mode & 0o777 == 0o600


def test_a_failed_run_is_recorded_and_raised(backup_dir: Path, tmp_path: Path) -> None:
    missing = Settings(database_url=f"sqlite:///{tmp_path / 'gone.db'}", backup_dir=backup_dir)

    with pytest.raises(BackupError, match=r"does not exist"):
        run_scheduled(missing, keep=2)

    record = json.loads((backup_dir / LAST_RUN_FILE).read_text("utf-8"))
    assert record["outcome"] == "failed"
    assert "does not exist" in record["error"]


def test_the_command_line_runs_it_and_list_shows_the_last_run(
    tiny_settings: Settings, run_backup_cli: RunCli
) -> None:
    url = tiny_settings.database_url
    before = run_backup_cli(url, "list")

    ran = run_backup_cli(url, "scheduled", "--keep", "3")
    after = run_backup_cli(url, "list")

    assert before.stdout.splitlines()[0] == "last scheduled run: none yet"
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("scheduled backup: ok at ")
    assert after.stdout.splitlines()[0].startswith("last scheduled run: ok at ")


def test_list_shows_a_failed_run_and_the_command_exits_1(
    tmp_path: Path, run_backup_cli: RunCli
) -> None:
    url = f"sqlite:///{tmp_path / 'gone.db'}"

    ran = run_backup_cli(url, "scheduled")
    listed = run_backup_cli(url, "list")

    assert ran.returncode == 1
    assert ran.stderr.strip().splitlines()[-1].startswith("error: ")
    assert listed.stdout.splitlines()[0].startswith("last scheduled run: FAILED at ")


def test_a_bad_keep_from_the_environment_is_a_usage_error(
    tiny_settings: Settings, run_backup_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKUP_KEEP", "many")

    ran = run_backup_cli(tiny_settings.database_url, "scheduled")

    assert ran.returncode == 2
    assert "--keep: invalid int value: 'many'" in ran.stderr
{%- if with_jobs %}


@pytest.mark.parametrize(
    ("schedule", "fields"),
    [
        ("0 3 * * *", {"minute": "0", "hour": "3", "day": "*", "month": "*", "day_of_week": "*"}),
        (
            " */15 1-5,22 1 */2 0 ",
            {"minute": "*/15", "hour": "1-5,22", "day": "1", "month": "*/2", "day_of_week": "0"},
        ),
        ("off", None),
        ("OFF", None),
    ],
)
def test_a_schedule_is_five_cron_fields_or_off(schedule: str, fields: object) -> None:
    assert cron_fields(schedule) == fields


@pytest.mark.parametrize("schedule", ["", "0 3 * *", "0 3 * * * *", "@daily", "0 3 * * mon"])
def test_anything_else_is_refused_with_the_setting_named(schedule: str) -> None:
    with pytest.raises(ValueError, match=r"^BACKUP_SCHEDULE must be five cron fields"):
        cron_fields(schedule)
{%- endif %}
