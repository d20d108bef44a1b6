"""Backups hold the stored files with the database, and copies go off-site (CONTRACT.md, 13).

A tiny database with an `attachments` table and a storage (a local folder, then a bucket of
moto's S3 server on loopback) holding the files its rows name. The tool must copy exactly those
files, prove each one, put database and files back together, and bring a copy back from a
bucket, refusing one that was changed there.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ops.backup import BackupError, Settings, create_backup, restore_backup, verify_backup
from ops.backup.archive import FileVanishedError
from ops.backup.files import archive_path
from ops.backup.offsite import list_remote, new_key, upload_newest
from ops.backup.scheduled import run_scheduled
from ops.backup.settings import FileSettings

from .helpers import read_manifest, rewrite_manifest

if TYPE_CHECKING:
    from collections.abc import Callable

ATTACHMENTS = (
    "CREATE TABLE attachments (id INTEGER PRIMARY KEY, storage_key VARCHAR(32) NOT NULL UNIQUE,"
    " size BIGINT NOT NULL, sha256 VARCHAR(64) NOT NULL)"
)


def file_settings(storage_settings: dict[str, str], tmp_path: Path, **extra: str) -> FileSettings:
    """The tool's file settings for a storage of `file_storage` (its environment names)."""
    return FileSettings(
        files_dir=Path(storage_settings.get("FILES_DIR", str(tmp_path / "files"))),
        bucket=storage_settings.get("S3_BUCKET", ""),
        endpoint_url=storage_settings.get("S3_ENDPOINT_URL", ""),
        region=storage_settings.get("S3_REGION", "us-east-1"),
        access_key_id=storage_settings.get("S3_ACCESS_KEY_ID", ""),
        secret_access_key=storage_settings.get("S3_SECRET_ACCESS_KEY", ""),
        remote_url=extra.get("remote_url", ""),
        encryption_key=extra.get("encryption_key", ""),
    )


@pytest.fixture
def with_attachments(tiny_database_url, execute_sql, file_storage, tmp_path, backup_dir):
    """Settings for the tiny database with attachments, and a way to add one."""
    execute_sql(tiny_database_url, ATTACHMENTS)
    files = file_settings(file_storage.settings, tmp_path)
    settings = Settings(database_url=tiny_database_url, backup_dir=backup_dir, files=files)
    storage = files.storage()
    ids = iter(range(1, 1000))

    def add(content: bytes, *, row: bool = True, stored: bool = True) -> str:
        key = secrets.token_hex(16)
        if stored:
            storage.save(key, io.BytesIO(content))
        if row:
            digest = hashlib.sha256(content).hexdigest()
            execute_sql(
                tiny_database_url,
                "INSERT INTO attachments VALUES "  # noqa: S608 - the test's own values
                f"({next(ids)}, '{key}', {len(content)}, '{digest}')",
            )
        return key

    return settings, storage, add


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    source = tar.extractfile(member)
    assert source is not None, member.name
    return source.read()


def stored(storage) -> dict[str, bytes]:
    """Every stored file by key."""
    return {key: b"".join(storage.open(key)) for key in storage.stored_keys()}


def test_a_backup_holds_exactly_the_files_its_rows_name(with_attachments):
    settings, _, add = with_attachments
    named = {add(b"first file"), add(b"\x00" * 200_000), add(b"")}
    orphan = add(b"no row names me", row=False)

    backup = create_backup(settings)

    manifest = read_manifest(backup)
    entries = {key: (size, digest) for key, size, digest in manifest["files"]["entries"]}
    with tarfile.open(archive_path(backup)) as tar:
        members = {member.name: _read(tar, member) for member in tar}
    assert set(entries) == set(members) == named
    assert orphan not in members
    for key, content in members.items():
        assert entries[key] == (len(content), hashlib.sha256(content).hexdigest())
    assert oct(archive_path(backup).stat().st_mode & 0o777) == oct(0o600)
    verify_backup(settings, backup)


def test_verify_refuses_a_changed_or_missing_file(with_attachments):
    settings, _, add = with_attachments
    add(b"the original content")
    changed = create_backup(settings)
    with tarfile.open(archive_path(changed)) as tar:
        (member,) = tar.getmembers()
    other = create_backup(settings)
    rewrite_manifest(other, lambda m: m["files"]["entries"][0].__setitem__(2, "0" * 64))
    missing = create_backup(settings)
    archive_path(missing).unlink()
    data = bytearray(archive_path(changed).read_bytes())
    data[member.offset_data] ^= 0xFF
    archive_path(changed).write_bytes(bytes(data))

    with pytest.raises(BackupError, match="SHA-256 does not match"):
        verify_backup(settings, changed)
    with pytest.raises(BackupError, match="does not hold the manifest's files"):
        verify_backup(settings, other)
    with pytest.raises(BackupError, match="are missing"):
        verify_backup(settings, missing)


def test_restore_brings_rows_and_files_back_together(with_attachments, execute_sql):
    settings, storage, add = with_attachments
    kept = add(b"kept all along")
    deleted_later = add(b"deleted after the backup")
    backup = create_backup(settings)
    before = stored(storage)
    storage.delete(deleted_later)
    execute_sql(
        settings.database_url,
        f"DELETE FROM attachments WHERE storage_key = '{deleted_later}'",  # noqa: S608
    )
    added_later = add(b"added after the backup")

    result = restore_backup(settings, backup, yes=True)

    assert stored(storage) == before
    assert {kept, deleted_later} == set(before)
    assert added_later not in stored(storage)
    # The safety backup holds the replaced state, files included.
    assert result.safety_backup is not None
    safety_entries = read_manifest(result.safety_backup)["files"]["entries"]
    assert {entry[0] for entry in safety_entries} == {kept, added_later}


