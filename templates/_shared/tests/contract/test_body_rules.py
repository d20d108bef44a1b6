"""Media types, the order of the checks, 204 answers and ``Allow`` (CONTRACT.md, section 7).

Each framework has its own habits here (one parses the body before it authenticates, another
looks the object up before it reads the body, one takes ``+json`` types, another refuses them);
these tests hold all three to the one order and the one answer the contract writes down.
"""

from __future__ import annotations

import json
from http import HTTPStatus

import pytest

from .helpers import (
    API,
    DEFAULT_PASSWORD,
    assert_problem,
    assert_validation_error,
    post_task,
)

LOGIN = f"{API}/auth/login"
REGISTER = f"{API}/auth/register"
TASKS = f"{API}/tasks"
TOO_DEEP = b"[" * 2000 + b"]" * 2000
NOT_JSON = b'{"title": '
REFUSED_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/merge-patch+json",
    "application/xml",
    None,
]


def send(client, method, path, body, content_type, *, headers=None):
    """Send ``body`` as it is, with ``content_type`` (``None``: no ``Content-Type`` at all)."""
    sent = dict(headers or {})
    if content_type is not None:
        sent["Content-Type"] = content_type
    return client.request(method, path, content=body, headers=sent)


def registration(unique_email):
    """A valid registration body and its address."""
    email = unique_email("media")
    body = {"email": email, "password": DEFAULT_PASSWORD, "full_name": "Media Type"}
    return email, json.dumps(body).encode()


@pytest.mark.parametrize("content_type", REFUSED_TYPES)
def test_a_registration_in_another_media_type_is_415_and_stores_nothing(
    client, unique_email, content_type
):
    email, body = registration(unique_email)

    assert_problem(
        send(client, "POST", REGISTER, body, content_type), HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    )

    # The same body as JSON then registers the address: the refused one left no account.
    retried = send(client, "POST", REGISTER, body, "application/json")
    assert retried.status_code == HTTPStatus.CREATED, retried.text
    assert retried.json()["email"] == email


@pytest.mark.parametrize("content_type", REFUSED_TYPES)
def test_a_task_in_another_media_type_is_415_and_stores_nothing(client, signed_in, content_type):
    alice = signed_in()
    body = json.dumps({"title": "sent as something else"}).encode()

    response = send(client, "POST", TASKS, body, content_type, headers=alice.headers)

    assert_problem(response, HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
    assert client.get(TASKS, headers=alice.headers).json()["total"] == 0


@pytest.mark.parametrize("content_type", ["text/plain", None, "application/merge-patch+json"])
def test_a_task_update_in_another_media_type_is_415_and_changes_nothing(
    client, signed_in, content_type
):
    alice = signed_in()
    task = post_task(client, alice, title="before")
    path = f"{TASKS}/{task['id']}"

    response = send(
        client, "PATCH", path, b'{"title": "after"}', content_type, headers=alice.headers
    )

    assert_problem(response, HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
    assert client.get(path, headers=alice.headers).json()["title"] == "before"


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8"],
)
def test_json_with_parameters_or_in_capitals_is_read(client, unique_email, content_type):
    email, body = registration(unique_email)

    response = send(client, "POST", REGISTER, body, content_type)

    assert response.status_code == HTTPStatus.CREATED, response.text
    assert response.json()["email"] == email


@pytest.mark.parametrize("content_type", [None, "application/json", "text/plain"])
def test_an_empty_body_is_a_422_about_the_whole_body(client, signed_in, content_type):
    alice = signed_in()
    task = post_task(client, alice, title="kept")

    for method, path, headers in (
        ("POST", LOGIN, {}),
        ("POST", TASKS, alice.headers),
        ("PATCH", f"{TASKS}/{task['id']}", alice.headers),
        ("PATCH", f"{API}/users/me", alice.headers),
    ):
        response = send(client, method, path, b"", content_type, headers=headers)
        assert_validation_error(response, "")
    assert client.get(f"{TASKS}/{task['id']}", headers=alice.headers).json()["title"] == "kept"


def test_login_checks_no_rule_on_its_strings(client, signed_in):
    alice = signed_in()
    wrong = client.post(LOGIN, json={"email": alice.email, "password": "not the password"})
    assert_problem(wrong, HTTPStatus.UNAUTHORIZED)

    for email, password in (("", ""), ("", alice.password), (alice.email, ""), ("x" * 254, "x")):
        response = client.post(LOGIN, json={"email": email, "password": password})
        assert_problem(response, HTTPStatus.UNAUTHORIZED)
        assert response.json() == wrong.json()
    too_long = client.post(LOGIN, json={"email": "x" * 255, "password": "x"})
    assert_validation_error(too_long, "email")


# The order of the checks ---------------------------------------------------------------------

BAD_BODIES = [
    pytest.param(b'{"title": "x"}', "text/plain", id="media type"),
    pytest.param(TOO_DEEP, "application/json", id="too deep"),
    pytest.param(NOT_JSON, "application/json", id="not JSON"),
    pytest.param(b'{"title": 5}', "application/json", id="fields"),
]


@pytest.mark.parametrize(("body", "content_type"), BAD_BODIES)
@pytest.mark.parametrize("token", [None, "not-a-token"], ids=["no token", "bad token"])
def test_the_token_is_judged_before_the_body(client, body, content_type, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    for method, path in (("POST", TASKS), ("PATCH", f"{API}/users/me"), ("PATCH", f"{TASKS}/1")):
        response = send(client, method, path, body, content_type, headers=headers)
        assert_problem(response, HTTPStatus.UNAUTHORIZED)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        pytest.param(b'{"title": "x"}', "text/plain", HTTPStatus.UNSUPPORTED_MEDIA_TYPE, id="415"),
        pytest.param(TOO_DEEP, "application/json", HTTPStatus.BAD_REQUEST, id="400 too deep"),
        pytest.param(NOT_JSON, "application/json", HTTPStatus.BAD_REQUEST, id="400 not JSON"),
        pytest.param(
            b'{"title": 5}', "application/json", HTTPStatus.UNPROCESSABLE_ENTITY, id="422"
        ),
        pytest.param(b'{"title": "fine"}', "application/json", HTTPStatus.NOT_FOUND, id="404"),
    ],
)
def test_the_body_is_judged_before_the_task_it_names(
    client, signed_in, body, content_type, status
):
    alice, bob = signed_in(), signed_in()
    bobs = post_task(client, bob, title="bob's")

    for task_id in (bobs["id"], bobs["id"] + 1000):  # another user's task, then one that is not
        path = f"{TASKS}/{task_id}"
        response = send(client, "PATCH", path, body, content_type, headers=alice.headers)
        assert_problem(response, status)
    assert client.get(f"{TASKS}/{bobs['id']}", headers=bob.headers).json()["title"] == "bob's"


