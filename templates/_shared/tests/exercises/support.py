"""Assertions and helpers the exercise tests share, worded for the learner who reads them first.

`python -m exercises.check` shows the message of the first failing assertion, so every
message says what was sent, what came back and what was expected, in plain words.
"""

from __future__ import annotations

import contextlib
import threading
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator
    from http.server import ThreadingHTTPServer

    import httpx

API = "/api/v1"


def _status(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


def _excerpt(response: httpx.Response, limit: int = 300) -> str:
    text = response.text.strip().replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "..."


def expect(response: httpx.Response, status: HTTPStatus, action: str) -> Any:
    """Assert that ``action`` (e.g. ``"POST /tasks with tags"``) answered ``status``.

    Returns:
        The decoded JSON body, or None when the answer has no JSON body.
    """
    assert response.status_code == status, (
        f"{action} answered {_status(response.status_code)}, expected {_status(status)}. "
        f"Body: {_excerpt(response)}"
    )
    if response.content and "json" in response.headers.get("content-type", ""):
        return response.json()
    return None


def expect_field_error(response: httpx.Response, field: str, action: str) -> None:
    """Assert a 422 problem whose ``errors[].field`` names ``field``."""
    body = expect(response, HTTPStatus.UNPROCESSABLE_ENTITY, action)
    assert response.headers["content-type"].startswith("application/problem+json"), (
        f"{action}: a 422 must be application/problem+json, not {response.headers['content-type']}"
    )
    named = sorted(str(error.get("field")) for error in body.get("errors", []))
    assert field in named, (
        f"{action} answered 422 as expected, but errors[].field should name {field!r}; "
        f"it names {named}"
    )


def expect_key(body: dict[str, Any], key: str, what: str) -> Any:
    """Assert that a JSON object has ``key``; return its value."""
    assert key in body, f"{what} has no {key!r} key; its keys are {sorted(body)}"
    return body[key]


def bearer(token: str) -> dict[str, str]:
    """An Authorization header for an access token (or a personal token, exercise 5)."""
    return {"Authorization": f"Bearer {token}"}


@contextlib.contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    """Run a loopback `server` on a thread of its own for the block, then stop and close it."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
