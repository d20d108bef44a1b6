"""Database engine and sessions (SQLAlchemy 2).

The engine is made by `create_app()` (or by a command), never at import time, so tests can
point each app at its own database.

Why synchronous SQLAlchemy behind `async def` endpoints: on SQLite a query runs in-process in
microseconds, and on PostgreSQL the queries here are short, indexed look-ups over a pooled
connection. Running them directly on the event loop avoids a thread-pool hop per request, which
on a small machine costs more than the query itself (about 5x fewer requests per second for
sync `def` endpoints on a 2-core machine). The price: a slow query stalls
every request of that worker, so run several workers (`WORKERS`) and keep queries indexed.
Work that is slow by design (argon2 hashing) goes to a thread with `run_in_threadpool`.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def sqlalchemy_url(database_url: str) -> str:
    """Map the portable `postgresql://` form to SQLAlchemy's psycopg 3 driver name.

    Args:
        database_url: the `DATABASE_URL` setting, e.g. `sqlite:///./app.db` or
            `postgresql://user:pass@host:5432/name`.

    Returns:
        The URL SQLAlchemy should use.
    """
    for prefix in ("postgresql://", "postgres://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url.removeprefix(prefix)
    return database_url


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    """SQLite ignores foreign keys (and so ON DELETE CASCADE) unless each connection asks."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_private_sqlite_file(database: str | None) -> None:
    """Create a missing SQLite database file readable by its owner only (mode 0600).

    SQLite would create it with the process umask (often 0644: readable by every local user)
    and gives its journal and WAL files the mode of the database file, so creating the file
    first keeps all of them private. An existing file is left as it is; a missing folder too,
    so a wrong DATABASE_URL still fails as a database error, not here.

    Args:
        database: the path part of a SQLite URL (None or ":memory:" for an in-memory one).
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.parent.is_dir() and not path.exists():
        # O_EXCL: if another process created it in the meantime, theirs stays untouched.
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            return


def create_db_engine(database_url: str) -> Engine:
    """Create the engine for `database_url` with the per-backend settings this app relies on.

    Args:
        database_url: the `DATABASE_URL` setting.

    Returns:
        A new engine; call `dispose()` on it when done.
    """
    url = make_url(sqlalchemy_url(database_url))
    if url.get_backend_name() == "sqlite":
        create_private_sqlite_file(url.database)
        # The app uses one connection at a time per request, from the event-loop thread.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    # UTC sessions make date() in reports mean a UTC day whatever the server's time zone.
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 5, "options": "-c timezone=UTC"},
    )


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions keep loaded attributes after commit so handlers can serialise them."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Open a session for a command-line task and close it afterwards."""
    with factory() as session:
        yield session
