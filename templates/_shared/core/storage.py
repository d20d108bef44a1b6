"""Where attachments live: a local folder or an S3-compatible bucket, behind one small interface.

The app and the backup tool (`ops/backup`) see only `FileStorage`: save a stream under a key,
read it back in chunks, delete it, list the keys. `LocalStorage` keeps each file in
`FILES_DIR`; `S3Storage` keeps it in a bucket through boto3, which streams uploads in parts and
downloads in chunks, so no file is ever held whole in memory (CONTRACT.md, section 13).

This module knows no framework; each project builds its storage with `storage_from_settings`.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Iterable, Iterator

# Chunks of 64 KiB: small enough to keep memory flat, large enough to keep system calls few.
CHUNK_BYTES = 64 * 1024
# A key is what `new_key` makes; anything else (a path, `..`) is refused before it is used.
KEY_PATTERN = re.compile(r"[0-9a-f]{32}")


class StorageError(Exception):
    """A file could not be stored, read or removed; the message names the key, never a secret."""


def new_key() -> str:
    """A fresh random name for a stored file: 32 hex characters (16 random bytes)."""
    return secrets.token_hex(16)


def check_key(key: str) -> str:
    """Return `key` if `new_key` could have made it.

    Raises:
        StorageError: It could not; a key never comes from a client, so this is a bug.
    """
    if not KEY_PATTERN.fullmatch(key):
        msg = f"not a storage key: {key!r}"
        raise StorageError(msg)
    return key


class FileStorage(Protocol):
    """What the app and the backup tool need from a storage."""

    description: str

    def save(self, key: str, stream: BinaryIO) -> None:
        """Store everything `stream` holds from its current position under `key`."""

    def open(self, key: str) -> Chunks:
        """The file stored under `key`, in chunks; `close()` releases it early."""

    def delete(self, key: str) -> None:
        """Remove the file under `key`; a missing one is no error."""

    def stored_keys(self) -> Iterator[str]:
        """Every key stored, in no particular order."""


class LocalStorage:
    """Files in a folder: `FILES_DIR/ab/abcdef...`, folders 0700 and files 0600."""

    def __init__(self, root: Path) -> None:
        """Keep files under `root`, created on the first save."""
        self.root = root
        self.description = f"the folder {root}"

    def _path(self, key: str) -> Path:
        # Two hex characters of fan-out keep any one folder to a few thousand entries.
        return self.root / check_key(key)[:2] / key

    def save(self, key: str, stream: BinaryIO) -> None:
        """Write under a temporary name, then rename: a reader never sees half a file."""
        path = self._path(key)
        # `mkdir(parents=True)` gives only the last folder the mode, so each level gets its own.
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        partial = path.with_name(f"{key}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as target:
                while chunk := stream.read(CHUNK_BYTES):
                    target.write(chunk)
                target.flush()
                os.fsync(target.fileno())
            partial.replace(path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def open(self, key: str) -> Chunks:
        """Read the file in chunks.

        Raises:
            StorageError: There is no such file.
        """
        path = self._path(key)
        try:
            source = path.open("rb")
        except FileNotFoundError:
            msg = f"no stored file {key} in {self.description}"
            raise StorageError(msg) from None
        return Chunks(source.read, source.close)

    def delete(self, key: str) -> None:
        """Remove the file (and nothing else)."""
        self._path(key).unlink(missing_ok=True)

    def stored_keys(self) -> Iterator[str]:
        """Every complete file's key (half-written `.partial` files are not keys)."""
        if not self.root.is_dir():
            return
        for path in self.root.glob("??/*"):
            if KEY_PATTERN.fullmatch(path.name) and path.is_file():
                yield path.name


