"""Excessive data exposure (ASVS 15.3.1, API3) and SQL injection (ASVS 5.3.4, A03)."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from tests.contract.helpers import USER_KEYS

API = "/api/v1"
PASSWORD = "exposure-Test-pass!"
# No answer outside the token endpoints may carry a key containing one of these.
SECRET_KEY_PARTS = ("password", "hash", "token", "secret", "salt", "jti")


def secret_looking_keys(value, where="$"):
    """Find keys that look like credentials anywhere inside a JSON value.

    Args:
        value: A parsed JSON value.
        where: The path of ``value``, for the message.

    Returns:
        The JSON paths of suspicious keys.
    """
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if any(part in key.lower() for part in SECRET_KEY_PARTS):
                found.append(f"{where}.{key}")
            found.extend(secret_looking_keys(inner, f"{where}.{key}"))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found.extend(secret_looking_keys(inner, f"{where}[{index}]"))
    return found


@pytest.fixture
def user_with_a_task(client, signed_in):
    """A signed-in user who owns one task{% if with_jobs %} (verified, so that the export answers){% endif %}."""
    account = signed_in({% if with_jobs %}verified=True{% endif %})
    response = client.post(
        f"{API}/tasks", json={"title": "private plans"}, headers=account.headers
    )
    assert response.status_code == HTTPStatus.CREATED
    return account


@pytest.mark.asvs("15.3.1")
def test_user_answers_hold_exactly_the_public_fields(client, signed_in, unique_email):
    registered = client.post(
        f"{API}/auth/register",
        json={"email": unique_email("exposed"), "password": PASSWORD, "full_name": "Ex"},
    )
    account = signed_in()
    me = client.get(f"{API}/users/me", headers=account.headers)
    patched = client.patch(f"{API}/users/me", json={"full_name": "New"}, headers=account.headers)

    for response in (registered, me, patched):
        assert response.status_code < HTTPStatus.BAD_REQUEST, response.text
        assert set(response.json()) == USER_KEYS


@pytest.mark.asvs("15.3.1")
def test_user_list_items_hold_exactly_the_public_fields(client, signed_in):
    admin = signed_in("admin")
    signed_in()

    page = client.get(f"{API}/users", headers=admin.headers).json()

    assert len(page["items"]) >= 2
    for user in page["items"]:
        assert set(user) == USER_KEYS


@pytest.mark.asvs("15.3.1")
def test_no_answer_carries_a_hash_or_token_field(client, user_with_a_task):
    headers = user_with_a_task.headers
    answers = {
        "me": client.get(f"{API}/users/me", headers=headers),
        "tasks": client.get(f"{API}/tasks", headers=headers),
        "export": client.get(f"{API}/tasks/export", params={"format": "json"}, headers=headers),
        "bad login": client.post(
            f"{API}/auth/login", json={"email": user_with_a_task.email, "password": "nope-x"}
        ),
    }

    for name, response in answers.items():
        assert secret_looking_keys(response.json()) == [], name
        assert user_with_a_task.password not in response.text, name
        assert user_with_a_task.refresh_token not in response.text, name


@pytest.mark.asvs("3.4.1")
def test_the_api_sets_no_cookie(client, user_with_a_task, unique_email):
    # Bearer tokens only: a cookie would be a credential a browser sends by itself (CSRF).
    headers = user_with_a_task.headers
    login = client.post(
        f"{API}/auth/login",
        json={"email": user_with_a_task.email, "password": user_with_a_task.password},
    )
    answers = {
        "register": client.post(
            f"{API}/auth/register",
            json={"email": unique_email("cookie"), "password": PASSWORD, "full_name": "C"},
        ),
        "login": login,
        "refresh": client.post(
            f"{API}/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
        ),
        "tasks": client.get(f"{API}/tasks", headers=headers),
        "me": client.get(f"{API}/users/me", headers=headers),
    }

    for name, response in answers.items():
        assert response.status_code < HTTPStatus.BAD_REQUEST, (name, response.text)
        assert "set-cookie" not in response.headers, name


@pytest.mark.asvs("15.3.1")
def test_admin_answers_carry_no_hash_or_token_field(client, signed_in, user_with_a_task):
    admin = signed_in("admin")

    for path in (f"{API}/users", f"{API}/reports/summary", f"{API}/tasks"):
        response = client.get(path, headers=admin.headers)
        assert response.status_code == HTTPStatus.OK
        assert secret_looking_keys(response.json()) == [], path
        assert user_with_a_task.password not in response.text


# SQL injection ---------------------------------------------------------------------------

INJECTIONS = ["' OR 1=1--", "' OR '1'='1", '" OR ""="', "1; DROP TABLE users;--", "%' --"]


@pytest.mark.asvs("5.3.4")
@pytest.mark.parametrize("payload", INJECTIONS)
def test_injected_login_password_is_refused(client, user_with_a_task, payload):
    response = client.post(
        f"{API}/auth/login", json={"email": user_with_a_task.email, "password": payload}
    )

    assert response.status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.asvs("5.3.4")
@pytest.mark.parametrize("payload", INJECTIONS)
def test_injected_login_email_is_refused(client, user_with_a_task, payload):
    for email in (payload, f"{user_with_a_task.email}{payload}"):
        response = client.post(f"{API}/auth/login", json={"email": email, "password": payload})
        assert response.status_code in {HTTPStatus.UNAUTHORIZED, HTTPStatus.UNPROCESSABLE_ENTITY}


@pytest.mark.asvs("5.3.4")
@pytest.mark.parametrize("payload", INJECTIONS)
def test_injected_list_parameters_return_nothing_extra(
    client, signed_in, user_with_a_task, payload
):
    intruder = signed_in()
    for params in ({"status": payload}, {"limit": payload}, {"offset": payload}):
        response = client.get(f"{API}/tasks", params=params, headers=intruder.headers)
        assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, params

    page = client.get(f"{API}/tasks", headers=intruder.headers).json()
    assert page["items"] == []
    assert page["total"] == 0


@pytest.mark.asvs("5.3.4")
@pytest.mark.parametrize("payload", ["1 OR 1=1", "1' OR '1'='1", "0 UNION SELECT 1"])
def test_injected_task_id_reaches_no_task(client, signed_in, user_with_a_task, payload):
    intruder = signed_in()

    response = client.get(f"{API}/tasks/{payload}", headers=intruder.headers)

    assert response.status_code in {HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY}
    assert "private plans" not in response.text


@pytest.mark.asvs("5.3.4")
@pytest.mark.parametrize("payload", INJECTIONS)
def test_injected_text_is_stored_as_plain_data(client, user_with_a_task, payload):
    headers = user_with_a_task.headers

    created = client.post(f"{API}/tasks", json={"title": payload}, headers=headers)

    assert created.status_code == HTTPStatus.CREATED
    assert created.json()["title"] == payload.strip()
    page = client.get(f"{API}/tasks", headers=headers).json()
    assert page["total"] == 2
    assert payload.strip() in {task["title"] for task in page["items"]}


@pytest.mark.asvs("5.3.4")
@pytest.mark.parametrize("payload", INJECTIONS)
def test_injected_registration_email_is_refused_and_users_survive(
    client, user_with_a_task, payload
):
    response = client.post(
        f"{API}/auth/register",
        json={"email": payload, "password": PASSWORD, "full_name": payload},
    )

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    me = client.get(f"{API}/users/me", headers=user_with_a_task.headers)
    assert me.status_code == HTTPStatus.OK