# 204 answers and Allow -------------------------------------------------------------------------


def assert_no_content(response):
    """A 204 with neither a body nor a ``Content-Type`` (CONTRACT.md, section 7)."""
    assert response.status_code == HTTPStatus.NO_CONTENT, response.text
    assert response.content == b""
    assert "content-type" not in response.headers, response.headers


def test_every_204_has_no_body_and_no_content_type(client, signed_in):
    alice = signed_in()
    task = post_task(client, alice)

    assert_no_content(client.delete(f"{TASKS}/{task['id']}", headers=alice.headers))
    assert_no_content(client.options(TASKS))
    assert_no_content(client.options(f"{TASKS}/{task['id']}"))
    change = {"current_password": alice.password, "new_password": DEFAULT_PASSWORD + "-2"}
    assert_no_content(client.post(f"{API}/users/me/password", json=change, headers=alice.headers))
    logout = {"refresh_token": alice.refresh_token}
    assert_no_content(client.post(f"{API}/auth/logout", json=logout, headers=alice.headers))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("OPTIONS", TASKS),
        ("OPTIONS", f"{TASKS}/1"),
        ("OPTIONS", f"{API}/users/me"),
        ("PUT", TASKS),
        ("PUT", f"{TASKS}/1"),
        ("POST", "/health/live"),
    ],
)
def test_allow_names_the_methods_in_alphabetical_order(client, method, path):
    response = client.request(method, path)

    methods = [name.strip() for name in response.headers["allow"].split(",")]
    assert methods == sorted(methods), response.headers["allow"]


def test_only_options_and_405_answers_carry_allow(client, signed_in):
    alice = signed_in()
    task = post_task(client, alice)
    path = f"{TASKS}/{task['id']}"

    for response in (
        client.get(TASKS, headers=alice.headers),
        client.get(path, headers=alice.headers),
        client.patch(path, json={"title": "new"}, headers=alice.headers),
        client.get(f"{TASKS}/{task['id'] + 1000}", headers=alice.headers),
        client.post(TASKS, json={}, headers=alice.headers),
        client.get(TASKS),
        client.delete(path, headers=alice.headers),
    ):
        assert "allow" not in response.headers, (response.request.method, response.status_code)


# Ids in paths ------------------------------------------------------------------------------

OTHER_DIGITS = {"arabic-indic": 0x0660, "fullwidth": 0xFF10, "devanagari": 0x0966}


@pytest.mark.parametrize("script", sorted(OTHER_DIGITS))
def test_digits_of_other_scripts_name_no_task(client, signed_in, script):
    alice = signed_in()
    task = post_task(client, alice)
    written = str(task["id"]).translate({48 + n: OTHER_DIGITS[script] + n for n in range(10)})

    for method in ("GET", "PATCH", "DELETE"):
        body = {"json": {"title": "x"}} if method == "PATCH" else {}
        response = client.request(method, f"{TASKS}/{written}", headers=alice.headers, **body)
        assert_problem(response, HTTPStatus.NOT_FOUND)
    assert client.get(f"{TASKS}/{task['id']}", headers=alice.headers).json() == task
