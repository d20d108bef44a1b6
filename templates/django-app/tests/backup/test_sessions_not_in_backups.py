"""Django's admin sessions never go into a backup, and a restore signs nobody in.

A session row is a live credential: whoever holds its key can send it as the session cookie
and is signed into the admin site. `django_session` is therefore listed in
`ops/backup/settings.py` (`TABLES_WITHOUT_ROWS`): backups keep the table but not its rows, and a
restore empties it (SECURITY.md, "Backups").
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connections
from django.test import Client

from ops.backup import Settings, create_backup, restore_backup

from .helpers import read_manifest, table_named
from .test_no_credentials_in_backups import backup_text

if TYPE_CHECKING:
    from pathlib import Path

ADMIN_HOME = f"/{django_settings.ADMIN_URL}"


def _signed_in_admin() -> tuple[Client, str]:
    admin = get_user_model().objects.create_superuser(
        "admin-session@example.com", "admin-passphrase-4711", full_name="Admin"
    )
    browser = Client()
    # The session engine writes the row a real sign-in at the admin's login form writes.
    browser.force_login(admin)
    return browser, browser.cookies[django_settings.SESSION_COOKIE_NAME].value


def _admin_home_with(session_key: str) -> int:
    browser = Client()
    browser.cookies[django_settings.SESSION_COOKIE_NAME] = session_key
    return browser.get(ADMIN_HOME).status_code


@pytest.mark.asvs("8.1.6")
def test_admin_session_is_not_in_the_backup_and_does_not_survive_a_restore(
    database_url: str, backup_dir: Path
) -> None:
    browser, session_key = _signed_in_admin()
    assert browser.get(ADMIN_HOME).status_code == HTTPStatus.OK
    assert Session.objects.filter(session_key=session_key).exists()
    tool = Settings(database_url=database_url, backup_dir=backup_dir)

    backup = create_backup(tool)
    restore_backup(tool, backup, yes=True)
    # On PostgreSQL the restore swapped databases under Django's connection: reconnect.
    connections.close_all()

    assert table_named(read_manifest(backup), "django_session")["rows"] == 0
    assert session_key not in backup_text(backup)
    assert not Session.objects.filter(session_key=session_key).exists()
    # Without a session the admin site sends the browser to its login form.
    assert _admin_home_with(session_key) == HTTPStatus.FOUND