def test_a_row_whose_file_is_gone_stops_the_backup_after_three_tries(with_attachments):
    settings, _, add = with_attachments
    add(b"never stored", stored=False)

    with pytest.raises(FileVanishedError, match="was deleted while the backup ran"):
        create_backup(settings)

    assert list(settings.backup_dir.glob("backup-*")) == []


def storage_and_remote(settings: Settings, server, bucket: str) -> dict[str, str]:
    """The same storage as `settings`, with the S3 connection of the server holding `bucket`."""
    assert settings.files is not None
    return {
        **server.settings(bucket),
        "S3_BUCKET": settings.files.bucket,
        "FILES_DIR": str(settings.files.files_dir),
    }


@pytest.fixture
def remote(s3_server):
    """A bucket for off-site copies, apart from the storage's."""
    bucket = s3_server.new_bucket()
    return s3_server, bucket


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_an_offsite_copy_restores_database_and_files_into_an_empty_project(
    with_attachments, remote, tmp_path, encrypted, execute_sql
):
    settings, storage, add = with_attachments
    server, bucket = remote
    add(b"a file worth keeping")
    add(b"\x89PNG and another")
    key = new_key() if encrypted else ""
    files = file_settings(
        storage_and_remote(settings, server, bucket),
        tmp_path,
        remote_url=f"s3://{bucket}/nightly",
        encryption_key=key,
    )
    settings = Settings(
        database_url=settings.database_url, backup_dir=settings.backup_dir, files=files
    )
    backup = create_backup(settings)
    verify_backup(settings, backup)
    upload_newest(settings)
    before = stored(storage)
    # The machine is lost: no local backups, no files, the rows gone.
    empty = Settings(
        database_url=settings.database_url, backup_dir=tmp_path / "new-backups", files=files
    )
    for stored_key in list(storage.stored_keys()):
        storage.delete(stored_key)
    execute_sql(settings.database_url, "DELETE FROM attachments")

    (copy,) = list_remote(empty)
    restore_backup(empty, f"s3://{bucket}/nightly/{copy.name}", yes=True)

    assert copy.name == backup.name
    assert copy.encrypted is encrypted
    assert stored(storage) == before
    assert sorted(server.keys(bucket))[0].startswith("nightly/")


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_a_copy_changed_in_the_bucket_is_refused(with_attachments, remote, tmp_path, encrypted):
    settings, _, add = with_attachments
    server, bucket = remote
    add(b"content to protect")
    files = file_settings(
        storage_and_remote(settings, server, bucket),
        tmp_path,
        remote_url=f"s3://{bucket}",
        encryption_key=new_key() if encrypted else "",
    )
    settings = Settings(
        database_url=settings.database_url, backup_dir=settings.backup_dir, files=files
    )
    backup = create_backup(settings)
    verify_backup(settings, backup)
    upload_newest(settings)
    client = server.client()
    name = backup.name + (".fernet" if encrypted else "")
    body = bytearray(client.get_object(Bucket=bucket, Key=name)["Body"].read())
    body[len(body) // 2] ^= 0x01
    client.put_object(Bucket=bucket, Key=name, Body=bytes(body))
    elsewhere = Settings(
        database_url=settings.database_url, backup_dir=tmp_path / "elsewhere", files=files
    )

    with pytest.raises(BackupError, match="refused"):
        restore_backup(elsewhere, f"s3://{bucket}/{backup.name}", yes=True)

    assert not any((tmp_path / "elsewhere").glob("backup-*"))


def test_offsite_needs_a_verified_backup_and_a_usable_url_and_key(with_attachments, tmp_path):
    settings = with_attachments[0]

    def attempt(**extra: str) -> Callable[[], object]:
        files = file_settings({"FILES_DIR": str(tmp_path / "files")}, tmp_path, **extra)
        changed = Settings(
            database_url=settings.database_url, backup_dir=settings.backup_dir, files=files
        )
        return lambda: upload_newest(changed)

    with pytest.raises(BackupError, match="BACKUP_REMOTE_URL is empty"):
        attempt()()
    with pytest.raises(BackupError, match="is not an s3://bucket/prefix URL"):
        attempt(remote_url="https://example.com/backups")()
    with pytest.raises(BackupError, match="not a Fernet key"):
        attempt(remote_url="s3://backups", encryption_key="not-a-key")()
    with pytest.raises(BackupError, match="no verified backup"):
        attempt(remote_url="s3://backups")()


def test_a_scheduled_run_also_copies_its_backup_off_site(with_attachments, remote, tmp_path):
    settings, _, add = with_attachments
    server, bucket = remote
    add(b"made before the nightly run")
    files = file_settings(
        storage_and_remote(settings, server, bucket), tmp_path, remote_url=f"s3://{bucket}/daily"
    )
    settings = Settings(
        database_url=settings.database_url, backup_dir=settings.backup_dir, files=files
    )

    record = run_scheduled(settings, keep=3)

    (copy,) = list_remote(settings)
    assert record["outcome"] == "ok"
    assert record["offsite"] == f"s3://{bucket}/daily"
    assert copy.name == record["backup"]
