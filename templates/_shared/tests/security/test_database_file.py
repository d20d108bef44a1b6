"""The SQLite database file is readable by its owner only (CONTRACT.md, data; ASVS 8.3.1).

The database holds password hashes and the hashes of live refresh tokens, like the backups,
which are written 0600. SQLite gives its journal files the mode of the database file, so a
database created 0600 keeps them private too. Both ways a project creates the file are
checked: its migrate command and the app itself. These tests bring their own SQLite file, so
they run on every test database.
"""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
OWNER_ONLY = 0o600


@contextmanager
def umask(mask):
    """Run the block (and the processes it starts) with ``mask`` as the file-creation mask.

    A common umask of 022 would make SQLite create a world-readable file; the project must
    not depend on the umask of whoever runs it.

    Args:
        mask: The umask to apply.

    Yields:
        Nothing.
    """
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def mode_of(path):
    """The permission bits of ``path``.

    Args:
        path: A file that exists.

    Returns:
        The mode, such as ``0o600``.
    """
    return stat.S_IMODE(path.stat().st_mode)


def project_environment(database_url):
    """The environment the project's commands run with: development, on ``database_url``.

    Args:
        database_url: The SQLite database the command works on.

    Returns:
        A copy of this process's environment with the project's settings replaced.
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DATABASE_", "TEST_", "REDIS_"))
    }
    env.update(
        ENVIRONMENT="development",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        REDIS_URL="",
    )
    return env


@pytest.mark.long
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
@pytest.mark.asvs("8.3.1")
def test_migrate_creates_the_database_file_owner_only(project_command, tmp_path):
    folder = tmp_path / "fresh"
    folder.mkdir()
    database = folder / "app.db"

    with umask(0o022):
        result = subprocess.run(  # noqa: S603 - the project's own command, no shell
            project_command("migrate"),
            cwd=PROJECT_ROOT,
            env=project_environment(f"sqlite:///{database}"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert result.returncode == 0, result.stderr
    assert database.exists(), "migrate did not create the database file"
    assert mode_of(database) == OWNER_ONLY, oct(mode_of(database))
    for leftover in folder.iterdir():
        # A journal left behind (or any other file SQLite made) must be as private.
        assert mode_of(leftover) & 0o077 == 0, f"{leftover.name} is {oct(mode_of(leftover))}"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
@pytest.mark.asvs("8.3.1")
def test_the_app_creates_a_missing_database_file_owner_only(configured_app_client, tmp_path):
    database = tmp_path / "made-by-the-app.db"

    with umask(0o022):
        client = configured_app_client(DATABASE_URL=f"sqlite:///{database}")
        # Readiness asks the database, which makes the app open (and so create) the file.
        response = client.get("/health/ready")

    assert response.status_code in {200, 503}, response.text
    assert database.exists(), "the app never opened its database"
    assert mode_of(database) == OWNER_ONLY, oct(mode_of(database))
