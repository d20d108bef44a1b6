"""The create-admin command and the migrations themselves."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.cli import EXIT_ERROR, EXIT_OK, main
from app.core.config import get_settings
from app.models import Base, User
from tests.conftest import PROJECT_ROOT

ADMIN_PASSWORD = "operator-chosen-passphrase"


@pytest.fixture
def command_environment(
    database_url: str, jwt_secret: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Run commands as an operator would: settings from the environment, no .env file here."""
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "test",
        "SECRET_KEY": jwt_secret,
        "ARGON2_MEMORY_KIB": "8",
        "ARGON2_TIME_COST": "1",
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("command_environment")
def test_create_admin_makes_an_admin(db_sessions: sessionmaker[Session]) -> None:
    assert main(["create-admin", "--email", "Root@Example.com"]) == EXIT_OK

    with db_sessions() as session:
        admin = session.scalars(select(User)).one()
    assert (admin.email, admin.role) == ("root@example.com", "admin")


@pytest.mark.usefixtures("command_environment")
def test_create_admin_refuses_an_existing_email(capsys: pytest.CaptureFixture[str]) -> None:
    main(["create-admin", "--email", "root@example.com"])

    assert main(["create-admin", "--email", "root@example.com"]) == EXIT_ERROR
    assert "already exists" in capsys.readouterr().err


@pytest.mark.usefixtures("command_environment")
def test_create_admin_refuses_a_weak_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", "password1234")

    assert main(["create-admin", "--email", "root@example.com"]) == EXIT_ERROR


def test_the_migrations_match_the_models(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert differences == []


def test_the_migrations_go_down_and_up_again(database_url: str, db_engine: Engine) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes.update(database_url=database_url, configure_logging=False)

    command.downgrade(config, "base")
    tables_after_downgrade = set(inspect(db_engine).get_table_names())
    command.upgrade(config, "head")

    assert tables_after_downgrade == {"alembic_version"}
    assert {"users", "tasks", "refresh_tokens"} <= set(inspect(db_engine).get_table_names())
