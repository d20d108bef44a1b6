"""The five things the backup tool does, as plain functions the command line and tests call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
{% if with_files %}
from .archive import (
    FileVanishedError,
    check_archive,
    check_rows,
    complete_archive,
    discard_archive,
    put_files_back,
    remove_other_files,
    write_archive,
)
{%- endif %}
from .engines import Engine, engine_for
from .files import (
    BackupEntry,
    complete_backup_file,
    create_backup_file,
    find_backups,
    iso_utc,
    manifest_path,
    mark_verified,
    read_manifest,
    remove_backup,
    sha256_file,
    unfinished_path,
    write_json,
)
from .leftovers import remove_partial_files, working_in
{%- if with_files %}
from .offsite import download, is_remote
{%- endif %}
from .settings import BackupError, ConfirmationNeededError, Settings
from .snapshot import compare

MANIFEST_FORMAT = 1
{%- if with_files %}
# A file deleted between the database snapshot and its copy makes a backup start again.
FILE_ATTEMPTS = 3
{%- endif %}


@dataclass(frozen=True, kw_only=True)
class RestoreResult:
    """What `restore_backup` did.

    Attributes:
        restored: The backup now in the live database.
        safety_backup: The backup of what was replaced, or None if there was no database.
    """

    restored: Path
    safety_backup: Path | None


def create_backup(settings: Settings, *, reason: str = "manual") -> Path:
    """Back up the live database into a new timestamped file with a manifest beside it.

    The backup is written under a `.partial` name and takes its final name only after its
    manifest is in place, so a backup file without a manifest never appears, even when the
    process is killed half-way. Rows of `settings.tables_without_rows` are left out.

    Args:
        settings: Where the database is and where backups go.
        reason: Why the backup was made, recorded in the manifest.

    Returns:
        The backup file (mode 0600); its manifest is the same path with `.json` appended.
    """
{%- if with_files %}
    for attempt in range(1, FILE_ATTEMPTS + 1):
        try:
            return _create_backup_once(settings, reason)
        except FileVanishedError:
            if attempt == FILE_ATTEMPTS:
                raise
    raise AssertionError  # pragma: no cover - the loop returns or raises


def _create_backup_once(settings: Settings, reason: str) -> Path:
{%- endif %}
    engine = engine_for(settings)
    now = datetime.now(UTC)
    with working_in(settings.backup_dir):
        path = create_backup_file(settings.backup_dir, engine.suffix, now)
        partial = unfinished_path(path)
        try:
            snapshot = engine.dump(partial)
            manifest = {
                "format": MANIFEST_FORMAT,
                "file": path.name,
                "kind": engine.kind,
                "created_at": iso_utc(now),
                "reason": reason,
                "sha256": sha256_file(partial),
                "size": partial.stat().st_size,
                "tables": snapshot["tables"],
                "tables_without_rows": sorted(
                    name
                    for name in snapshot["tables"]
                    if name.rpartition(".")[2] in settings.tables_without_rows
                ),
                "migration_head": snapshot["migration_head"],
                "tools": engine.tool_versions(),
            }
{%- if with_files %}
            if settings.files is not None and "files" in snapshot:
                # The files that the rows of this very snapshot name, none of the others.
                storage = settings.files.storage()
                manifest["files"] = write_archive(storage, snapshot["files"], path)
            write_json(manifest_path(path), manifest)
            if "files" in manifest:
                complete_archive(path)
{%- else %}
            write_json(manifest_path(path), manifest)
{%- endif %}
            complete_backup_file(path)
        except BaseException:
            # A backup without its manifest cannot be verified; leave nothing half-made behind.
            if not path.exists():
                manifest_path(path).unlink(missing_ok=True)
{%- if with_files %}
                discard_archive(path)
{%- endif %}
            partial.unlink(missing_ok=True)
            raise
    return path


def snapshot_live(settings: Settings) -> dict[str, Any]:
    """Describe the live database as a manifest would: row counts, checksums, migration head.

    Comparing this with a manifest shows whether the live database holds what a backup holds.
    """
    return engine_for(settings).live_snapshot()


def list_backups(settings: Settings) -> list[BackupEntry]:
    """Return the backups in the backup folder, newest first."""
    return find_backups(settings.backup_dir)


def verify_backup(settings: Settings, file: str | Path) -> dict[str, Any]:
    """Prove a backup restores to what its manifest describes.

    First the file's SHA-256 is compared with the manifest (a truncated or altered file stops
    here), then the backup is restored into a scratch database whose row counts, content
    checksums and migration head must equal the manifest's. Success is recorded beside the
    backup, which `prune_backups` relies on.

    Args:
        settings: Where the database is and where backups go.
        file: The backup file, as a path or a bare name inside the backup folder.

    Returns:
        The manifest that was checked.
    """
{%- if with_files %}
    if is_remote(str(file)):
        file = download(settings, str(file))
{%- endif %}
    backup = _locate(settings, file)
    manifest = read_manifest(backup)
    engine = _engine_for_backup(settings, manifest, backup)
    _check_checksum(backup, manifest)
{%- if with_files %}
    check_archive(backup, manifest)
{%- endif %}
    with working_in(settings.backup_dir):
        with engine.restored_copy(backup, settings.backup_dir) as (snapshot, _):
            _check_contents(backup, manifest, snapshot)
{%- if with_files %}
            check_rows(backup, manifest, snapshot)
{%- endif %}
        mark_verified(backup, manifest, datetime.now(UTC))
    return manifest


def restore_backup(settings: Settings, file: str | Path, *, yes: bool = False) -> RestoreResult:
    """Replace the live database with a backup from the backup folder.

    The backup is verified first (checksum, then a scratch restore compared with the
    manifest), a safety backup of the live database is made, and only then is the checked
    scratch copy put in place of the live database, with the tables of
    `settings.tables_without_rows` emptied (a backup made by an older version of this tool
    may still hold their rows).

    Killed at any moment, it leaves the live database whole and accepting connections,
    holding the old data or the restored data; `recover_interrupted` removes the rest.

    Args:
        settings: Where the database is and where backups go.
        file: The backup file; it must resolve (symlinks followed) to inside the backup folder.
        yes: The operator's confirmation that the live database may be replaced.

    Returns:
        The restored backup and the safety backup.
    """
{%- if with_files %}
    if is_remote(str(file)):
        # Downloaded into the backup folder, decrypted and checked against its manifest.
        file = download(settings, str(file))
{%- endif %}
    backup = _inside_backup_dir(settings, _locate(settings, file))
    manifest = read_manifest(backup)
    engine = _engine_for_backup(settings, manifest, backup)
    if not yes:
        msg = f"restore replaces the {engine.describe()}; run again with --yes to confirm"
        raise ConfirmationNeededError(msg)
    _check_checksum(backup, manifest)
{%- if with_files %}
    check_archive(backup, manifest)
{%- endif %}
    with (
        working_in(settings.backup_dir),
        engine.restored_copy(backup, settings.backup_dir) as (snapshot, scratch),
    ):
        _check_contents(backup, manifest, snapshot)
{%- if with_files %}
        check_rows(backup, manifest, snapshot)
{%- endif %}
        mark_verified(backup, manifest, datetime.now(UTC))
        engine.empty_tables_without_rows(scratch)
        safety = None
        if engine.exists():
            safety = create_backup(settings, reason=f"safety copy before restoring {backup.name}")
{%- if with_files %}
        # Files first, then the database, then the files no restored row names: killed at any
        # point, no row is left without its file (an extra file is only an orphan).
        # A backup without a files section (made without the file settings) restores only
        # the database and leaves the stored files as they are.
        storage = None
        if settings.files is not None and isinstance(manifest.get("files"), dict):
            storage = settings.files.storage()
        kept = put_files_back(storage, backup, manifest) if storage is not None else []
        engine.replace_live(scratch)
        if storage is not None:
            remove_other_files(storage, kept)
{%- else %}
        engine.replace_live(scratch)
{%- endif %}
    return RestoreResult(restored=backup, safety_backup=safety)


def prune_backups(settings: Settings, *, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups, always keeping the newest verified one.

    Args:
        settings: Where the backups are.
        keep: How many of the newest backups to keep; at least 1.

    Returns:
        The deleted backup files (their manifests and marks went with them).
    """
    if keep < 1:
        msg = f"--keep must be at least 1, not {keep}"
        raise BackupError(msg)
    backups = find_backups(settings.backup_dir)
    kept = {entry.path for entry in backups[:keep]}
    newest_verified = next((entry.path for entry in backups if entry.verified), None)
    if newest_verified is not None:
        kept.add(newest_verified)
    deleted = [entry.path for entry in backups if entry.path not in kept]
    for path in deleted:
        remove_backup(path)
    return deleted


