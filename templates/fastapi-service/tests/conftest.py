"""Fixtures every test folder shares (the interface of CONTRIBUTING.md), for FastAPI.

Every test starts on a freshly migrated database and a fresh app, but the costly parts are
made once per test process (each pytest-xdist worker is one):

- The migrations run once, into a template: a SQLite file, or a PostgreSQL database when
  TEST_DATABASE_URL names a server.
- Each process has one database of its own, put back to the template's state before every
  test that asks for it. SQLite: the app's connections are closed and the file is replaced
  by a copy of the template. PostgreSQL: every table is emptied and every sequence restarted
  (ids begin at 1 again); should a test have changed the schema (the migration round trip,
  a restore) or left a lock behind, the database is cloned from the template again.
  Commits to it do not wait for the disk (durability is not what the tests are about).
- The app of the default test settings is built and started (lifespan) once per process.
  Building an app is cheap, but its first request makes FastAPI build the state of every
  route (about 40 ms, more than most tests take). Before each test it gets new login
  throttle counters and its loggers are set back as it configured them, so no count or log
  setting crosses from one test to the next; each test also gets its own client (cookies,
  headers). Its requests run on the event loop its lifespan started, as in a server.

A test whose settings differ (`configured_app_client`, `client_from` with settings, or a
module that overrides `test_settings`, `jwt_secret` or `database_url`) gets an app of its
own, built for it and shut down after it, as before.
"""

import logging
import os
import secrets
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, MetaData, Table, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.core.db import create_db_engine, create_session_factory
from app.core.security import PasswordService
from app.core.throttle import login_throttle
from app.crud.users import create_user as crud_create_user
from app.crud.users import get_user, update_user
from app.main import create_app
from app.models import User
from app.schemas import UserOut

