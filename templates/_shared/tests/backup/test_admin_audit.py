"""The admin site's audit log is data like any other: backups hold it (CONTRACT.md, section 16).

A member of staff changes a task through the admin (an audit row), the tool backs up and
verifies; a second change after the backup adds a second row; the restore brings the log
back to what it was at the backup: the first change is there, the second is gone. The pages
are read as a browser reads them (`tests/security/admin.py`), so the test names no table.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

import pytest

from ops.backup import Settings, create_backup, restore_backup, verify_backup
from tests.security.admin import log_in, submit

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import httpx

    from tests.security.admin import AdminPages

API = "/api/v1"
PASSWORD = "audit-backup-passphrase-4711"
STAFF = "audit-staff@example.com"
OWNER = "audit-owner@example.com"


def _edit_title(client: httpx.Client, pages: AdminPages, task_id: int, title: str) -> None:
    page = client.get(pages.task(task_id))
    assert page.status_code == HTTPStatus.OK, page.text[:500]
    answer = submit(client, page, {"title": title})
    assert answer.status_code == HTTPStatus.FOUND, answer.text[:500]


def _staff_browser(client_from: Callable[..., httpx.Client], pages: AdminPages) -> httpx.Client:
    browser = client_from("192.0.2.30")
    answer = log_in(browser, pages, STAFF, PASSWORD)
    assert answer.status_code == HTTPStatus.FOUND, answer.text[:500]
    return browser


@pytest.mark.asvs("8.1.6")
def test_backups_hold_the_audit_log_and_a_restore_brings_it_back(
    app_client: httpx.Client,
    client_from: Callable[..., httpx.Client],
    create_user: Callable[..., dict[str, object]],
    admin_pages: AdminPages,
    database_url: str,
    backup_dir: Path,
) -> None:
    settings = Settings(database_url=database_url, backup_dir=backup_dir)
    create_user(STAFF, PASSWORD, "admin")
    create_user(OWNER, PASSWORD, "user")
    login = app_client.post(f"{API}/auth/login", json={"email": OWNER, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    task = app_client.post(f"{API}/tasks", json={"title": "Rake leaves"}, headers=headers)
    assert task.status_code == HTTPStatus.CREATED, task.text
    task_id = task.json()["id"]
    browser = _staff_browser(client_from, admin_pages)
    _edit_title(browser, admin_pages, task_id, "Rake the leaves before the backup")

    backup = create_backup(settings)
    verify_backup(settings, backup)
    _edit_title(browser, admin_pages, task_id, "Rake the leaves after the backup")
    restore_backup(settings, backup, yes=True)

    # A new login: a restore may end the sessions of the database it replaced.
    audit = _staff_browser(client_from, admin_pages).get(admin_pages.audit).text
    assert "Rake the leaves before the backup" in audit
    assert "Rake the leaves after the backup" not in audit