def recover_interrupted(settings: Settings) -> list[str]:
    """Remove what killed runs of this tool left behind, and say what was removed.

    Partial files and scratch folders in the backup folder, scratch databases and replaced
    databases on a PostgreSQL server, a hot journal beside a SQLite file: none of it is
    touched while another command is still working with it. The command line runs this
    first thing in every command.

    Args:
        settings: Where the database is and where backups go.

    Returns:
        One line per thing done; empty when nothing was left.
    """
    done = [
        f"removed {path.name} from {path.parent}, left by an interrupted run"
        for path in remove_partial_files(settings.backup_dir)
    ]
    done.extend(engine_for(settings).recover())
    return done


def _locate(settings: Settings, file: str | Path) -> Path:
    # A bare name, as `list` prints it, means the file in the backup folder (BACKUP_DIR), even
    # when the current folder has a file of that name; any other path is taken as given.
    path = Path(file)
    in_folder = settings.backup_dir / path
    if path.parent == Path() and in_folder.is_file():
        return in_folder
    if not path.is_file():
        msg = f"{file}: no such backup file (`list` shows those in {settings.backup_dir})"
        raise BackupError(msg)
    return path


def _inside_backup_dir(settings: Settings, backup: Path) -> Path:
    # Resolving first means neither `..` nor a symlink can lead outside the folder.
    folder = settings.backup_dir.resolve()
    resolved = backup.resolve()
    if not resolved.is_relative_to(folder):
        msg = f"{backup} is outside the backup folder {folder}; only backups in it are restored"
        raise BackupError(msg)
    return resolved


def _engine_for_backup(settings: Settings, manifest: dict[str, Any], backup: Path) -> Engine:
    engine = engine_for(settings)
    if manifest["kind"] != engine.kind:
        msg = (
            f"{backup.name} is a {manifest['kind']} backup but DATABASE_URL points at "
            f"{engine.kind}; it can only be checked and restored with a {manifest['kind']} "
            "DATABASE_URL"
        )
        raise BackupError(msg)
    return engine


def _check_checksum(backup: Path, manifest: dict[str, Any]) -> None:
    if sha256_file(backup) != manifest["sha256"]:
        msg = (
            f"{backup.name}: SHA-256 does not match the manifest "
            "(the file is damaged or truncated, or the manifest was changed)"
        )
        raise BackupError(msg)


def _check_contents(backup: Path, manifest: dict[str, Any], snapshot: dict[str, Any]) -> None:
    problems = compare(manifest, snapshot)
    if problems:
        msg = f"{backup.name} does not match its manifest: {'; '.join(problems)}"
        raise BackupError(msg)
