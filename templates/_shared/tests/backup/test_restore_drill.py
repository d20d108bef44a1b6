"""The restore drill: back up the real application's database, prove the backup, restore it.

Data goes in through the HTTP API, as users would put it there; the tool then works on that
application's database (`database_url`: SQLite by default, a fresh PostgreSQL database when
TEST_DATABASE_URL is set). The table names differ between frameworks, so the checks compare
the tool's snapshots (row counts, content checksums, migration head) rather than naming tables.
"""

from __future__ import annotations

import hashlib
import json
import stat
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import pytest

from ops.backup import (
    BackupError,
    Settings,
    create_backup,
    list_backups,
    prune_backups,
    restore_backup,
    snapshot_live,
    verify_backup,
)

from .helpers import manifest_path, read_manifest

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable
    from pathlib import Path

    import httpx

    RunCli = Callable[..., subprocess.CompletedProcess[str]]

API = "/api/v1"
PASSWORD = "drill-passphrase-4711"


def _sign_up(client: httpx.Client, email: str) -> dict[str, str]:
    registered = client.post(
        f"{API}/auth/register",
        json={"email": email, "password": PASSWORD, "full_name": email.partition("@")[0]},
    )
    assert registered.status_code == HTTPStatus.CREATED, registered.text
    login = client.post(f"{API}/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == HTTPStatus.OK, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def _add_task(client: httpx.Client, headers: dict[str, str], title: str) -> None:
    created = client.post(f"{API}/tasks", json={"title": title}, headers=headers)
    assert created.status_code == HTTPStatus.CREATED, created.text


@pytest.fixture
def seeded(app_client: httpx.Client) -> dict[str, str]:
    """Two users with three and two tasks; returns the first user's auth headers."""
    alice = _sign_up(app_client, "alice@example.com")
    bob = _sign_up(app_client, "bob@example.com")
    for title in ("water the plants", "file the taxes", "=SUM(A1:A9) looks like a formula"):
        _add_task(app_client, alice, title)
    for title in ("buy bread", "call the plumber"):
        _add_task(app_client, bob, title)
    return alice


@pytest.fixture
def drill_settings(database_url: str, backup_dir: Path) -> Settings:
    """The tool pointed at the application's own test database."""
    return Settings(database_url=database_url, backup_dir=backup_dir)


def _sorted_row_counts(snapshot: dict[str, Any]) -> list[int]:
    return sorted(table["rows"] for table in snapshot["tables"].values())


@pytest.mark.asvs("8.1.5")
def test_drill_backup_verify_and_restore_the_application_data(
    app_client: httpx.Client,
    seeded: dict[str, str],
    drill_settings: Settings,
    run_backup_cli: RunCli,
) -> None:
    made = run_backup_cli(drill_settings.database_url, "backup")
    assert made.returncode == 0, made.stderr
    (backup,) = (entry.path for entry in list_backups(drill_settings))
    manifest = read_manifest(backup)
    # Five tasks and two users were created, and the schema came from migrations.
    assert {5, 2} <= set(_sorted_row_counts(manifest))
    assert manifest["migration_head"]

    verify_backup(drill_settings, backup)
    _add_task(app_client, seeded, "written after the backup")
    after_backup = snapshot_live(drill_settings)
    assert after_backup["tables"] != manifest["tables"]

    result = restore_backup(drill_settings, backup, yes=True)

    restored = snapshot_live(drill_settings)
    assert restored["tables"] == manifest["tables"]
    assert restored["migration_head"] == manifest["migration_head"]
    assert result.safety_backup is not None
    assert read_manifest(result.safety_backup)["tables"] == after_backup["tables"]
    verify_backup(drill_settings, result.safety_backup)


@pytest.mark.asvs("8.1.6")
def test_drill_damaged_backups_fail_verification(
    seeded: dict[str, str], drill_settings: Settings
) -> None:
    truncated = create_backup(drill_settings)
    truncated.write_bytes(truncated.read_bytes()[:-100])
    tampered = create_backup(drill_settings)
    manifest = read_manifest(tampered)
    first_table = next(iter(manifest["tables"].values()))
    first_table["rows"] += 1
    manifest_path(tampered).write_text(json.dumps(manifest), encoding="utf-8")

    with pytest.raises(BackupError, match="SHA-256 does not match"):
        verify_backup(drill_settings, truncated)
    with pytest.raises(BackupError, match="does not match its manifest"):
        verify_backup(drill_settings, tampered)
    assert not any(entry.verified for entry in list_backups(drill_settings))


def test_drill_restore_refuses_outside_paths_and_unconfirmed_runs(
    seeded: dict[str, str], drill_settings: Settings, tmp_path: Path, run_backup_cli: RunCli
) -> None:
    backup = create_backup(drill_settings)
    stray = tmp_path / backup.name
    stray.write_bytes(backup.read_bytes())
    manifest_path(stray).write_text(
        json.dumps(
            {**read_manifest(backup), "sha256": hashlib.sha256(stray.read_bytes()).hexdigest()}
        ),
        encoding="utf-8",
    )
    before = snapshot_live(drill_settings)

    outside = run_backup_cli(drill_settings.database_url, "restore", str(stray), "--yes")
    unconfirmed = run_backup_cli(drill_settings.database_url, "restore", backup.name)

    assert outside.returncode == 1
    assert "outside the backup folder" in outside.stderr
    assert unconfirmed.returncode == 1
    assert "--yes" in unconfirmed.stderr
    assert "Traceback" not in outside.stderr + unconfirmed.stderr
    assert snapshot_live(drill_settings) == before
    assert len(list_backups(drill_settings)) == 1


@pytest.mark.asvs("8.1.6")
def test_drill_backup_files_are_private(seeded: dict[str, str], drill_settings: Settings) -> None:
    backup = create_backup(drill_settings)
    verify_backup(drill_settings, backup)

    for path in sorted(drill_settings.backup_dir.iterdir()):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_drill_prune_keeps_the_newest_and_the_newest_verified(
    seeded: dict[str, str], drill_settings: Settings
) -> None:
    verified = create_backup(drill_settings)
    verify_backup(drill_settings, verified)
    newer = [create_backup(drill_settings) for _ in range(3)]

    prune_backups(drill_settings, keep=1)

    assert [entry.path for entry in list_backups(drill_settings)] == [newer[-1], verified]
{%- if with_files %}


@pytest.mark.asvs("8.1.5")
def test_drill_an_offsite_copy_brings_back_the_data_and_the_files(
    app_client: httpx.Client,
    seeded: dict[str, str],
    files_client: Callable[..., httpx.Client],
    file_storage: Any,
    s3_server: Any,
    drill_settings: Settings,
    tmp_path: Path,
) -> None:
    """The whole path of CONTRACT.md section 13: files through the API, off-site, back again."""
    from ops.backup.offsite import new_key, upload_newest  # noqa: PLC0415
    from ops.backup.settings import FileSettings  # noqa: PLC0415

    app = files_client()
    task = app_client.get(f"{API}/tasks", headers=seeded).json()["items"][0]
    uploads = f"{API}/tasks/{task['id']}/attachments"
    contents = {
        "plan.pdf": b"%PDF-1.4\n% drill\n%%EOF\n",
        "photo.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048,
    }
    for name, content in contents.items():
        made = app.post(uploads, files={"file": (name, content)}, headers=seeded)
        assert made.status_code == HTTPStatus.CREATED, made.text
    remote_bucket = s3_server.new_bucket()
    connection = s3_server.settings(remote_bucket)
    files = FileSettings(
        files_dir=file_storage.folder or tmp_path / "unused",
        bucket=file_storage.bucket,
        endpoint_url=connection["S3_ENDPOINT_URL"],
        region=connection["S3_REGION"],
        access_key_id=connection["S3_ACCESS_KEY_ID"],
        secret_access_key=connection["S3_SECRET_ACCESS_KEY"],
        remote_url=f"s3://{remote_bucket}/drill",
        encryption_key=new_key(),
    )
    settings = Settings(
        database_url=drill_settings.database_url, backup_dir=drill_settings.backup_dir, files=files
    )
    backup = create_backup(settings)
    verify_backup(settings, backup)
    upload_newest(settings)
    # Everything is lost here: the task and its files are deleted, and no local backup is left.
    assert app.delete(f"{API}/tasks/{task['id']}", headers=seeded).status_code == 204
    assert file_storage.keys() == []
    elsewhere = Settings(
        database_url=settings.database_url, backup_dir=tmp_path / "new-machine", files=files
    )

    restore_backup(elsewhere, f"s3://{remote_bucket}/drill/{backup.name}", yes=True)

    listed = app.get(uploads, headers=seeded)
    assert listed.status_code == HTTPStatus.OK, listed.text
    restored = {item["filename"]: item["id"] for item in listed.json()["items"]}
    assert set(restored) == set(contents)
    for name, attachment_id in restored.items():
        download = app.get(f"{uploads}/{attachment_id}", headers=seeded)
        assert download.content == contents[name]
{%- endif %}
