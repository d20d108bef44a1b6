"""How request bodies are read: nesting depth and chunked transfer (CONTRACT.md, request bodies).

A JSON body may nest arrays and objects 32 levels deep (the outermost one is level 1); a
deeper one is a 400 problem, never a crash of the parser. A body sent with
``Transfer-Encoding: chunked`` (no ``Content-Length``) is read like any other, and the size
limit applies to it too.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

import pytest

from .helpers import API, assert_problem, assert_validation_error

LOGIN = f"{API}/auth/login"
TASKS = f"{API}/tasks"
JSON = {"Content-Type": "application/json"}
MAX_DEPTH = 32
MAX_BODY_BYTES = 1024 * 1024  # the default of CONTRACT.md, which the test settings keep
CHUNK_BYTES = 64 * 1024


def nested(levels):
    """A JSON value of ``levels`` nested containers, arrays and objects taking turns.

    Args:
        levels: How many arrays and objects nest inside each other (at least 1).

    Returns:
        The value, built without recursion.
    """
    value: object = []
    for level in range(1, levels):
        value = {"deeper": value} if level % 2 else [value]
    return value


def deep_task_body(depth):
    """A POST /tasks body whose deepest point is ``depth`` levels down, the body included.

    Args:
        depth: The nesting depth of the whole document.

    Returns:
        The encoded body.
    """
    body = {"title": "Deep", "description": nested(depth - 1)}
    return json.dumps(body).encode()


def chunks(body, size=CHUNK_BYTES):
    """Yield ``body`` in pieces, so that httpx sends it chunked, without a Content-Length.

    Args:
        body: The bytes to send.
        size: The length of each piece.

    Yields:
        The pieces, in order.
    """
    for start in range(0, len(body), size):
        yield body[start : start + size]


def assert_too_deep(response):
    """Assert the 400 problem of a body nested too deeply.

    Args:
        response: The answer to check.
    """
    problem = assert_problem(response, HTTPStatus.BAD_REQUEST)
    assert problem["title"] == "Bad Request"
    assert "nested too deeply" in problem["detail"], problem["detail"]


# Nesting depth ------------------------------------------------------------------------------


def test_the_depth_helpers_measure_what_the_contract_counts():
    # The test's own yardstick: json.dumps(nested(n)) opens exactly n brackets before any closes.
    assert json.dumps(nested(3)) == '[{"deeper": []}]'
    body = deep_task_body(MAX_DEPTH + 1).decode()
    assert body.count("[") + body.count("{") == MAX_DEPTH + 1


@pytest.mark.asvs("5.1.4")
def test_a_thousand_nested_arrays_to_the_login_are_400(client):
    body = b"[" * 1000 + b"]" * 1000

    response = client.post(LOGIN, content=body, headers=JSON)

    assert_too_deep(response)


@pytest.mark.asvs("5.1.4")
def test_a_thousand_nested_arrays_to_an_authenticated_route_are_400(client, signed_in):
    account = signed_in()
    body = b"[" * 1000 + b"]" * 1000

    response = client.post(TASKS, content=body, headers={**account.headers, **JSON})

    assert_too_deep(response)


@pytest.mark.asvs("5.1.4")
def test_a_hundred_thousand_nested_objects_are_400(client):
    body = b'{"a":' * 100_000 + b"1" + b"}" * 100_000

    response = client.post(LOGIN, content=body, headers=JSON)

    assert_too_deep(response)


@pytest.mark.asvs("5.1.4")
def test_a_task_body_one_level_too_deep_is_400_and_not_stored(client, signed_in):
    account = signed_in()

    response = client.post(
        TASKS, content=deep_task_body(MAX_DEPTH + 1), headers={**account.headers, **JSON}
    )

    assert_too_deep(response)
    assert client.get(TASKS, headers=account.headers).json()["total"] == 0


def test_a_task_body_at_the_depth_limit_is_judged_on_its_fields(client, signed_in):
    account = signed_in()

    response = client.post(
        TASKS, content=deep_task_body(MAX_DEPTH), headers={**account.headers, **JSON}
    )

    # Not refused for its depth: the description is simply not a string.
    assert_validation_error(response, "description")


def test_a_too_deep_body_is_logged_without_a_traceback(client, in_process, caplog):
    caplog.set_level(logging.DEBUG)

    response = client.post(LOGIN, content=b"[" * 5000 + b"]" * 5000, headers=JSON)

    assert_too_deep(response)
    for record in caplog.records:
        assert record.exc_info is None, f"{record.name} logged a traceback: {record.msg}"
        assert record.levelno < logging.ERROR, f"{record.name} logged an error: {record.msg}"


# Chunked bodies -----------------------------------------------------------------------------


@pytest.mark.asvs("12.1.1")
def test_a_chunked_task_body_creates_the_task(client, signed_in):
    account = signed_in()
    # Longer than one chunk, shorter than the 10,000 characters a description may have.
    body = json.dumps({"title": "Sent in chunks", "description": "x" * 9_000}).encode()

    response = client.post(
        TASKS, content=chunks(body, size=1024), headers={**account.headers, **JSON}
    )

    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in response.request.headers
    assert response.status_code == HTTPStatus.CREATED, response.text
    created = response.json()
    assert created["title"] == "Sent in chunks"
    assert created["description"] == "x" * 9_000
    assert client.get(f"{TASKS}/{created['id']}", headers=account.headers).status_code == 200


@pytest.mark.asvs("12.1.1")
def test_a_chunked_body_over_the_limit_is_413_and_not_stored(client, signed_in):
    account = signed_in()
    body = json.dumps({"title": "big", "description": "d" * MAX_BODY_BYTES}).encode()

    response = client.post(TASKS, content=chunks(body), headers={**account.headers, **JSON})

    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert_problem(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    assert client.get(TASKS, headers=account.headers).json()["total"] == 0
