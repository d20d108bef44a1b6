"""Registration, login, refresh and logout through the API."""

from http import HTTPStatus

from fastapi.testclient import TestClient

from tests.api.conftest import API, PASSWORD, login
from tests.conftest import CreateUser


def test_register_normalises_the_email_and_returns_the_public_user(
    app_client: TestClient,
) -> None:
    response = app_client.post(
        f"{API}/auth/register",
        json={"email": "  Grace@Example.COM ", "password": PASSWORD, "full_name": "Grace"},
    )

    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert body["email"] == "grace@example.com"
    assert body["role"] == "user"
    assert set(body) == {"id", "email", "full_name", "role", "is_active", "created_at"}


def test_register_twice_is_a_conflict(app_client: TestClient) -> None:
    payload = {"email": "dup@example.com", "password": PASSWORD, "full_name": ""}
    app_client.post(f"{API}/auth/register", json=payload)

    response = app_client.post(f"{API}/auth/register", json=payload)

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.headers["content-type"] == "application/problem+json"


def test_register_reports_a_weak_password_on_the_password_field(app_client: TestClient) -> None:
    response = app_client.post(
        f"{API}/auth/register",
        json={"email": "weak@example.com", "password": "password1234", "full_name": ""},
    )

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert [error["field"] for error in response.json()["errors"]] == ["password"]


def test_login_returns_a_bearer_pair(app_client: TestClient, create_user: CreateUser) -> None:
    create_user("bob@example.com", PASSWORD)

    pair = login(app_client, "BOB@example.com")

    assert pair["token_type"] == "bearer"
    assert pair["expires_in"] == 15 * 60


def test_refresh_rotates_and_the_old_token_stops_working(
    app_client: TestClient, create_user: CreateUser
) -> None:
    create_user("carol@example.com", PASSWORD)
    first = login(app_client, "carol@example.com")["refresh_token"]

    rotated = app_client.post(f"{API}/auth/refresh", json={"refresh_token": first})
    replayed = app_client.post(f"{API}/auth/refresh", json={"refresh_token": first})

    assert rotated.status_code == HTTPStatus.OK
    assert replayed.status_code == HTTPStatus.UNAUTHORIZED


def test_a_replayed_token_revokes_the_whole_family(
    app_client: TestClient, create_user: CreateUser
) -> None:
    create_user("dave@example.com", PASSWORD)
    first = login(app_client, "dave@example.com")["refresh_token"]
    second = app_client.post(f"{API}/auth/refresh", json={"refresh_token": first}).json()

    app_client.post(f"{API}/auth/refresh", json={"refresh_token": first})
    after_reuse = app_client.post(
        f"{API}/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )

    assert after_reuse.status_code == HTTPStatus.UNAUTHORIZED


def test_other_logins_survive_a_replay_in_one_family(
    app_client: TestClient, create_user: CreateUser
) -> None:
    create_user("erin@example.com", PASSWORD)
    laptop = login(app_client, "erin@example.com")["refresh_token"]
    phone = login(app_client, "erin@example.com")["refresh_token"]
    app_client.post(f"{API}/auth/refresh", json={"refresh_token": laptop})

    app_client.post(f"{API}/auth/refresh", json={"refresh_token": laptop})

    still_ok = app_client.post(f"{API}/auth/refresh", json={"refresh_token": phone})
    assert still_ok.status_code == HTTPStatus.OK


def test_logout_revokes_the_refresh_token(app_client: TestClient, create_user: CreateUser) -> None:
    create_user("frank@example.com", PASSWORD)
    pair = login(app_client, "frank@example.com")
    headers = {"Authorization": f"Bearer {pair['access_token']}"}

    logout = app_client.post(
        f"{API}/auth/logout", json={"refresh_token": pair["refresh_token"]}, headers=headers
    )
    refresh = app_client.post(f"{API}/auth/refresh", json={"refresh_token": pair["refresh_token"]})

    assert logout.status_code == HTTPStatus.NO_CONTENT
    assert refresh.status_code == HTTPStatus.UNAUTHORIZED


def test_changing_the_password_revokes_every_refresh_token(
    app_client: TestClient, create_user: CreateUser
) -> None:
    create_user("gina@example.com", PASSWORD)
    pair = login(app_client, "gina@example.com")
    headers = {"Authorization": f"Bearer {pair['access_token']}"}

    changed = app_client.post(
        f"{API}/users/me/password",
        json={"current_password": PASSWORD, "new_password": "a-brand-new-passphrase"},
        headers=headers,
    )
    refresh = app_client.post(f"{API}/auth/refresh", json={"refresh_token": pair["refresh_token"]})

    assert changed.status_code == HTTPStatus.NO_CONTENT
    assert refresh.status_code == HTTPStatus.UNAUTHORIZED
    assert login(app_client, "gina@example.com", "a-brand-new-passphrase")["access_token"]
