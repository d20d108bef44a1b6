"""Backup files on disk: names, private creation, checksums, manifests and verification marks."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeGuard

from .settings import BackupError

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

# backup-20261122T053000Z.sqlite3, and backup-20261122T053000Z-1.dump for a second one made
# within the same second. The stamp and the counter sort the backups oldest to newest.
BACKUP_NAME = re.compile(r"^backup-(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<n>\d+))?\.(?:sqlite3|dump)$")
MANIFEST_KEYS = ("kind", "sha256", "tables", "migration_head")
PRIVATE = 0o600
MAX_SAME_SECOND = 1000
# What a file is named while it is being written (see `unfinished_path`).
PARTIAL_SUFFIX = ".partial"


@dataclass(frozen=True, kw_only=True)
class BackupEntry:
    """One backup file as found in the backup folder.

    Attributes:
        path: The backup file.
        manifest: Its manifest, or None when the manifest is missing or unreadable.
        verified: Whether `verify` has passed for exactly this file content.
    """

    path: Path
    manifest: dict[str, Any] | None
    verified: bool


def manifest_path(backup: Path) -> Path:
    """Return where the manifest of `backup` lives (beside it, `.json` appended)."""
    return backup.with_name(backup.name + ".json")


{%- if with_files %}


def archive_path(backup: Path) -> Path:
    """Where the stored files of `backup` go: beside it, `.files.tar` instead of its suffix."""
    return backup.with_name(backup.name.rsplit(".", 1)[0] + ".files.tar")
{%- endif %}


def verified_path(backup: Path) -> Path:
    """Return where `verify` records its success for `backup` (beside it)."""
    return backup.with_name(backup.name + ".verified")


def unfinished_path(path: Path) -> Path:
    """Return the name `path` has while it is still being written (`.partial` appended).

    Nothing is ever written under its final name: a file appears there only once it is
    complete, so a run killed half-way leaves a `.partial` file that the next run can tell
    apart from finished work and remove (see leftovers.py).
    """
    return path.with_name(path.name + PARTIAL_SUFFIX)


def create_backup_file(folder: Path, suffix: str, now: datetime) -> Path:
    """Choose a free timestamped name for a new backup and create its private partial file.

    Args:
        folder: The backup folder; created (owner-only) if missing.
        suffix: `.sqlite3` or `.dump`.
        now: The UTC time the name records.

    Returns:
        The backup's final name. Nothing exists there yet: the backup is written into its
        `unfinished_path` (created empty, mode 0600) and `complete_backup_file` moves it there.

    Raises:
        BackupError: No free name was found.
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    for counter in range(MAX_SAME_SECOND):
        tail = f"-{counter}" if counter else ""
        path = folder / f"backup-{stamp}{tail}{suffix}"
        try:
            os.close(_create_private(unfinished_path(path)))
        except FileExistsError:
            continue
        # Checked after claiming the partial name, so a backup published under this name in
        # the meantime cannot be overwritten; a manifest without its backup is what a killed
        # run leaves until the next command's recovery removes it.
        if path.exists() or manifest_path(path).exists():
            unfinished_path(path).unlink()
            continue
        return path
    msg = f"too many backups in {folder} within one second"
    raise BackupError(msg)


def complete_backup_file(path: Path) -> None:
    """Give a completely written backup its final name `path`.

    The content is flushed to disk first, so after a power cut the final name holds the
    whole file or does not exist. A hard link gives the name without replacing a file that
    already has it; the partial name is removed afterwards.

    Raises:
        FileExistsError: Something already has the final name.
    """
    partial = unfinished_path(path)
    with partial.open("rb") as stream:
        os.fsync(stream.fileno())
    os.link(partial, path)
    partial.unlink()


