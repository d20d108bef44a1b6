"""A SQLite database file the project creates is readable and writable by its owner only.

The file holds password hashes and the hashes of live refresh tokens, like the backups, which
are written 0600. SQLite creates a missing file when it connects, with the process umask
(often 0644), and gives its journal files the mode of the database file: so a file that is
still empty (nothing written yet, no journal yet) is made 0600 right after the connection
that created it. https://docs.djangoproject.com/en/5.2/ref/signals/#connection-created
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

OWNER_ONLY = 0o600


def make_new_database_private(*, connection: BaseDatabaseWrapper, **_: Any) -> None:
    """Receiver of `connection_created`: a new, empty SQLite file becomes owner-only."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():  # type: ignore[attr-defined]
        return
    path = Path(str(connection.settings_dict["NAME"]))
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    if status.st_size == 0 and stat.S_IMODE(status.st_mode) & ~OWNER_ONLY:
        path.chmod(OWNER_ONLY)
