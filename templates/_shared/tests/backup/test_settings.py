"""How the backup tool reads its settings and database URLs (pure functions, no database)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ops.backup import BackupError, load_settings
from ops.backup.settings import PostgresDatabase, SqliteDatabase, parse_database_url

if TYPE_CHECKING:
    from pathlib import Path


def test_settings_come_from_dotenv_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "# comment\nexport DATABASE_URL='sqlite:///from-dotenv.db'\nBACKUP_DIR=saved\n",
        encoding="utf-8",
    )

    from_file = load_settings({}, tmp_path)
    overridden = load_settings({"DATABASE_URL": "sqlite:///from-env.db"}, tmp_path)

    assert from_file.database_url == "sqlite:///from-dotenv.db"
    assert from_file.backup_dir == tmp_path / "saved"
    assert overridden.database_url == "sqlite:///from-env.db"


def test_settings_defaults_match_the_project_defaults(tmp_path: Path) -> None:
    settings = load_settings({}, tmp_path)

    assert settings.database_url == "sqlite:///./app.db"
    assert settings.backup_dir == tmp_path / "backups"


def test_sqlite_urls_are_relative_or_absolute(tmp_path: Path) -> None:
    relative = parse_database_url("sqlite:///./app.db")
    absolute = parse_database_url(f"sqlite:///{tmp_path}/app.db")

    assert isinstance(relative, SqliteDatabase)
    assert relative.path.name == "app.db"
    assert relative.path.is_absolute()
    assert absolute == SqliteDatabase(path=tmp_path / "app.db")


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg", "postgres"])
def test_postgres_password_is_kept_out_of_the_url(scheme: str) -> None:
    database = parse_database_url(f"{scheme}://app:s%40cret@db.example:5433/shop?sslmode=require")

    assert database == PostgresDatabase(
        url="postgresql://app@db.example:5433/shop?sslmode=require",
        name="shop",
        password="s@cret",
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        pytest.param("mysql://db/app", "must start with sqlite", id="unsupported"),
        pytest.param("sqlite:///:memory:", "in-memory", id="in-memory"),
        pytest.param("postgresql://db.example:5432", "names no PostgreSQL database", id="no-name"),
    ],
)
def test_unusable_database_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(BackupError, match=message):
        parse_database_url(url)
