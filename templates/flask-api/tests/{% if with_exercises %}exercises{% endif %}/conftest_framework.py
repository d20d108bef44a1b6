"""Flask's half of the exercise fixtures: count the SQL statements the app runs.

SQLAlchemy calls `before_cursor_execute` listeners once per statement sent to the database,
so listening on the app's engine (Flask-SQLAlchemy keeps one per app) sees every query.
https://docs.sqlalchemy.org/en/20/core/events.html#sqlalchemy.events.ConnectionEvents.before_cursor_execute

`migration_command` is the project's own migration command (exercise 12): Flask-Migrate's
`flask db downgrade -- -1` undoes the newest migration, `flask db upgrade` applies them all.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from tests.conftest import environment_for


@contextmanager
def capture_queries(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Collect the SQL of every statement the test's app runs inside the block."""
    app = request.getfixturevalue("app")
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    statements: list[str] = []

    def record(*args: Any) -> None:
        # The listener gets the connection, cursor, statement, parameters, context and
        # executemany flag; only the statement is kept.
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def migration_command(
    request: pytest.FixtureRequest, direction: str, database_url: str
) -> tuple[list[str], dict[str, str]]:
    """The argv and environment that migrate ``database_url`` one step "down", or "up"."""
    package = request.getfixturevalue("app").import_name
    # "--" ends the options: "-1" (one revision back) would read as an option.
    step = ["downgrade", "--", "-1"] if direction == "down" else ["upgrade"]
    argv = [sys.executable, "-m", "flask", "--app", package, "db", *step]
    # The test settings on the test's database; the developer's .env stays out of it.
    return argv, {**environment_for(database_url), "PYTHON_DOTENV_DISABLED": "1"}
