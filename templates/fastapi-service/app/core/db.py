"""Database engine and sessions (SQLAlchemy 2, synchronous).

The engine is made by `create_app()` (or by a command), never at import time, so tests can
point each app at its own database.

Routes and the dependencies that use a session are plain `def` functions: FastAPI runs them in
its thread pool, so a slow query holds one worker thread while the event loop goes on serving
everything else. `AsyncSession` (aiosqlite, psycopg async) would also keep the loop free; on
this project's list endpoint it served fewer requests per second than `def` routes did, and
the README ("Why def routes") has the figures.
https://fastapi.tiangolo.com/async/#path-operation-functions
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.core.sqlite import harden_sqlite


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


def create_db_engine(database_url: str) -> Engine:
    """Create the engine for `database_url` with the per-backend settings this app relies on.

    Args:
        database_url: the `DATABASE_URL` setting.

    Returns:
        A new engine; call `dispose()` on it when done.
    """
    url = make_url(sqlalchemy_url(database_url))
    if url.get_backend_name() == "sqlite":
        # A request's session may open in one pool thread and close in another (FastAPI runs
        # each sync dependency and the route as separate calls), never in two at once.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        # Foreign keys on every connection, and a new database file made owner-only.
        harden_sqlite(engine)
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
