"""Back up, list, verify, restore and prune the project's database.

Usage, from the project folder:

    python -m ops.backup backup                 make a backup (file + manifest) in BACKUP_DIR
    python -m ops.backup list                   show the backups, newest first
    python -m ops.backup recover                remove what an interrupted run left behind
    python -m ops.backup verify FILE            restore FILE into a scratch database and compare
    python -m ops.backup restore FILE --yes     replace the live database with FILE
    python -m ops.backup prune --keep N         delete all but the newest N backups
    python -m ops.backup scheduled [--keep N]   backup, verify and prune in one run, and record
{%- if with_jobs %}
                                                the outcome for `list` (what the job worker
                                                runs on BACKUP_SCHEDULE; cron can run it too)
{%- else %}
                                                the outcome for `list` (for cron or a timer)
{%- endif %}
    python -m ops.backup check                  connect to the database once (make migrate
                                                runs it first)
{%- if with_files %}
    python -m ops.backup offsite                upload the newest verified backup to
                                                BACKUP_REMOTE_URL (s3://bucket/prefix)
    python -m ops.backup list --remote          show the copies in that bucket
    python -m ops.backup key                    print a new BACKUP_ENCRYPTION_KEY
{%- endif %}

Settings come from the environment, then from ./.env: DATABASE_URL (sqlite:///path or
postgresql://user:password@host:port/name; default sqlite:///./app.db), BACKUP_DIR (default
./backups) and, for `scheduled`, BACKUP_KEEP (default 14). FILE may be a path or a bare name
{%- if with_files %}
from `list` (looked up in BACKUP_DIR), or for `verify` and `restore` an off-site copy,
s3://bucket/prefix/NAME, which is downloaded into BACKUP_DIR and checked first. A backup also
holds the stored attachments (FILES_DIR, or S3_BUCKET with the S3_* settings); off-site copies
are encrypted with BACKUP_ENCRYPTION_KEY when it is set. Every failure prints one line
starting with "error:" and exits with status 1. When the environment holds INVOKED_VIA=make
(the Makefile's targets set it), advice names the make form (`YES=1` rather than `--yes`).
{%- else %}
from `list` (looked up in BACKUP_DIR). Every failure prints one line starting with "error:" and
exits with status 1. When the environment holds INVOKED_VIA=make (the Makefile's targets set
it), advice names the make form (`YES=1` rather than `--yes`).
{%- endif %}

Every command but `check` first removes what a killed run of the tool left behind (partial
files, scratch databases) and says so on stderr; `recover` does only that.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import (
    BackupEntry,
    BackupError,
    ConfirmationNeededError,
    DatabaseUnreachableError,
    Settings,
    create_backup,
    list_backups,
    load_settings,
    prune_backups,
    recover_interrupted,
    restore_backup,
    verify_backup,
)
from .engines import engine_for
{%- if with_files %}
from .offsite import list_remote, new_key, upload_newest
{%- endif %}
from .scheduled import DEFAULT_KEEP, describe, last_run, run_scheduled
from .settings import read_dotenv

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INTERRUPTED = 130

Handler = Callable[[Settings, argparse.Namespace], list[str]]


def _check(settings: Settings, _: argparse.Namespace) -> list[str]:
    # One line naming the database (never its password) and the fix, instead of the ORM's
    # traceback, before `make migrate` and `make run` touch it.
    return [engine_for(settings).check()]


def _backup(settings: Settings, _: argparse.Namespace) -> list[str]:
    path = create_backup(settings)
    return [f"created {path} (manifest {path.name}.json)"]


def _list(settings: Settings, arguments: argparse.Namespace) -> list[str]:
{%- if with_files %}
    if arguments.remote:
        copies = list_remote(settings)
        if not copies:
            return ["no complete copies in the bucket of BACKUP_REMOTE_URL"]
        return [
            f"{copy.name}  {copy.size} bytes  {'encrypted' if copy.encrypted else 'not encrypted'}"
            for copy in copies
        ]
{%- else %}
    del arguments
{%- endif %}
    entries = list_backups(settings)
    record = last_run(settings)
    lines = [f"last scheduled run: {describe(record) if record else 'none yet'}"]
    if not entries:
        return [*lines, f"no backups in {settings.backup_dir}"]
    for entry in entries:
        manifest = entry.manifest or {}
        state = "verified" if entry.verified else "not verified"
        if entry.manifest is None:
            state = "no readable manifest"
        size = entry.path.stat().st_size
        created = manifest.get("created_at", "?")
        reason = manifest.get("reason", "")
        lines.append(f"{entry.path.name}  {created}  {size} bytes  {state}  {reason}".rstrip())
    return lines


{%- if with_files %}


def _offsite(settings: Settings, _: argparse.Namespace) -> list[str]:
    return upload_newest(settings)


def _key(_settings: Settings, _: argparse.Namespace) -> list[str]:
    return [new_key()]
{%- endif %}


def _scheduled(settings: Settings, arguments: argparse.Namespace) -> list[str]:
    record = run_scheduled(settings, keep=arguments.keep)
    return [f"scheduled backup: {describe(record)}"]


def _keep_from_environment() -> str:
    # As a string: argparse converts a default through `type`, so a bad BACKUP_KEEP is the
    # same usage error as a bad --keep. `.env` counts, as for every other setting.
    merged = {**read_dotenv(Path.cwd() / ".env"), **os.environ}
    return merged.get("BACKUP_KEEP") or str(DEFAULT_KEEP)


def _recover(settings: Settings, _: argparse.Namespace) -> list[str]:
    return recover_interrupted(settings) or ["nothing was left behind by an interrupted run"]


def _verify(settings: Settings, arguments: argparse.Namespace) -> list[str]:
    manifest = verify_backup(settings, arguments.file)
    rows = sum(table["rows"] for table in manifest["tables"].values())
    name = manifest.get("file", arguments.file)
    head = _describe_head(manifest["migration_head"])
    tables = len(manifest["tables"])
    return [f"ok: {name} restores to its manifest ({tables} tables, {rows} rows, head: {head})"]


def _describe_head(head: dict[str, Any]) -> str:
    parts = []
    if "alembic" in head:
        parts.append("alembic " + ", ".join(head["alembic"]))
    if "django" in head:
        parts.append(f"django, {len(head['django'])} apps")
    return "; ".join(parts) or "none recorded"


def _restore(settings: Settings, arguments: argparse.Namespace) -> list[str]:
    result = restore_backup(settings, arguments.file, yes=arguments.yes)
    lines = [f"restored {result.restored.name} into the live database"]
    if result.safety_backup is not None:
        lines.append(f"the replaced database was saved as {result.safety_backup}")
    return lines


def _prune(settings: Settings, arguments: argparse.Namespace) -> list[str]:
    deleted = prune_backups(settings, keep=arguments.keep)
    remaining = list_backups(settings)
    lines = [f"deleted {path.name}" for path in deleted] or [
        f"nothing to delete ({len(remaining)} backups; the newest {arguments.keep} are kept)"
    ]
    return lines + _why_kept(remaining, arguments.keep)


def _why_kept(remaining: list[BackupEntry], keep: int) -> list[str]:
    # Whatever survived beyond the newest `keep` did so for a reason the operator should hear,
    # or the next prune looks like it did not work.
    return [
        f"kept {entry.path.name} (not among the newest {keep}): it is the newest verified "
        "backup, which prune never deletes; verify a newer one to let it go"
        for entry in remaining[keep:]
        if entry.verified
    ]


# The commands that cannot do anything without the database.
NEEDS_THE_DATABASE: frozenset[Handler] = frozenset({_backup, _verify, _restore, _scheduled})


def _recover_first(settings: Settings, handler: Handler) -> None:
    # What a killed run left would otherwise stay for good (a scratch database holds a whole
    # copy of the data). Failing to look is no reason to refuse the command: `list` must work
    # while the database server is down.
    try:
        done = recover_interrupted(settings)
    except DatabaseUnreachableError:
        if handler in NEEDS_THE_DATABASE:
            # The command itself fails the same way: say it once, as its error.
            raise
        sys.stderr.write("warning: could not look for what an interrupted run left: ")
        sys.stderr.write("the database cannot be reached (`backup` says why)\n")
        return
    except (BackupError, OSError, sqlite3.Error) as exc:
        sys.stderr.write(f"warning: could not look for what an interrupted run left: {exc}\n")
        return
    sys.stderr.write("".join(f"recovered: {line}\n" for line in done))


def _confirmation_advice(refusal: ConfirmationNeededError, arguments: argparse.Namespace) -> str:
    # Under make the confirmation is YES=1, not --yes: the Makefile says so in INVOKED_VIA.
    if os.environ.get("INVOKED_VIA") != "make":
        return str(refusal)
    what = str(refusal).partition(";")[0]
    return f"{what}; to confirm, run again as: make restore FILE={arguments.file} YES=1"


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line: one subcommand per action, each with its own --help."""
    parser = argparse.ArgumentParser(
        prog="python -m ops.backup",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("backup", help="make a new backup").set_defaults(handler=_backup)
{%- if with_files %}
    listing = commands.add_parser("list", help="show the backups, newest first")
    listing.add_argument(
        "--remote", action="store_true", help="show the off-site copies in BACKUP_REMOTE_URL"
    )
    listing.set_defaults(handler=_list)
{%- else %}
    commands.add_parser("list", help="show the backups, newest first").set_defaults(handler=_list)
{%- endif %}
    commands.add_parser(
        "recover", help="remove what an interrupted run left behind (every command does it first)"
    ).set_defaults(handler=_recover)
    verify = commands.add_parser(
        "verify", help="check a backup by restoring it to a scratch database"
    )
{%- if with_files %}
    verify.add_argument(
        "file", metavar="FILE", help="backup file (path or name in BACKUP_DIR, or s3://...)"
    )
{%- else %}
    verify.add_argument("file", metavar="FILE", help="backup file (path or name in BACKUP_DIR)")
{%- endif %}
    verify.set_defaults(handler=_verify)
    restore = commands.add_parser("restore", help="replace the live database with a backup")
{%- if with_files %}
    restore.add_argument(
        "file", metavar="FILE", help="backup file inside BACKUP_DIR, or s3://bucket/prefix/NAME"
    )
{%- else %}
    restore.add_argument("file", metavar="FILE", help="backup file inside BACKUP_DIR")
{%- endif %}
    restore.add_argument("--yes", action="store_true", help="confirm replacing the live database")
    restore.set_defaults(handler=_restore)
    prune = commands.add_parser("prune", help="delete old backups, keeping the newest N")
    prune.add_argument(
        "--keep", type=int, required=True, metavar="N", help="how many to keep (>= 1)"
    )
    prune.set_defaults(handler=_prune)
    scheduled = commands.add_parser(
        "scheduled", help="backup, verify and prune in one run, recording the outcome"
    )
    scheduled.add_argument(
        "--keep",
        type=int,
        default=_keep_from_environment(),
        metavar="N",
        help="how many backups to keep (default: BACKUP_KEEP, else 14)",
    )
    scheduled.set_defaults(handler=_scheduled)
    commands.add_parser(
        "check", help="connect to the database once and say whether it answers"
    ).set_defaults(handler=_check)
{%- if with_files %}
    commands.add_parser(
        "offsite", help="upload the newest verified backup to BACKUP_REMOTE_URL"
    ).set_defaults(handler=_offsite)
    commands.add_parser("key", help="print a new BACKUP_ENCRYPTION_KEY").set_defaults(handler=_key)
{%- endif %}
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return the exit status.

    Args:
        argv: The arguments after the program name (default: `sys.argv[1:]`).

    Returns:
        0 on success, 1 on an error the operator can fix, 130 when interrupted; argparse
        itself exits with 2 on a usage error.
    """
    arguments = build_parser().parse_args(argv)
    handler: Handler = arguments.handler
    try:
        settings = load_settings()
        if handler not in (_recover, _check):
            _recover_first(settings, handler)
        lines = handler(settings, arguments)
    except ConfirmationNeededError as exc:
        sys.stderr.write(f"error: {_confirmation_advice(exc, arguments)}\n")
        return EXIT_ERROR
    except (BackupError, OSError, sqlite3.Error) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return EXIT_INTERRUPTED
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
