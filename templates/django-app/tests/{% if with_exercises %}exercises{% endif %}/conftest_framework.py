"""Django's half of the exercise fixtures: count the SQL statements the app runs.

`CaptureQueriesContext` records every query of a connection, even with DEBUG off; the app
answers the test client in this thread, so the default connection is the one it uses.
https://docs.djangoproject.com/en/stable/topics/testing/tools/#django.test.utils.CaptureQueriesContext
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def capture_queries(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Collect the SQL of every statement the app runs inside the block."""
    request.getfixturevalue("app_client")  # the database is set up before counting starts
    statements: list[str] = []
    with CaptureQueriesContext(connection) as context:
        yield statements
    statements.extend(query["sql"] for query in context.captured_queries)
