"""The registry of frameworks scaffold can generate, and what each one covers.

Pure data: importing this module must stay cheap, because `scaffold list`, `--help` and shell
completion read it without importing Copier.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FrameworkName(StrEnum):
    """Closed set of framework names, for Typer's choices.

    A test keeps it in step with :data:`FRAMEWORKS`.
    """

    FLASK_API = "flask-api"
    DJANGO_APP = "django-app"
    FASTAPI_SERVICE = "fastapi-service"


class Database(StrEnum):
    """Databases a generated project is configured for by default."""

    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


DUTIES: tuple[str, ...] = (
    "database schema with migrations (SQLite by default, PostgreSQL with the same migrations)",
    "documented JSON API (OpenAPI, problem+json errors, pagination, CSV/JSON export, reports)",
    "authentication and authorization (argon2id, JWT + rotating refresh tokens, roles)",
    "tests: unit, API, the shared contract suite and ASVS-tagged security tests",
    "git set up from the first commit (.gitignore, .gitattributes, pre-commit)",
    "backup / verify / restore / prune with a restore drill",
    "OWASP-minded defaults (headers, CORS allowlist, throttling, size limits, logging)",
)


@dataclass(frozen=True, kw_only=True)
class Framework:
    """One framework template.

    Attributes:
        name: The identifier users type (`--framework NAME`); also its template folder.
        label: The framework's display name.
        description: One line shown by the picker and `scaffold list`; short enough for the
            picker's ``  Description: ...`` line to fit 80 columns (79 characters: a
            terminal's last column is written apart).
        duties: The backend duties the generated project puts into practice.
    """

    name: str
    label: str
    description: str
    duties: tuple[str, ...] = DUTIES


FRAMEWORKS: tuple[Framework, ...] = (
    Framework(
        name="flask-api",
        label="Flask",
        description="Flask 3, blueprints, SQLAlchemy 2 + Alembic, gunicorn.",
    ),
    Framework(
        name="django-app",
        label="Django",
        description="Django 5.2 LTS, REST API, custom user model, admin, gunicorn.",
    ),
    Framework(
        name="fastapi-service",
        label="FastAPI",
        description="FastAPI, pydantic-settings, SQLAlchemy 2 + Alembic, uvicorn.",
    ),
)


def get_framework(name: str) -> Framework:
    """Look a framework up by name.

    Raises:
        KeyError: When no framework has that name (the CLI restricts choices beforehand).
    """
    for framework in FRAMEWORKS:
        if framework.name == name:
            return framework
    raise KeyError(name)


def find_framework(text: str) -> Framework | None:
    """The framework ``text`` names: its name or its display name, in any case.

    ``"flask-api"``, ``"Flask"`` and ``"flask"`` all find flask-api: the picker shows the
    display names, so those are what a user types back.
    """
    wanted = text.strip().casefold()
    return next((fw for fw in FRAMEWORKS if wanted in {fw.name, fw.label.casefold()}), None)


def find_database(text: str) -> Database | None:
    """The database ``text`` names, in any case (``"PostgreSQL"`` as the question shows it)."""
    wanted = text.strip().casefold()
    return next((db for db in Database if db.value == wanted), None)