class Chunks:
    """The chunks of an open file or object body, closed when read to the end or closed.

    A generator would close its source only once iteration had started; a server that drops
    a response before sending it (a client gone, a HEAD) calls `close` instead, which this
    honours at any time. WSGI and ASGI servers call `close` on what they were given.
    """

    def __init__(self, read: Callable[[int], bytes], close: Callable[[], object]) -> None:
        """Read with `read(size)`; release with `close()`."""
        self._read = read
        self._close = close
        self.closed = False

    def __iter__(self) -> Chunks:
        """The chunks themselves."""
        return self

    def __next__(self) -> bytes:
        """The next chunk of at most CHUNK_BYTES; the source is closed after the last."""
        chunk = b"" if self.closed else self._read(CHUNK_BYTES)
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self) -> None:
        """Release the file or connection (again is harmless)."""
        if not self.closed:
            self.closed = True
            self._close()


@dataclass(frozen=True, kw_only=True)
class S3Settings:
    """How to reach an S3-compatible service (the `S3_*` settings)."""

    endpoint_url: str = ""
    region: str = "us-east-1"
    access_key_id: str = ""
    secret_access_key: str = ""

    def __repr__(self) -> str:
        """Name the service without its secret, so a log line never carries it."""
        return f"S3Settings(endpoint_url={self.endpoint_url!r}, region={self.region!r})"

    def client(self) -> Any:
        """A boto3 S3 client for these settings (boto3 is imported only when S3 is used)."""
        import boto3  # noqa: PLC0415 - projects storing locally never load it
        from botocore.config import Config  # noqa: PLC0415

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url or None,
            region_name=self.region or None,
            aws_access_key_id=self.access_key_id or None,
            aws_secret_access_key=self.secret_access_key or None,
            # Path-style addressing works with every S3-compatible server, virtual hosts do not.
            config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard"}),
        )


class S3Storage:
    """Files as objects of a bucket, under an optional prefix."""

    def __init__(self, bucket: str, settings: S3Settings, prefix: str = "") -> None:
        """Use `bucket` (which must exist) through a client made from `settings`."""
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = settings.client()
        self.description = f"the bucket s3://{bucket}/{self.prefix}"

    def _name(self, key: str) -> str:
        return f"{self.prefix}{check_key(key)}"

    def save(self, key: str, stream: BinaryIO) -> None:
        """Upload in parts (boto3's managed transfer): memory stays flat whatever the size."""
        self.client.upload_fileobj(stream, self.bucket, self._name(key))

    def open(self, key: str) -> Chunks:
        """Stream the object's body in chunks.

        Raises:
            StorageError: There is no such object.
        """
        from botocore.exceptions import ClientError  # noqa: PLC0415

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                msg = f"no stored file {key} in {self.description}"
                raise StorageError(msg) from None
            raise
        body = answer["Body"]
        return Chunks(body.read, body.close)

    def delete(self, key: str) -> None:
        """Remove the object (S3 answers success for a missing one too)."""
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def stored_keys(self) -> Iterator[str]:
        """Every key in the bucket under the prefix, page by page."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = str(item["Key"])[len(self.prefix) :]
                if KEY_PATTERN.fullmatch(name):
                    yield name


def remove_files(storage: FileStorage, keys: Iterable[str], log: logging.Logger) -> None:
    """Remove the files of rows already gone (or never committed); a failure is logged only.

    The request has done what it was asked (the rows are gone), so a storage that cannot be
    reached must not turn it into an error: the file is left behind with an error line in
    `log`, and the next restore removes every file that no row names.

    Args:
        storage: Where the files are.
        keys: Their storage keys.
        log: The caller's logger, so the line names the module that removed the rows.
    """
    for key in keys:
        try:
            storage.delete(key)
        except Exception:  # any failure of the storage: OSError, boto3's errors
            log.exception("attachment_file_not_removed", extra={"storage_key": key})


def storage_from_settings(files_dir: str | Path, bucket: str, s3: S3Settings) -> FileStorage:
    """The storage the settings name: the bucket when `S3_BUCKET` is set, else `FILES_DIR`.

    Args:
        files_dir: `FILES_DIR`.
        bucket: `S3_BUCKET`; empty stores locally.
        s3: The `S3_*` connection settings.

    Returns:
        The storage (nothing is created until the first file is saved).
    """
    if bucket.strip():
        return S3Storage(bucket.strip(), s3)
    return LocalStorage(Path(files_dir))
