"""Off-site copies of the backups in an S3-compatible bucket, encrypted when a key is set.

`BACKUP_REMOTE_URL=s3://bucket/prefix` names where copies go, reached with the `S3_*`
settings. `upload_newest` sends the newest verified backup (database file, files tar,
manifest; the manifest last, so a copy without one is an unfinished upload); `list_remote`
reads what the bucket holds; `download` brings one copy back into `BACKUP_DIR`, where
`restore` verifies it like any other backup.

With `BACKUP_ENCRYPTION_KEY` every file is encrypted before it leaves the machine, with
`cryptography`'s Fernet (AES-128-CBC with HMAC-SHA256): one token per MiB, one token per line,
so memory stays flat whatever the size. Each token is authenticated, and the manifest (itself
a token) gives the SHA-256 of every decrypted file, so a copy changed, cut or reordered in the
bucket is refused. https://cryptography.io/en/latest/fernet/
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .files import (
    BACKUP_NAME,
    PRIVATE,
    archive_path,
    complete_backup_file,
    find_backups,
    manifest_path,
    read_manifest,
    sha256_file,
    unfinished_path,
)
from .settings import BackupError

if TYPE_CHECKING:
    from .settings import FileSettings, Settings

REMOTE_URL = re.compile(
    r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(?P<prefix>.*))?$"
)
ENCRYPTED = ".fernet"
CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class RemoteCopy:
    """One backup in the bucket: its name, total size in bytes, and whether it is encrypted."""

    name: str
    size: int
    encrypted: bool


class _Remote:
    """The bucket and prefix of `BACKUP_REMOTE_URL`, with a client and the key, if any."""

    def __init__(self, files: FileSettings, url: str | None = None) -> None:
        url = (url if url is not None else files.remote_url).strip()
        if not url:
            msg = "BACKUP_REMOTE_URL is empty: set it to s3://bucket/prefix for off-site copies"
            raise BackupError(msg)
        match = REMOTE_URL.match(url)
        if match is None:
            msg = (
                f"{url} is not an s3://bucket/prefix URL "
                "(a bucket is 3-63 lower-case letters, digits, dots and dashes)"
            )
            raise BackupError(msg)
        self.bucket = match["bucket"]
        prefix = (match["prefix"] or "").strip("/")
        self.prefix = f"{prefix}/" if prefix else ""
        self.url = f"s3://{self.bucket}/{self.prefix}"
        self.client = files.s3().client()
        self.fernet = _fernet(files.encryption_key)

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}{ENCRYPTED if self.fernet else ''}"


def _fernet(key: str) -> Any:
    if not key:
        return None
    from cryptography.fernet import Fernet  # noqa: PLC0415 - only with a key

    try:
        return Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        msg = "BACKUP_ENCRYPTION_KEY is not a Fernet key (`make backup-key` prints a new one)"
        raise BackupError(msg) from None


def new_key() -> str:
    """A fresh key for `BACKUP_ENCRYPTION_KEY`: 32 random bytes, URL-safe base64."""
    from cryptography.fernet import Fernet  # noqa: PLC0415

    return Fernet.generate_key().decode("ascii")


def _files_settings(settings: Settings) -> FileSettings:
    if settings.files is None:
        msg = "off-site copies need the file settings (FILES_DIR, S3_*, BACKUP_REMOTE_URL)"
        raise BackupError(msg)
    return settings.files


def upload_newest(settings: Settings) -> list[str]:
    """Upload the newest verified backup to `BACKUP_REMOTE_URL`.

    Returns:
        One line per file uploaded.

    Raises:
        BackupError: No verified backup, or the bucket cannot be reached.
    """
    remote = _Remote(_files_settings(settings))
    newest = next((entry for entry in find_backups(settings.backup_dir) if entry.verified), None)
    if newest is None or newest.manifest is None:
        msg = "no verified backup to copy: run `make backup`, then `make verify-backup FILE=...`"
        raise BackupError(msg)
    backup = newest.path
    files = [backup]
    if isinstance(newest.manifest.get("files"), dict):
        files.append(archive_path(backup))
    # The manifest goes last: a copy whose manifest is there is a complete copy.
    files.append(manifest_path(backup))
    lines = []
    for path in files:
        _put(remote, path)
        lines.append(
            f"uploaded {path.name} to {remote.url}{' (encrypted)' if remote.fernet else ''}"
        )
    return lines


def _put(remote: _Remote, path: Path) -> None:
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    try:
        if remote.fernet is None:
            remote.client.upload_file(str(path), remote.bucket, remote.key(path.name))
            return
        with tempfile.TemporaryDirectory(dir=path.parent, suffix=".partial") as folder:
            sealed = Path(folder) / "sealed"
            _encrypt(remote.fernet, path, sealed)
            remote.client.upload_file(str(sealed), remote.bucket, remote.key(path.name))
    except (BotoCoreError, ClientError) as error:
        msg = f"uploading {path.name} to {remote.url} failed: {error}"
        raise BackupError(msg) from None


def _encrypt(fernet: Any, source: Path, target: Path) -> None:
    with source.open("rb") as plain, target.open("wb") as sealed:
        while chunk := plain.read(CHUNK_BYTES):
            sealed.write(fernet.encrypt(chunk) + b"\n")


def _decrypt(fernet: Any, source: Path, target: Path, name: str) -> None:
    from cryptography.fernet import InvalidToken  # noqa: PLC0415

    with source.open("rb") as sealed, target.open("wb") as plain:
        for line in sealed:
            try:
                plain.write(fernet.decrypt(line.strip()))
            except InvalidToken:
                msg = (
                    f"{name} in the bucket does not decrypt with BACKUP_ENCRYPTION_KEY: it was "
                    "changed after the upload, or was encrypted with another key; refused"
                )
                raise BackupError(msg) from None


def list_remote(settings: Settings) -> list[RemoteCopy]:
    """The complete copies in the bucket (those whose manifest arrived), newest first."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    remote = _Remote(_files_settings(settings))
    sizes: dict[str, int] = {}
    try:
        pages = remote.client.get_paginator("list_objects_v2").paginate(
            Bucket=remote.bucket, Prefix=remote.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                sizes[str(item["Key"])[len(remote.prefix) :]] = int(item["Size"])
    except (BotoCoreError, ClientError) as error:
        msg = f"listing {remote.url} failed: {error}"
        raise BackupError(msg) from None
    copies = []
    for name in sizes:
        encrypted = name.endswith(ENCRYPTED)
        bare = name.removesuffix(ENCRYPTED)
        if not bare.endswith(".json") or not BACKUP_NAME.match(bare.removesuffix(".json")):
            continue
        backup = bare.removesuffix(".json")
        tail = ENCRYPTED if encrypted else ""
        parts = (backup, archive_path(Path(backup)).name, bare)
        copies.append(
            RemoteCopy(backup, sum(sizes.get(part + tail, 0) for part in parts), encrypted)
        )
    return sorted(copies, key=lambda copy: _order(copy.name), reverse=True)


def _order(name: str) -> tuple[str, int]:
    match = BACKUP_NAME.match(name)
    return (match["stamp"], int(match["n"] or 0)) if match else ("", 0)


def is_remote(file: str) -> bool:
    """Whether a FILE argument names an off-site copy (`s3://...`)."""
    return file.startswith("s3://")


def download(settings: Settings, url: str) -> Path:
    """Bring the copy `s3://bucket/prefix/NAME` into `BACKUP_DIR`, decrypted and checked.

    Every file is checked against the manifest's SHA-256 before it takes its final name, so a
    copy that was changed in the bucket never becomes a local backup.

    Returns:
        The local backup file, ready for `verify` and `restore`.

    Raises:
        BackupError: The URL names no backup, the copy is incomplete or changed, or a local
            backup already has that name.
    """
    folder_url, _, name = url.rstrip("/").rpartition("/")
    if not BACKUP_NAME.match(name):
        msg = f"{url} does not end in a backup's name (backup-YYYYMMDDTHHMMSSZ.sqlite3 or .dump)"
        raise BackupError(msg)
    remote = _Remote(_files_settings(settings), folder_url)
    backup = settings.backup_dir / name
    if backup.exists() or manifest_path(backup).exists():
        msg = f"{name} is already in {settings.backup_dir}: verify or restore that one"
        raise BackupError(msg)
    settings.backup_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    manifest_file = manifest_path(backup)
    _fetch(remote, manifest_file.name, unfinished_path(manifest_file))
    unfinished_path(manifest_file).replace(manifest_file)
    try:
        manifest = read_manifest(backup)
        wanted = [(backup, manifest["sha256"])]
        if isinstance(manifest.get("files"), dict):
            wanted.append((archive_path(backup), manifest["files"].get("sha256")))
        for path, digest in wanted:
            partial = unfinished_path(path)
            _fetch(remote, path.name, partial)
            if sha256_file(partial) != digest:
                partial.unlink()
                msg = f"{path.name} in {remote.url} does not match its manifest (changed); refused"
                raise BackupError(msg)
            complete_backup_file(path)
    except BaseException:
        for path in (archive_path(backup), backup, manifest_file):
            unfinished_path(path).unlink(missing_ok=True)
            path.unlink(missing_ok=True)
        raise
    return backup


def _fetch(remote: _Remote, name: str, target: Path) -> None:
    """Download `name` into `target` (created 0600), decrypting it when the copy is encrypted."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    # A private folder beside the target: boto3 writes its own temporary file there.
    with tempfile.TemporaryDirectory(dir=target.parent, suffix=".partial") as folder:
        fetched = Path(folder) / "fetched"
        try:
            remote.client.download_file(remote.bucket, remote.key(name), str(fetched))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in {"404", "NoSuchKey"}:
                msg = f"{remote.key(name)} is not in s3://{remote.bucket} (see `list --remote`)"
                raise BackupError(msg) from None
            msg = f"downloading {name} from {remote.url} failed: {error}"
            raise BackupError(msg) from None
        except BotoCoreError as error:
            msg = f"downloading {name} from {remote.url} failed: {error}"
            raise BackupError(msg) from None
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE))
        if remote.fernet is None:
            with fetched.open("rb") as source, target.open("wb") as copy:
                while chunk := source.read(CHUNK_BYTES):
                    copy.write(chunk)
        else:
            _decrypt(remote.fernet, fetched, target, name)
