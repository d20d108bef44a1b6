"""The stored files of a backup: one tar file beside the database file, listed in the manifest.

A backup of a project with attachments (CONTRACT.md, section 13) is three files: the database
(`backup-....sqlite3` or `.dump`), its manifest (`.json`) and `backup-....files.tar`, which
holds every stored file that an attachment row of the backed-up database names, each under its
storage key. The manifest's `files` section gives the tar's SHA-256 and, for each file, its
size and SHA-256, so `verify` can prove every file without trusting the tar.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from typing import TYPE_CHECKING, Any

{% from '_shared/core_module.jinja' import core with context -%}
from .files import archive_path, sha256_file, unfinished_path
from .settings import BackupError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from {{ core('storage') }} import FileStorage

CHUNK_BYTES = 1024 * 1024


class FileVanishedError(BackupError):
    """A file named by the database snapshot was deleted before it could be copied."""


class _ChunkReader(io.RawIOBase):
    """A file-like view of a storage's chunks that hashes what it hands out."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.pending = b""
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                return 0
        count = min(len(buffer), len(self.pending))
        buffer[:count] = self.pending[:count]
        self.digest.update(self.pending[:count])
        self.size += count
        self.pending = self.pending[count:]
        return count


def write_archive(storage: FileStorage, rows: list[list[Any]], backup: Path) -> dict[str, Any]:
    """Copy the stored files that `rows` name into the backup's tar, checking each one.

    Args:
        storage: The project's storage of attachments.
        rows: `[storage_key, size, sha256]` per attachment, from the backup's own snapshot.
        backup: The backup file (its final name); the tar is written under a partial name and
            renamed by `complete_archive`.

    Returns:
        The manifest's `files` section.

    Raises:
        FileVanishedError: A file is missing or differs from its row (deleted or replaced
            after the snapshot); the caller starts the backup again.
    """
    # Imported here, as settings.py explains: it loads the app's package.
    from {{ core('storage') }} import StorageError  # noqa: PLC0415

    partial = unfinished_path(archive_path(backup))
    with partial.open("xb") as stream, tarfile.open(fileobj=stream, mode="w") as tar:
        partial.chmod(0o600)
        for key, size, digest in rows:
            try:
                reader = _ChunkReader(storage.open(key))
            except StorageError:
                msg = f"stored file {key} was deleted while the backup ran"
                raise FileVanishedError(msg) from None
            info = tarfile.TarInfo(name=key)
            info.size = size
            info.mode = 0o600
            try:
                tar.addfile(info, io.BufferedReader(reader, CHUNK_BYTES))
            except OSError:
                msg = f"stored file {key} is shorter than its row says ({size} bytes)"
                raise FileVanishedError(msg) from None
            if reader.digest.hexdigest() != digest or next(reader.chunks, None) is not None:
                msg = f"stored file {key} does not match its row (size or SHA-256)"
                raise FileVanishedError(msg)
    return {
        "archive": archive_path(backup).name,
        "sha256": sha256_file(partial),
        "size": partial.stat().st_size,
        "entries": rows,
    }


def complete_archive(backup: Path) -> None:
    """Give the written tar its final name."""
    unfinished_path(archive_path(backup)).replace(archive_path(backup))


def discard_archive(backup: Path) -> None:
    """Remove the tar of a backup that failed, finished or not."""
    unfinished_path(archive_path(backup)).unlink(missing_ok=True)


def check_archive(backup: Path, manifest: dict[str, Any]) -> None:
    """Prove the tar holds exactly the manifest's files, each with its size and SHA-256.

    Raises:
        BackupError: The tar is missing, damaged, or differs from the manifest.
    """
    section = manifest.get("files")
    if not isinstance(section, dict):
        return
    # Found by the backup's name, like the manifest: the name recorded inside is for people.
    path = archive_path(backup)
    if not path.is_file():
        msg = f"{backup.name}: its files ({archive_path(backup).name}) are missing"
        raise BackupError(msg)
    if sha256_file(path) != section.get("sha256"):
        msg = f"{path.name}: SHA-256 does not match the manifest (damaged or changed)"
        raise BackupError(msg)
    wanted = {str(key): (size, digest) for key, size, digest in section.get("entries", [])}
    found: dict[str, tuple[int, str]] = {}
    with tarfile.open(path, mode="r:") as tar:
        for member in tar:
            source = tar.extractfile(member)
            if source is None or member.name in found:
                msg = f"{path.name}: {member.name} is not one regular file"
                raise BackupError(msg)
            found[member.name] = (member.size, _sha256_stream(source))
    if found != wanted:
        differ = sorted(set(found.items()) ^ set(wanted.items()))
        msg = f"{path.name} does not hold the manifest's files: {len(differ)} differ"
        raise BackupError(msg)


def _sha256_stream(source: Any) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK_BYTES):
        digest.update(chunk)
    return digest.hexdigest()


def check_rows(backup: Path, manifest: dict[str, Any], snapshot: dict[str, Any]) -> None:
    """Prove the restored database names exactly the files the manifest lists.

    Raises:
        BackupError: A row has no file in the backup, or a file has no row.
    """
    section = manifest.get("files")
    if not isinstance(section, dict):
        # Made without the file settings (or before attachments existed): database only.
        return
    entries = section.get("entries", [])
    if sorted(map(tuple, entries)) != sorted(map(tuple, snapshot.get("files", []))):
        msg = f"{backup.name}: the attachment rows and the backed-up files disagree"
        raise BackupError(msg)


def put_files_back(storage: FileStorage, backup: Path, manifest: dict[str, Any]) -> list[str]:
    """Store every file of the backup (replacing what has its key).

    Returns:
        The keys the backup holds.
    """
    section = manifest.get("files")
    if not isinstance(section, dict):
        return []
    keys = []
    with tarfile.open(archive_path(backup), mode="r:") as tar:
        for member in tar:
            source = tar.extractfile(member)
            if source is None:
                continue
            storage.save(member.name, source)  # type: ignore[arg-type]
            keys.append(member.name)
    return keys


def remove_other_files(storage: FileStorage, keep: list[str]) -> int:
    """Remove every stored file the restored database does not name; how many went."""
    wanted = set(keep)
    extra = [key for key in storage.stored_keys() if key not in wanted]
    for key in extra:
        storage.delete(key)
    return len(extra)
