"""Fixtures every test folder shares (the interface of CONTRIBUTING.md), for FastAPI.

Each test gets a fresh, fully migrated database: a copy of a SQLite file migrated once per
test session, or, when TEST_DATABASE_URL names a PostgreSQL server, a new database cloned
from a migrated template database (`CREATE DATABASE ... TEMPLATE`), dropped after the test.
Cloning is much faster than running the migrations for every test, and proves the same thing.
"""

import logging
import os
import secrets
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.core.db import create_db_engine, create_session_factory
from app.core.security import PasswordService
from app.crud.users import create_user as crud_create_user
from app.crud.users import get_user, update_user
from app.main import create_app
from app.models import User
from app.schemas import UserOut

pytest_plugins = ["tests.contract.plugin"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ERROR_PATH = "/__tests__/raise-runtime-error"
CreateUser = Callable[..., dict[str, Any]]


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


def _drop_database(server_url: str, name: str) -> None:
    with _admin_connection(server_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


@pytest.fixture
def database_url(_template_database: str, tmp_path: Path) -> Iterator[str]:
    """The `DATABASE_URL` of this test's own freshly migrated database."""
    server_url = os.environ.get("TEST_DATABASE_URL", "")
    if not server_url:
        path = tmp_path / "app.db"
        shutil.copyfile(_template_database, path)
        yield f"sqlite:///{path}"
        return
    name = f"test_{uuid.uuid4().hex[:12]}"
    with _admin_connection(server_url) as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_template_database}"'.encode())
    try:
        yield _with_database(server_url, name)
    finally:
        _drop_database(server_url, name)


@pytest.fixture
def jwt_secret() -> str:
    """The key this test's app signs access tokens with (HS256)."""
    return secrets.token_urlsafe(50)


@pytest.fixture
def test_settings(database_url: str, jwt_secret: str) -> Settings:
    """Settings for one test: its own database and key, fast hashing, no .env file."""
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


@pytest.fixture
def app(test_settings: Settings) -> FastAPI:
    """The application under test."""
    return build_test_app(test_settings)


@pytest.fixture
def app_client(app: FastAPI) -> Iterator[TestClient]:
    """An httpx client wired to the app in-process (lifespan included)."""
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


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
def db_engine(database_url: str) -> Iterator[Engine]:
    """A separate engine on the test database, for fixtures that write to it directly."""
    engine = create_db_engine(database_url)
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
