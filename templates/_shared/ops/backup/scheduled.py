"""The scheduled backup: back up, verify and prune in one run, and remember how it went.

{% if with_jobs -%}
The project's job worker runs `run_scheduled` on the cron schedule `BACKUP_SCHEDULE`; cron or
a systemd timer can run `python -m ops.backup scheduled` instead. Either way the outcome of the
last run is written to `BACKUP_DIR/last-scheduled-run.json`, which `python -m ops.backup list`
{%- else -%}
Cron or a systemd timer runs it as `python -m ops.backup scheduled`. The outcome of the last
run is written to `BACKUP_DIR/last-scheduled-run.json`, which `python -m ops.backup list`
{%- endif %}
(`make backups`) shows, so a schedule that stopped working is seen rather than discovered on
the day a restore is needed.
"""

from __future__ import annotations

import json
import logging
{%- if with_jobs %}
import re
{%- endif %}
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .commands import create_backup, prune_backups, verify_backup
from .files import write_json
{%- if with_files %}
from .offsite import upload_newest
{%- endif %}

if TYPE_CHECKING:
    from .settings import Settings

LAST_RUN_FILE = "last-scheduled-run.json"
DEFAULT_KEEP = 14
{%- if with_jobs %}
DEFAULT_SCHEDULE = "0 3 * * *"
CRON_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
# Digits, lists, ranges, steps and `*`: what every cron (and Huey's crontab) understands.
_CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")
{%- endif %}

logger = logging.getLogger("ops.backup.scheduled")
# Where logging is set up{% if with_jobs %} (the worker){% endif %}, it shows these lines; the command line prints its own
# instead of a second copy through logging's last-resort handler.
logger.addHandler(logging.NullHandler())


{%- if with_jobs %}


def cron_fields(schedule: str) -> dict[str, str] | None:
    """Read `BACKUP_SCHEDULE`: five cron fields, or `off`.

    Args:
        schedule: For example ``0 3 * * *`` (03:00 every day, UTC).

    Returns:
        The fields by name (``minute``, ``hour``, ``day``, ``month``, ``day_of_week``, the
        keyword arguments of Huey's ``crontab``), or None when the schedule is ``off``.

    Raises:
        ValueError: The schedule is neither five cron fields nor ``off``.
    """
    text = schedule.strip()
    if text.lower() == "off":
        return None
    fields = text.split()
    if len(fields) != len(CRON_FIELDS) or not all(map(_CRON_FIELD.match, fields)):
        msg = (
            f"BACKUP_SCHEDULE must be five cron fields (minute hour day month weekday, "
            f"e.g. {DEFAULT_SCHEDULE!r}) or 'off', not {schedule!r}"
        )
        raise ValueError(msg)
    return dict(zip(CRON_FIELDS, fields, strict=True))
{%- endif %}


def run_scheduled(settings: Settings, *, keep: int) -> dict[str, Any]:
    """Back up, verify the new backup, prune to `keep`; record and log the outcome.

    Args:
        settings: Where the database is and where backups go.
        keep: How many backups to keep (`BACKUP_KEEP`).

    Returns:
        What was recorded in `last-scheduled-run.json`.

    Raises:
        Exception: Whatever stopped the run, after it was recorded and logged, so that the
            worker (or cron) also sees the run fail.
    """
    started = datetime.now(UTC)
    clock = time.monotonic()
    record: dict[str, Any] = {"started_at": _iso(started), "outcome": "failed"}
    try:
        backup = create_backup(settings, reason="scheduled")
        record["backup"] = backup.name
        verify_backup(settings, backup)
        record["pruned"] = [path.name for path in prune_backups(settings, keep=keep)]
{%- if with_files %}
        if settings.files is not None and settings.files.remote_url:
            upload_newest(settings)
            record["offsite"] = settings.files.remote_url
{%- endif %}
        record["outcome"] = "ok"
    except Exception as error:
        # Any failure, not only the tool's own errors: the point is that none goes unseen.
        record["error"] = f"{type(error).__name__}: {error}"
        raise
    finally:
        record["seconds"] = round(time.monotonic() - clock, 3)
        settings.backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_json(settings.backup_dir / LAST_RUN_FILE, record, replace=True)
        if record["outcome"] == "ok":
            logger.info("scheduled backup: %s", describe(record))
        else:
            logger.error("scheduled backup: %s", describe(record))
    return record


def last_run(settings: Settings) -> dict[str, Any] | None:
    """The record of the last scheduled run, or None when there has been none."""
    path = settings.backup_dir / LAST_RUN_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        return {"outcome": "unreadable", "error": f"{path.name}: {error}"}
    return data if isinstance(data, dict) else {"outcome": "unreadable", "error": path.name}


def describe(record: dict[str, Any]) -> str:
    """One line about a scheduled run, for the log and for `list`."""
    when = record.get("started_at", "at an unknown time")
    if record.get("outcome") == "ok":
        pruned = len(record.get("pruned", []))
{%- if with_files %}
        copied = f", copied to {record['offsite']}" if record.get("offsite") else ""
        return (
            f"ok at {when}: {record.get('backup')} made and verified, "
            f"{pruned} old backup{'s' if pruned != 1 else ''} pruned{copied} "
            f"({record.get('seconds', '?')} s)"
        )
{%- else %}
        return (
            f"ok at {when}: {record.get('backup')} made and verified, "
            f"{pruned} old backup{'s' if pruned != 1 else ''} pruned "
            f"({record.get('seconds', '?')} s)"
        )
{%- endif %}
    return f"FAILED at {when}: {record.get('error', 'no reason recorded')}"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
