"""Exercise 10: backups: a retention policy by age, and a drill that covers the new tables.

These tests run the backup tool against the app's own test database (the ``database_url``
fixture), so they need the in-process app and are skipped under ``--base-url``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ops.backup import Settings, list_backups, restore_backup, verify_backup

from .support import API, expect

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from tests.contract.helpers import Account

pytestmark = pytest.mark.exercise

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def backup_dir(tmp_path: Path) -> Path:
    """This test's backup folder."""
    return tmp_path / "backups"


@pytest.fixture
def run_tool(
    database_url: str, backup_dir: Path
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m ops.backup ARGS`` on the test database, as `make` targets do."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "DATABASE_URL": database_url, "BACKUP_DIR": str(backup_dir)}
        # The test's own interpreter, a fixed module and arguments; no shell.
        return subprocess.run(  # noqa: S603
            [sys.executable, "-m", "ops.backup", *args],
            cwd=PROJECT_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    return run


def _backup_aged(
    run_tool: Callable[..., subprocess.CompletedProcess[str]], backup_dir: Path, days: int
) -> str:
    """Make a backup, then rename it (and its companions) as if made `days` days ago."""
    made = run_tool("backup")
    assert made.returncode == 0, made.stderr
    newest = max(
        (path for path in backup_dir.glob("backup-*") if path.suffix in {".sqlite3", ".dump"}),
        key=lambda path: path.stat().st_mtime_ns,
    )
    stamp = (datetime.now(UTC) - timedelta(days=days, hours=1)).strftime("%Y%m%dT%H%M%SZ")
    name = f"backup-{stamp}{newest.suffix}"
    for companion in backup_dir.glob(newest.name + "*"):
        companion.rename(backup_dir / (name + companion.name.removeprefix(newest.name)))
{%- if with_files %}
    # The stored files of the backup sit beside it under its name without the suffix.
    archive = newest.with_name(f"{newest.stem}.files.tar")
    if archive.exists():
        archive.rename(backup_dir / f"backup-{stamp}.files.tar")
{%- endif %}
    return name


def _names(backup_dir: Path) -> list[str]:
    return sorted(
        path.name for path in backup_dir.iterdir() if path.suffix in {".sqlite3", ".dump"}
    )


def test_prune_by_age_keeps_the_newest_verified_backup(
    run_tool: Callable[..., subprocess.CompletedProcess[str]], backup_dir: Path
) -> None:
    oldest_verified = _backup_aged(run_tool, backup_dir, 40)
    assert run_tool("verify", oldest_verified).returncode == 0
    old = _backup_aged(run_tool, backup_dir, 20)
    recent = _backup_aged(run_tool, backup_dir, 10)
    today = _backup_aged(run_tool, backup_dir, 0)

    pruned = run_tool("prune", "--older-than-days", "15")

    assert pruned.returncode == 0, (
        "`python -m ops.backup prune --older-than-days 15` failed: "
        + (pruned.stderr.strip().splitlines() or ["no message"])[-1]
    )
    assert _names(backup_dir) == sorted([oldest_verified, recent, today]), (
        "backups older than 15 days go, except the newest verified one; "
        f"left: {_names(backup_dir)}"
    )
    assert f"deleted {old}" in pruned.stdout, "prune names each deleted backup"
    assert not list(backup_dir.glob(old + "*")), "the manifest and mark go with the backup"


def test_age_and_count_together_delete_only_what_both_would(
    run_tool: Callable[..., subprocess.CompletedProcess[str]], backup_dir: Path
) -> None:
    ancient = _backup_aged(run_tool, backup_dir, 40)
    kept = [_backup_aged(run_tool, backup_dir, days) for days in (20, 10, 0)]
    pruned = run_tool("prune", "--keep", "3", "--older-than-days", "15")
    assert pruned.returncode == 0, pruned.stderr
    assert _names(backup_dir) == sorted(kept), (
        "--keep 3 --older-than-days 15 deletes a backup only when it is outside the newest 3 "
        f"AND older than 15 days; deleted {ancient}? left: {_names(backup_dir)}"
    )


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("prune", "--older-than-days", "0"), id="zero-days"),
        pytest.param(("prune", "--older-than-days", "-3"), id="negative"),
        pytest.param(("prune",), id="no-rule"),
    ],
)
def test_prune_refuses_rules_that_would_delete_too_much(
    run_tool: Callable[..., subprocess.CompletedProcess[str]],
    backup_dir: Path,
    args: tuple[str, ...],
) -> None:
    _backup_aged(run_tool, backup_dir, 30)
    pruned = run_tool(*args)
    assert pruned.returncode != 0, f"`{' '.join(args)}` must be refused, it exited 0"
    assert "Traceback" not in pruned.stderr, "a clear message, not a traceback"
    assert len(_names(backup_dir)) == 1, "nothing is deleted"


def test_restore_drill_brings_back_tags_and_shares(
    client: httpx.Client,
    signed_in: Callable[..., Account],
    run_tool: Callable[..., subprocess.CompletedProcess[str]],
    database_url: str,
    backup_dir: Path,
) -> None:
    owner, reader = signed_in(), signed_in()
    created = client.post(
        f"{API}/tasks", json={"title": "drill", "tags": ["backup"]}, headers=owner.headers
    )
    task = expect(created, HTTPStatus.CREATED, "POST a tagged task (exercise 1)")
    url = f"{API}/tasks/{task['id']}"
    shared = client.post(f"{url}/shares", json={"email": reader.email}, headers=owner.headers)
    expect(shared, HTTPStatus.CREATED, "share it (exercise 4)")
    settings = Settings(database_url=database_url, backup_dir=backup_dir)
    made = run_tool("backup")
    assert made.returncode == 0, made.stderr
    (backup,) = (entry.path for entry in list_backups(settings))
    verify_backup(settings, backup)

    expect(client.patch(url, json={"tags": []}, headers=owner.headers), HTTPStatus.OK, "untag")
    expect(
        client.delete(f"{url}/shares/{reader.user['id']}", headers=owner.headers),
        HTTPStatus.NO_CONTENT,
        "unshare",
    )
    restore_backup(settings, backup, yes=True)

    restored = expect(client.get(url, headers=reader.headers), HTTPStatus.OK, "GET after restore")
    assert restored["tags"] == ["backup"], "the restore brings back the task's tags"
