"""Fixtures for the backup tests: a tiny database of their own, and the tool as a command.

The standalone tests need no web application, so they prove the tool in every framework. Set
TEST_DATABASE_URL to a `postgresql://` URL (a role that may create databases) to run the
PostgreSQL cases too.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import pytest

from ops.backup import Settings

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from contextlib import AbstractContextManager

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Two tables that reference each other, values that are awkward to encode (NULL, bytes,
# quotes, non-ASCII) and an Alembic version table, so the manifest has all it can record.
TINY_SCHEMA = (
    "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)",
    "INSERT INTO alembic_version VALUES ('0001_tiny')",
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, attachment {blob})",
    "CREATE TABLE tags (id INTEGER PRIMARY KEY, note_id INTEGER REFERENCES notes (id), name TEXT)",
    "INSERT INTO notes VALUES (1, 'first', NULL), (2, 'it''s \"quoted\" and ünïcödé', NULL)",
    "INSERT INTO notes VALUES (3, 'with bytes', {bytes})",
    "INSERT INTO tags VALUES (1, 1, 'home'), (2, 1, 'work'), (3, 3, NULL)",
)
BLOB_TYPES = {"sqlite": "BLOB", "postgresql": "BYTEA"}
BYTES_LITERALS = {"sqlite": "x'00ff10'", "postgresql": "'\\x00ff10'::bytea"}


def run_sql(database_url: str, *statements: str) -> None:
    """Run SQL statements against a `sqlite:///` or `postgresql://` URL in one transaction.

    One commit for all of them: on SQLite each commit waits for the disk (8-22 ms here), and a
    test's tiny schema is seven statements.
    """
    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[1]
        # isolation_level=None: the module opens no transaction of its own, so the one begun
        # here holds the CREATE TABLEs too (it would commit each of those on its own).
        with closing(sqlite3.connect(path, isolation_level=None)) as connection:
            connection.execute("BEGIN")
            for statement in statements:
                connection.execute(statement)
            connection.execute("COMMIT")
        return
    psycopg = pytest.importorskip("psycopg")
    with psycopg.connect(_plain_postgres(database_url)) as connection:
        for statement in statements:
            connection.execute(statement.encode())


@contextmanager
def open_session(database_url: str) -> Iterator[object]:
    """Hold a connection to the database open, as a running application would."""
    if database_url.startswith("sqlite"):
        with closing(sqlite3.connect(database_url.split(":///", 1)[1])) as connection:
            connection.execute("SELECT count(*) FROM notes").fetchall()
            yield connection
        return
    psycopg = pytest.importorskip("psycopg")
    with psycopg.connect(_plain_postgres(database_url), autocommit=True) as connection:
        connection.execute("SELECT count(*) FROM notes").fetchall()
        yield connection


def _plain_postgres(url: str) -> str:
    # psycopg wants libpq's scheme, not SQLAlchemy's driver-qualified one.
    return "postgresql" + url[url.index("://") :]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(_plain_postgres(url))
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


@pytest.fixture
def execute_sql() -> Callable[[str, str], None]:
    """Run one SQL statement against a database URL, to change data behind the tool's back."""
    return run_sql


@pytest.fixture
def other_session() -> Callable[[str], AbstractContextManager[object]]:
    """Open a second, idle connection to a database, like an application's connection pool."""
    return open_session


@pytest.fixture
def backup_dir(tmp_path: Path) -> Path:
    """The backup folder of one test (created by the tool when it first writes)."""
    return tmp_path / "backups"


@pytest.fixture(params=["sqlite", "postgresql"])
def tiny_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database with the tiny schema, on SQLite and (when configured) PostgreSQL."""
    kind = request.param
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'tiny.db'}"
        _create_tiny_schema(url, kind)
        yield url
        return
    yield from _tiny_postgres_database()


def _tiny_postgres_database() -> Iterator[str]:
    server_url = os.environ.get("TEST_DATABASE_URL", "")
    if not server_url.startswith(("postgresql", "postgres:")):
        pytest.skip("set TEST_DATABASE_URL to a postgresql:// URL to run the PostgreSQL cases")
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql  # noqa: PLC0415 (only once psycopg is known to be installed)

    name = f"backup_test_{secrets.token_hex(6)}"
    with psycopg.connect(_plain_postgres(server_url), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = _with_database(server_url, name)
    try:
        _create_tiny_schema(url, "postgresql")
        yield url
    finally:
        with psycopg.connect(_plain_postgres(server_url), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _create_tiny_schema(url: str, kind: str) -> None:
    values = {"blob": BLOB_TYPES[kind], "bytes": BYTES_LITERALS[kind]}
    run_sql(url, *(statement.format(**values) for statement in TINY_SCHEMA))


@pytest.fixture
def tiny_settings(tiny_database_url: str, backup_dir: Path) -> Settings:
    """Settings pointing the tool at the tiny database and this test's backup folder."""
    return Settings(database_url=tiny_database_url, backup_dir=backup_dir)


@pytest.fixture
def run_backup_cli(backup_dir: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `python -m ops.backup ARGS` as a real process, as `make backup` and friends do.

    The settings travel in the environment, which wins over the project's `.env`;
    `invoked_via="make"` runs it as the Makefile's targets do.
    """

    def run(
        database_url: str, *args: str, invoked_via: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "DATABASE_URL": database_url, "BACKUP_DIR": str(backup_dir)}
{%- if with_files %}
        # Never the project's own var/files: a restore makes the storage match its backup.
        environment["FILES_DIR"] = str(backup_dir.parent / "files")
        environment["S3_BUCKET"] = ""
{%- endif %}
        # How the tool was started (the Makefile passes INVOKED_VIA=make) changes its advice.
        environment.pop("INVOKED_VIA", None)
        if invoked_via is not None:
            environment["INVOKED_VIA"] = invoked_via
        # The test's own interpreter with a fixed module and arguments; no shell involved.
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
