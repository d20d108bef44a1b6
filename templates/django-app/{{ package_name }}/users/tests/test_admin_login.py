"""The admin login at ADMIN_URL shares the API's login throttle (CONTRACT.md, ASVS 2.2.1)."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.test import Client

from ..throttling import reset_login_throttles
from .factories import PASSWORD, AdminFactory, UserFactory

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.http import HttpResponseBase

pytestmark = [pytest.mark.django_db, pytest.mark.asvs("2.2.1")]

ADMIN_LOGIN = f"/{settings.ADMIN_URL}login/"
API_LOGIN = "/api/v1/auth/login"
WRONG_PASSWORD = "not-the-password-1"
ATTACKER = "203.0.113.10"
OWNER = "198.51.100.20"


@pytest.fixture(autouse=True)
def fresh_throttle() -> Iterator[None]:
    """Empty login counters for every test."""
    reset_login_throttles()
    yield
    reset_login_throttles()


@pytest.fixture
def admin_email() -> str:
    """The address of an admin whose password is PASSWORD."""
    return AdminFactory.create(email="root@example.com").email


def admin_login(email: str, password: str, address: str = ATTACKER) -> HttpResponseBase:
    """Post the admin's login form from `address` (a fresh client: no session, no cookie)."""
    client = Client(REMOTE_ADDR=address)
    return client.post(ADMIN_LOGIN, {"username": email, "password": password})


def api_login(email: str, password: str, address: str = ATTACKER) -> HttpResponseBase:
    """POST /auth/login from `address`."""
    client = Client(REMOTE_ADDR=address)
    body = {"email": email, "password": password}
    return client.post(API_LOGIN, body, content_type="application/json")


def events(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The messages of the captured log records."""
    return [record.getMessage() for record in caplog.records]


def test_five_wrong_admin_passwords_lock_the_admin_login(
    admin_email: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for _ in range(5):
        assert admin_login(admin_email, WRONG_PASSWORD).status_code == HTTPStatus.OK

    locked = admin_login(admin_email, PASSWORD)

    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert locked["Content-Type"] == "application/problem+json"
    # Five failures moments ago: the lock ends about 15 minutes from now, never sooner.
    assert 15 * 60 - 120 <= int(locked["Retry-After"]) <= 15 * 60
    assert events(caplog).count("authn_login_fail") == 5
    assert "authn_login_lock" in events(caplog)
    assert "authn_login_success" not in events(caplog)


def test_an_email_locked_out_of_the_api_is_locked_out_of_the_admin(admin_email: str) -> None:
    for _ in range(5):
        assert api_login(admin_email, WRONG_PASSWORD).status_code == HTTPStatus.UNAUTHORIZED

    assert admin_login(admin_email, PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_admin_failures_count_towards_the_api_lock(admin_email: str) -> None:
    for _ in range(5):
        admin_login(admin_email, WRONG_PASSWORD)

    assert api_login(admin_email, PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_the_admin_at_another_address_still_logs_in(
    admin_email: str, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(5):
        admin_login(admin_email.upper(), WRONG_PASSWORD)
    caplog.set_level(logging.INFO)

    response = admin_login(admin_email, PASSWORD, address=OWNER)

    assert response.status_code == HTTPStatus.FOUND
    assert "authn_login_success" in events(caplog)


def test_a_non_admin_with_the_right_password_counts_as_a_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = UserFactory.create(email="plain@example.com")
    caplog.set_level(logging.INFO)

    assert admin_login(user.email, PASSWORD).status_code == HTTPStatus.OK
    assert "authn_login_fail" in events(caplog)
