"""What every connection to a SQLite database needs, set where the engine is made.

PostgreSQL enforces foreign keys and never hands an id out twice on its own. SQLite does
neither unless asked: foreign keys (and so ``ON DELETE CASCADE``) are off on every new
connection until ``PRAGMA foreign_keys = ON``, and ids come back unless a table is declared
``AUTOINCREMENT`` (the models and migrations do that). SQLite also creates a missing database
file with the umask's permissions, usually world-readable; the file holds password hashes,
so it is created readable by its owner only (SQLite gives its journal files the same mode).
https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#foreign-key-support
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

OWNER_ONLY = 0o600


def create_private_file(path: str) -> None:
    """Create an empty file at ``path`` readable by its owner only, unless it exists.

    Args:
        path: The database file. A missing folder is left for SQLite to report.
    """
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY)
        os.close(descriptor)


def harden_sqlite(engine: Engine) -> None:
    """Make ``engine`` create its SQLite file 0600 and enforce foreign keys on every connection.

    Args:
        engine: Any engine; only SQLite ones are changed.
    """
    if engine.dialect.name != "sqlite":
        return
    path = engine.url.database
    if path and path != ":memory:" and not path.startswith("file:"):

        @event.listens_for(engine, "do_connect")
        def create_file(*_: Any) -> None:
            create_private_file(path)

    @event.listens_for(engine, "connect")
    def enforce_foreign_keys(dbapi_connection: Any, _: Any) -> None:
        # A PRAGMA is a no-op inside a transaction; a new connection has none open yet.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()
