"""HEAD, OPTIONS and 405 (CONTRACT.md, HTTP; RFC 9110 sections 9.3.2, 9.3.7 and 15.5.6).

- HEAD on a GET route answers what GET would, status and headers, without a body.
- OPTIONS on any route (not a CORS preflight: no ``Origin``) is 204 with an empty body and an
  ``Allow`` header listing every method of that path, HEAD and OPTIONS included.
- A method the path lacks is 405 problem+json with the same ``Allow``, even when the path's
  parameters are malformed (``/tasks/abc``).
"""

from __future__ import annotations

from http import HTTPStatus

import pytest

from .helpers import API, assert_problem, post_task

TASKS = f"{API}/tasks"
# Headers that differ between any two answers, whatever the method.
PER_ANSWER = frozenset({"date", "x-request-id"})
# Every method each path has, as Allow must list them.
ALLOWED = {
    "/health/live": {"GET", "HEAD", "OPTIONS"},
    f"{API}/auth/login": {"POST", "OPTIONS"},
    TASKS: {"GET", "HEAD", "POST", "OPTIONS"},
    f"{TASKS}/1": {"GET", "HEAD", "PATCH", "DELETE", "OPTIONS"},
    f"{TASKS}/export": {"GET", "HEAD", "OPTIONS"},
    f"{API}/users/me": {"GET", "HEAD", "PATCH", "OPTIONS"},
{%- if with_jobs %}
    f"{API}/auth/password-reset": {"POST", "OPTIONS"},
    f"{API}/auth/password-reset/confirm": {"POST", "OPTIONS"},
    f"{API}/auth/verify-email": {"POST", "OPTIONS"},
    f"{API}/auth/verify-email/resend": {"POST", "OPTIONS"},
{%- endif %}
}
MISSING_METHODS = [
    ("PUT", f"{TASKS}/1", ALLOWED[f"{TASKS}/1"]),
    ("PUT", f"{TASKS}/abc", ALLOWED[f"{TASKS}/1"]),
    ("POST", f"{TASKS}/99999999999999999999999", ALLOWED[f"{TASKS}/1"]),
    ("DELETE", TASKS, ALLOWED[TASKS]),
    ("PUT", f"{API}/users/me", ALLOWED[f"{API}/users/me"]),
    ("GET", f"{API}/auth/login", ALLOWED[f"{API}/auth/login"]),
    ("POST", "/health/live", ALLOWED["/health/live"]),
]


def allow(response):
    """The methods of the ``Allow`` header, as a set of upper-case names.

    Args:
        response: An answer that must carry ``Allow``.

    Returns:
        The set of methods.
    """
    assert "allow" in response.headers, dict(response.headers)
    return {method.strip().upper() for method in response.headers["allow"].split(",")}


def comparable(headers):
    """Headers as a dict without the ones that change from answer to answer.

    Args:
        headers: The headers of an answer.

    Returns:
        Lower-case name to value.
    """
    return {name.lower(): value for name, value in headers.items() if name not in PER_ANSWER}


@pytest.fixture
def get_routes(client, signed_in):
    """(path, headers) of GET routes that answer 200: public ones and a signed-in user's."""
    account = signed_in()
    task = post_task(client, account, title="Heads up")
    return [
        ("/health/live", {}),
        ("/openapi.json", {}),
        (TASKS, account.headers),
        (f"{TASKS}/{task['id']}", account.headers),
        (f"{API}/users/me", account.headers),
        (f"{TASKS}/{task['id'] + 1000}", account.headers),  # a 404 is mirrored too
    ]


def test_head_answers_like_get_without_a_body(client, get_routes):
    for path, headers in get_routes:
        got = client.get(path, headers=headers)
        head = client.head(path, headers=headers)

        assert head.status_code == got.status_code, path
        assert comparable(head.headers) == comparable(got.headers), path
        assert head.content == b"", path


@pytest.mark.parametrize("path", ALLOWED.keys())
def test_options_lists_every_method_of_the_path(client, path):
    response = client.options(path)

    assert response.status_code == HTTPStatus.NO_CONTENT, response.text
    assert response.content == b""
    assert allow(response) == ALLOWED[path]


def test_options_needs_no_token_and_reveals_no_cors_grant(client):
    response = client.options(f"{TASKS}/1")

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not [name for name in response.headers if name.startswith("access-control-")]


@pytest.mark.parametrize(("method", "path", "methods"), MISSING_METHODS)
def test_a_method_the_path_lacks_is_405_with_allow(client, method, path, methods):
    response = client.request(method, path, json={})

    assert_problem(response, HTTPStatus.METHOD_NOT_ALLOWED)
    assert allow(response) == methods


@pytest.mark.parametrize(("method", "path", "methods"), MISSING_METHODS[:4])
def test_a_405_is_the_same_for_a_signed_in_user(client, signed_in, method, path, methods):
    response = client.request(method, path, json={}, headers=signed_in().headers)

    assert_problem(response, HTTPStatus.METHOD_NOT_ALLOWED)
    assert allow(response) == methods
