"""Fixtures of the exercise tests.

The exercises are specified like the contract suite, through the same two names, so one spec
serves Flask, Django and FastAPI and also runs against a live server (``--base-url``):

- ``client``: the framework's ``app_client``, or an ``httpx.Client`` on the live server;
- ``create_user``: the framework's (direct database write), or registration through the API.

One more in-process fixture is declared here and implemented per framework in
``conftest_framework.py`` beside this file: ``query_counter``, which counts the SQL statements
the app runs (exercise 9). ``stored_schema`` reads the app's database for the schema checks
(``schema.py``). Tests that use either are skipped under ``--base-url``.

These tests are marked ``exercise`` and left out of ``make test``; ``make exercises`` (or
``python -m exercises.check``) runs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

# The same two bindings as the contract and security suites, from their one source; a fixture
# imported into a conftest is registered there.
from tests.contract.conftest import client, create_user  # noqa: F401

from .conftest_framework import capture_queries
from .schema import StoredSchema

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from contextlib import AbstractContextManager

    QueryCounter = Callable[[], AbstractContextManager[list[str]]]


@pytest.fixture
def query_counter(request: pytest.FixtureRequest, in_process: None) -> QueryCounter:
    """``with query_counter() as queries: ...``: ``queries`` lists the SQL the app ran inside.

    The list grows while the block runs and is complete when it ends. Only statements the
    app's own database connection executes are counted, so the count is the same whichever
    framework serves the request.
    """

    def counter() -> AbstractContextManager[list[str]]:
        return capture_queries(request)

    return counter


@pytest.fixture
def stored_schema(in_process: None, database_url: str) -> Iterator[StoredSchema]:
    """The app's database under test, as SQLAlchemy's inspector reads it (schema checks)."""
    schema = StoredSchema(database_url)
    yield schema
    schema.close()