pytest_plugins = ["tests.contract.plugin"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ERROR_PATH = "/__tests__/raise-runtime-error"
CreateUser = Callable[..., dict[str, Any]]
# The loggers `configure_logging` sets up; put back before each test on the shared app.
APP_LOGGERS = ("app", "uvicorn", "uvicorn.error")
# Everything a test could change in a PostgreSQL schema, as one digest: the migration
# version, the tables and sequences, their columns, indexes and constraints.
SCHEMA_DIGEST = """
SELECT md5(concat_ws('|',
  (SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version),
  (SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname)
     FROM pg_class WHERE relnamespace = 'public'::regnamespace),
  (SELECT string_agg(concat_ws(' ', table_name, column_name, data_type, is_nullable,
                               column_default), ',' ORDER BY table_name, ordinal_position)
     FROM information_schema.columns WHERE table_schema = 'public'),
  (SELECT string_agg(indexdef, ',' ORDER BY indexdef) FROM pg_indexes
     WHERE schemaname = 'public'),
  (SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), ',' ORDER BY conname)
     FROM pg_constraint WHERE connamespace = 'public'::regnamespace)))
"""
# Every sequence back to its start, as in a new database: ids begin at 1 again.
RESTART_SEQUENCES = """
SELECT setval(quote_ident(schemaname) || '.' || quote_ident(sequencename), start_value, false)
FROM pg_sequences WHERE schemaname = 'public'
"""


def migrate(database_url: str) -> None:
    """Apply every Alembic migration to `database_url`, as `make migrate` does."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    # Keep alembic.ini's logging setup from replacing pytest's log capture.
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")


def _admin_connection(server_url: str) -> psycopg.Connection[Any]:
    """An autocommit connection for CREATE/DROP DATABASE (they refuse to run in a transaction)."""
    url = make_url(server_url).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def _with_database(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _clone_database(server_url: str, template: str, name: str) -> None:
    """A copy of `template` that commits without waiting for the disk.

    Tests need no durability, and on a busy disk every commit's WAL flush cost about 5 ms
    (0.2 ms without): a crash loses the last commits but never leaves the database broken.
    """
    with _admin_connection(server_url) as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'.encode())
        connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off'.encode())


def _drop_database(server_url: str, name: str) -> None:
    with _admin_connection(server_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


def _without_fsync(engine: Engine) -> Engine:
    """Let the test connections of a SQLite `engine` commit without waiting for the disk.

    Tests need no durability, and a commit that waits for fsync cost 22 ms on a busy disk
    (0.5 ms without): most tests commit several times. Used on the shared app's engine and
    on `db_engine`; apps built for other settings, and the commands the tests run, keep
    SQLite's default.
    """
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _synchronous_off)
    return engine


def _synchronous_off(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous = OFF")
    cursor.close()


def _emptying_plan(engine: Engine) -> tuple[str, tuple[Table, ...]]:
    """The schema digest of a freshly migrated database, and its tables in emptying order.

    Emptied with DELETE, not TRUNCATE: on tables of a few rows it is about five times faster
    (TRUNCATE makes new files for each table and index). Rows that reference others go first.
    """
    metadata = MetaData()
    with engine.connect() as connection:
        metadata.reflect(connection)
        digest = str(connection.exec_driver_sql(SCHEMA_DIGEST).scalar_one())
    tables = reversed(metadata.sorted_tables)
    return digest, tuple(table for table in tables if table.name != "alembic_version")


def settings_for_test(database_url: str, jwt_secret: str) -> Settings:
    """The test settings: this database and key, fast hashing, no .env file."""
    return Settings(
        _env_file=None,
        environment="test",
        secret_key=SecretStr(jwt_secret),
        database_url=database_url,
        redis_url="",
        cors_origins=(),
        # Cheap argon2 keeps the suite fast; Settings allows this only when environment=test.
        argon2_memory_kib=8,
        argon2_time_cost=1,
    )


def _raise_runtime_error() -> None:
    msg = "boom: this error must never reach the client"
    raise RuntimeError(msg)


def build_test_app(settings: Settings) -> FastAPI:
    """`create_app(settings)` plus a route that fails, for the 500 tests."""
    app = create_app(settings)
    app.add_api_route(ERROR_PATH, _raise_runtime_error, include_in_schema=False)
    return app


@pytest.fixture(scope="session")
def _template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database to copy from: a SQLite file, or a PostgreSQL template database."""
    server_url = os.environ.get("TEST_DATABASE_URL", "")
    if not server_url:
        path = tmp_path_factory.mktemp("template") / "template.db"
        migrate(f"sqlite:///{path}")
        yield str(path)
        return
    name = f"tpl_{uuid.uuid4().hex[:12]}"
    with _admin_connection(server_url) as connection:
        connection.execute(f'CREATE DATABASE "{name}"'.encode())
    try:
        migrate(_with_database(server_url, name))
        yield name
    finally:
        _drop_database(server_url, name)


@dataclass
class SharedApp:
    """The app of the default test settings, started once per test process."""

    settings: Settings
    app: FastAPI
    runner: TestClient
    loggers: dict[str, tuple[list[logging.Handler], int, bool]]
    schema_digest: str
    tables: tuple[Table, ...]
    # The engine of `db_engine`: made once, as each new engine first asks the server about
    # itself (about 25 ms a test on PostgreSQL).
    fixture_engine: Engine

    def reset_database(self, template: str) -> None:
        """Put this process's database back to the freshly migrated state of `template`."""
        engine: Engine = self.app.state.engine
        server_url = os.environ.get("TEST_DATABASE_URL", "")
        if not server_url:
            # Closed connections first: none may keep writing to the file being replaced.
            engine.dispose()
            self.fixture_engine.dispose()
            path = Path(str(engine.url.database))
            for suffix in ("-journal", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            shutil.copyfile(template, path)
            return
        try:
            with engine.begin() as connection:
                # A connection a test left inside a transaction would hold the rows locked.
                connection.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
                for table in self.tables:
                    connection.execute(table.delete())
                connection.exec_driver_sql(RESTART_SEQUENCES)
                digest = connection.exec_driver_sql(SCHEMA_DIGEST).scalar_one()
        except DBAPIError:
            digest = None  # a table gone, a row still referenced, a lock held: start afresh
        if digest != self.schema_digest:
            engine.dispose()
            self.fixture_engine.dispose()
            name = str(engine.url.database)
            _drop_database(server_url, name)
            _clone_database(server_url, template, name)

    def reset_state(self) -> None:
        """New login throttle counters, and the loggers as the app configured them."""
        self.app.state.throttle, self.app.state.redis_pool = login_throttle(self.settings)
        self.app.dependency_overrides.clear()
        for name, (handlers, level, propagate) in self.loggers.items():
            logger = logging.getLogger(name)
            logger.handlers = list(handlers)
            logger.setLevel(level)
            logger.propagate = propagate
            logger.disabled = False


@pytest.fixture(scope="session")
def shared_app(
    _template_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SharedApp]:
    """This process's database and the app of the default test settings, started on it."""
    server_url = os.environ.get("TEST_DATABASE_URL", "")
    if not server_url:
        path = tmp_path_factory.mktemp("database") / "app.db"
        shutil.copyfile(_template_database, path)
        database_url = f"sqlite:///{path}"
    else:
        name = f"test_{uuid.uuid4().hex[:12]}"
        _clone_database(server_url, _template_database, name)
        database_url = _with_database(server_url, name)
    try:
        settings = settings_for_test(database_url, secrets.token_urlsafe(50))
        app = build_test_app(settings)
        _without_fsync(app.state.engine)
        loggers = {
            name: (list(logger.handlers), logger.level, logger.propagate)
            for name in APP_LOGGERS
            for logger in [logging.getLogger(name)]
        }
        digest, emptying = _emptying_plan(app.state.engine) if server_url else ("", ())
        fixture_engine = _without_fsync(create_db_engine(database_url))
        with TestClient(app, raise_server_exceptions=False) as runner:
            yield SharedApp(settings, app, runner, loggers, digest, emptying, fixture_engine)
        fixture_engine.dispose()
    finally:
        if server_url:
            _drop_database(server_url, make_url(database_url).database or "")


@pytest.fixture
def database_url(shared_app: SharedApp, _template_database: str) -> str:
    """The `DATABASE_URL` of this test's database, freshly migrated and empty."""
    shared_app.reset_database(_template_database)
    return shared_app.settings.database_url


@pytest.fixture
def jwt_secret(shared_app: SharedApp) -> str:
    """The key this test's app signs access tokens with (HS256)."""
    return shared_app.settings.secret_key.get_secret_value()


@pytest.fixture
def test_settings(database_url: str, jwt_secret: str, shared_app: SharedApp) -> Settings:
    """Settings for one test: its database and key, fast hashing, no .env file."""
    shared = shared_app.settings
    if (database_url, jwt_secret) == (shared.database_url, shared.secret_key.get_secret_value()):
        return shared
    return settings_for_test(database_url, jwt_secret)


@pytest.fixture
def app(test_settings: Settings, shared_app: SharedApp) -> FastAPI:
    """The application under test: the shared one, reset, unless the settings differ."""
    if test_settings is not shared_app.settings:
        return build_test_app(test_settings)
    shared_app.reset_state()
    return shared_app.app


@pytest.fixture
def app_client(app: FastAPI, shared_app: SharedApp) -> Iterator[TestClient]:
    """An httpx client wired to the app in-process (lifespan included)."""
    if app is not shared_app.app:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
        return
    client = TestClient(app, raise_server_exceptions=False)
    # Requests go through the portal (event loop thread) the shared app's lifespan runs on;
    # entering this client would run the lifespan again and shut the shared app down after.
    client.portal = shared_app.runner.portal
    try:
        yield client
    finally:
        client.close()


def changed_settings(settings: Settings, environment: dict[str, str]) -> Settings:
    """`settings` with some values replaced by environment-style names and string values.

    Outside ENVIRONMENT=test, the cheap argon2 parameters of the test settings go back to
    their defaults, which Settings demands everywhere else.
    """
    changes = {name.lower(): value for name, value in environment.items()}
    values = {**settings.model_dump(), **changes}
    if values["environment"] != "test":
        for name in ("argon2_memory_kib", "argon2_time_cost"):
            values.pop(name)
    return Settings(_env_file=None, **values)


@pytest.fixture
def configured_app_client(test_settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """`configured_app_client(CORS_ORIGINS="https://a.example", ...)`: a client of an app
    whose settings differ from the test settings by the given environment variables."""
    clients: list[TestClient] = []

    def make(**environment: str) -> TestClient:
        settings = changed_settings(test_settings, environment)
        client = TestClient(build_test_app(settings), raise_server_exceptions=False)
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client_from(app: FastAPI, test_settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """`client_from("203.0.113.7", **settings)`: a client whose requests come from that address.

    Without settings it reaches `app` itself (the app of `app_client`: same database, same
    throttle counts); with settings, one app per distinct set of settings in this test, so
    clients made with the same settings share their counts too. The app's lifespan belongs to
    `app_client`, so these clients are not entered (Starlette runs each request anyway).
    """
    apps: dict[frozenset[tuple[str, str]], FastAPI] = {}
    clients: list[TestClient] = []

    def make(address: str, **environment: str) -> TestClient:
        target = app
        if environment:
            key = frozenset(environment.items())
            if key not in apps:
                apps[key] = build_test_app(changed_settings(test_settings, environment))
            target = apps[key]
        client = TestClient(target, raise_server_exceptions=False, client=(address, 50000))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
    # No lifespan ran for these clients: close the pools here (twice is harmless, should
    # `app_client` also have run `app`'s lifespan).
    for used in (app, *apps.values()):
        used.state.engine.dispose()


@pytest.fixture
def project_command() -> Callable[[str], list[str]]:
    """`project_command("check")`: the argv of one of the project's plain commands."""

    def command(name: str) -> list[str]:
        return [sys.executable, "-m", "app.cli", name]

    return command


@pytest.fixture
def delete_user(db_sessions: sessionmaker[Session]) -> Callable[[int], None]:
    """`delete_user(user_id)`: delete the user through the ORM, as an admin tool would.

    Their tasks and refresh tokens go with them: the foreign keys say ON DELETE CASCADE.
    """

    def delete(user_id: int) -> None:
        with db_sessions() as session:
            user = session.get(User, user_id)
            assert user is not None, f"no user {user_id}"
            session.delete(user)
            session.commit()

    return delete


@pytest.fixture
def db_engine(database_url: str, shared_app: SharedApp) -> Iterator[Engine]:
    """An engine on the test database apart from the app's, for writing to it directly."""
    if database_url == shared_app.settings.database_url:
        yield shared_app.fixture_engine
        return
    engine = _without_fsync(create_db_engine(database_url))
    yield engine
    engine.dispose()


@pytest.fixture
def db_sessions(db_engine: Engine) -> sessionmaker[Session]:
    """Makes sessions on the test database, outside the app (one per change, never stale)."""
    return create_session_factory(db_engine)


@pytest.fixture
def create_user(db_sessions: sessionmaker[Session], test_settings: Settings) -> CreateUser:
    """`create_user(email, password, role="user", *, is_active=True) -> dict` (User JSON)."""
    passwords = PasswordService.from_settings(test_settings)

    def create(
        email: str, password: str, role: str = "user", *, is_active: bool = True
    ) -> dict[str, Any]:
        with db_sessions() as session:
            user = crud_create_user(
                session,
                email=email.lower(),
                password_hash=passwords.hash(password),
                full_name=email.partition("@")[0],
                role=role,
                is_active=is_active,
            )
            session.commit()
            return UserOut.model_validate(user).model_dump(mode="json")

    return create


@pytest.fixture
def set_user_active(db_sessions: sessionmaker[Session]) -> Callable[[int, bool], None]:
    """`set_user_active(user_id, active)`: switch an account on or off in the database."""

    def set_active(user_id: int, active: bool) -> None:
        with db_sessions() as session:
            user = get_user(session, user_id=user_id)
            assert user is not None, f"no user {user_id}"
            update_user(session, user, is_active=active)
            session.commit()

    return set_active


@pytest.fixture
def error_path() -> str:
    """Path of a route, registered only in tests, that raises RuntimeError."""
    return ERROR_PATH


@pytest.fixture
def log_formatter(app: FastAPI) -> logging.Formatter:
    """The `logging.Formatter` the app writes its one-JSON-object-per-line logs with."""
    formatter: logging.Formatter = app.state.log_formatter
    return formatter


# ---- for the shared suites: the check command's settings validation, in-process ----


@pytest.fixture
def check_in_process(test_settings: Settings) -> Callable[..., str | None]:
    """`check_in_process(**settings)`: what `python -m app.cli check` decides, in this process.

    The settings are the test settings changed by the given environment-style values, and
    the app is built from them as the command builds it. Warnings go to logging, where
    `caplog` sees them.

    Returns:
        A function returning None when the settings are accepted, else the one-line message
        the command prints after "Error: ".
    """
    # Kept inside this block, which the shared suites own (see scaffold's CONTRIBUTING.md).
    from pydantic import ValidationError  # noqa: PLC0415

    from app.core.config import describe_errors  # noqa: PLC0415

    def check(**environment: str) -> str | None:
        try:
            settings = changed_settings(test_settings, environment)
        except ValidationError as error:
            return describe_errors(error)
        create_app(settings).state.engine.dispose()
        return None

    return check
