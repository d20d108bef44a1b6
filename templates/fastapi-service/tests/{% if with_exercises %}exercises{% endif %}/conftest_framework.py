"""FastAPI's half of the exercise fixtures: count the SQL statements the app runs.

SQLAlchemy calls `before_cursor_execute` listeners once per statement sent to the database,
so listening on the app's engine sees every query a request makes.
https://docs.sqlalchemy.org/en/20/core/events.html#sqlalchemy.events.ConnectionEvents.before_cursor_execute

`migration_command` is the project's own migration command (exercise 12): `alembic downgrade
-1` undoes the newest migration, `alembic upgrade head` applies them all.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event


@contextmanager
def capture_queries(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Collect the SQL of every statement the test's app runs inside the block."""
    engine = request.getfixturevalue("app").state.engine
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
    del request  # the URL is all Alembic needs (migrations/env.py reads `-x database_url`)
    step = ["downgrade", "-1"] if direction == "down" else ["upgrade", "head"]
    return [sys.executable, "-m", "alembic", "-x", f"database_url={database_url}", *step], {}
