"""Helpers for the API tests: users who are already logged in."""

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import CreateUser

API = "/api/v1"
PASSWORD = "api-tests-passphrase-42"
Headers = dict[str, str]


def login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """Log in and return the token pair."""
    response = client.post(f"{API}/auth/login", json={"email": email, "password": password})
    assert response.status_code == HTTPStatus.OK, response.text
    pair: dict[str, Any] = response.json()
    return pair


@pytest.fixture
def headers_for(app_client: TestClient, create_user: CreateUser) -> Callable[..., Headers]:
    """`headers_for(email, role="user")`: create that user, log in, return auth headers."""

    def make(email: str, role: str = "user") -> Headers:
        create_user(email, PASSWORD, role)
        return {"Authorization": f"Bearer {login(app_client, email)['access_token']}"}

    return make


@pytest.fixture
def alice(headers_for: Callable[..., Headers]) -> Headers:
    """A plain user."""
    return headers_for("alice@example.com")


@pytest.fixture
def admin(headers_for: Callable[..., Headers]) -> Headers:
    """An admin."""
    return headers_for("root@example.com", "admin")
