"""Django's half of the exercise fixtures: count the SQL statements the app runs.

`CaptureQueriesContext` records every query of a connection, even with DEBUG off; the app
answers the test client in this thread, so the default connection is the one it uses.
https://docs.djangoproject.com/en/stable/topics/testing/tools/#django.test.utils.CaptureQueriesContext

`migration_command` is the project's own migration command (exercise 12): `manage.py migrate
tasks <the one before the newest>`, read from the migration graph, undoes the tasks app's
newest migration; `manage.py migrate` applies them all.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext


@contextmanager
def capture_queries(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Collect the SQL of every statement the app runs inside the block."""
    request.getfixturevalue("app_client")  # the database is set up before counting starts
    statements: list[str] = []
    with CaptureQueriesContext(connection) as context:
        yield statements
    statements.extend(query["sql"] for query in context.captured_queries)


def migration_command(
    request: pytest.FixtureRequest, direction: str, database_url: str
) -> tuple[list[str], dict[str, str]]:
    """The argv and environment that migrate ``database_url`` one step "down", or "up"."""
    del request
    target = []
    if direction == "down":
        graph = MigrationLoader(None, ignore_no_migrations=True).graph
        newest = graph.leaf_nodes("tasks")[0]
        before = [name for app, name in graph.node_map[newest].parents if app == "tasks"]
        target = ["tasks", before[0] if before else "zero"]
    argv = [sys.executable, "manage.py", "migrate", *target, "--no-input"]
    # The development settings (they read DATABASE_URL), pointed at the test's database.
    return argv, {"ENVIRONMENT": "development", "DATABASE_URL": database_url}
