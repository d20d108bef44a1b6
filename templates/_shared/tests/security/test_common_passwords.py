"""Common passwords are refused, from one list shared by every framework (CONTRACT.md, users).

The list ships in every project (``common-passwords.txt``, over 10,000 entries) and is
compared lower-cased, so the case a password is typed in does not help it through.
"""

from __future__ import annotations

import uuid
from http import HTTPStatus

import pytest

from tests.contract.helpers import API, assert_validation_error

REGISTER = f"{API}/auth/register"
# Long enough for the 12-character minimum, and on every list of breached passwords.
COMMON = [
    "iloveyou1234",
    "passw0rd1234",
    "passwordpassword",
    "password1234",
    "123456789012",
    "1q2w3e4r5t6y",
    "qwertyuiop12",
    "PASSWORD1234",
    "PasswordPassword",
]


def register(client, password):
    """POST /auth/register with a fresh address and ``password``.

    Args:
        client: The client under test.
        password: The password to try.

    Returns:
        The raw response.
    """
    email = f"common-{uuid.uuid4().hex[:12]}@example.com"
    body = {"email": email, "password": password, "full_name": "Common Tester"}
    return client.post(REGISTER, json=body)


@pytest.mark.asvs("2.1.7")
@pytest.mark.parametrize("password", COMMON)
def test_a_common_password_is_refused_at_registration(client, password):
    assert_validation_error(register(client, password), "password")


@pytest.mark.asvs("2.1.7")
def test_an_uncommon_password_of_the_same_length_is_accepted(client):
    response = register(client, "vq7-Lantern-Oboe")

    assert response.status_code == HTTPStatus.CREATED, response.text


@pytest.mark.asvs("2.1.7")
def test_a_common_password_is_refused_as_a_new_password(client, signed_in):
    account = signed_in()

    response = client.post(
        f"{API}/users/me/password",
        json={"current_password": account.password, "new_password": "Passw0rd1234"},
        headers=account.headers,
    )

    assert_validation_error(response, "new_password")
