"""Flask's half of the exercise fixtures: count the SQL statements the app runs.

SQLAlchemy calls `before_cursor_execute` listeners once per statement sent to the database,
so listening on the app's engine (Flask-SQLAlchemy keeps one per app) sees every query.
https://docs.sqlalchemy.org/en/20/core/events.html#sqlalchemy.events.ConnectionEvents.before_cursor_execute
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event


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