def write_json(path: Path, data: dict[str, Any], *, replace: bool = False) -> None:
    """Write `data` as JSON into a file readable by its owner only.

    The JSON is written into a partial file first and renamed into place when complete, so
    `path` never holds half a manifest, even if the process is killed while writing.

    Args:
        path: The file to write.
        data: The JSON object.
        replace: Overwrite an existing file; by default an existing file is an error.
    """
    # The process id keeps two commands that write the same mark at once apart.
    partial = unfinished_path(path.with_name(f"{path.name}.{os.getpid()}"))
    fd = _create_private(partial, replace=True)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2, sort_keys=True)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        if replace:
            partial.replace(path)
        else:
            os.link(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _create_private(path: Path, *, replace: bool = False) -> int:
    # The mode is given to open() so the file never exists with wider permissions, not even
    # for the moment a later chmod() would take.
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    return os.open(path, flags, PRIVATE)


def sha256_file(path: Path) -> str:
    """Return the SHA-256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(backup: Path) -> dict[str, Any]:
    """Load and sanity-check the manifest beside `backup`.

    Raises:
        BackupError: The manifest is missing, is not JSON or lacks a required key.
    """
    path = manifest_path(backup)
    try:
        manifest: object = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"{backup.name} has no manifest ({path.name} is missing)"
        raise BackupError(msg) from None
    except (ValueError, UnicodeDecodeError):
        msg = f"manifest {path.name} is not valid JSON"
        raise BackupError(msg) from None
    if not _well_formed(manifest):
        msg = f"manifest {path.name} is malformed (it was changed or is not a backup manifest)"
        raise BackupError(msg)
    return manifest


def _well_formed(manifest: object) -> TypeGuard[dict[str, Any]]:
    # The checks after this one index the manifest freely; anything edited into another shape
    # must end here as a clear message rather than as a crash.
    if not isinstance(manifest, dict) or not all(key in manifest for key in MANIFEST_KEYS):
        return False
    tables = manifest["tables"]
    return (
        isinstance(manifest["kind"], str)
        and isinstance(manifest["sha256"], str)
        and isinstance(manifest["migration_head"], dict)
        and isinstance(tables, dict)
        and all(
            isinstance(table, dict)
            and isinstance(table.get("rows"), int)
            and isinstance(table.get("sha256"), str)
            for table in tables.values()
        )
    )


def mark_verified(backup: Path, manifest: dict[str, Any], now: datetime) -> None:
    """Record that `backup`, with the checksum its manifest gives, passed `verify`."""
    record = {"file": backup.name, "sha256": manifest["sha256"], "verified_at": iso_utc(now)}
    write_json(verified_path(backup), record, replace=True)


def find_backups(folder: Path) -> list[BackupEntry]:
    """List the backups in `folder`, newest first.

    Args:
        folder: The backup folder; a missing folder holds no backups.

    Returns:
        One entry per file whose name matches the backup pattern.
    """
    if not folder.is_dir():
        return []
    named = [(BACKUP_NAME.match(path.name), path) for path in folder.iterdir()]
    ordered = sorted(
        ((match["stamp"], int(match["n"] or 0)), path) for match, path in named if match
    )
    return [_entry(path) for _, path in reversed(ordered)]


def _entry(path: Path) -> BackupEntry:
    try:
        manifest: dict[str, Any] | None = read_manifest(path)
    except BackupError:
        manifest = None
    return BackupEntry(path=path, manifest=manifest, verified=_is_verified(path, manifest))


def _is_verified(backup: Path, manifest: dict[str, Any] | None) -> bool:
    # A mark only counts for the content it was made for: a backup whose manifest has changed
    # since (a new checksum) is no longer known to be good.
    if manifest is None:
        return False
    try:
        record = json.loads(verified_path(backup).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and record.get("sha256") == manifest["sha256"]


def remove_backup(backup: Path) -> None:
    """Delete a backup with its {% if with_files %}files, {% endif %}manifest and verification mark."""
{%- if with_files %}
    paths = (backup, archive_path(backup), manifest_path(backup), verified_path(backup))
{%- else %}
    paths = (backup, manifest_path(backup), verified_path(backup))
{%- endif %}
    for path in paths:
        path.unlink(missing_ok=True)


def iso_utc(moment: datetime) -> str:
    """Format an aware UTC datetime as ISO 8601 with a `Z`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
