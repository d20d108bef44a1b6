"""POST /auth/register, /auth/login, /auth/refresh and /auth/logout (CONTRACT.md)."""

from __future__ import annotations

from http import HTTPStatus

import jwt
import pytest

from .helpers import (
    API,
    DEFAULT_PASSWORD,
    TIMESTAMP_UTC,
    USER_KEYS,
    assert_problem,
    assert_validation_error,
    bearer,
    login,
)

REGISTER = f"{API}/auth/register"
REFRESH = f"{API}/auth/refresh"
LOGOUT = f"{API}/auth/logout"
ME = f"{API}/users/me"

# The throttle allows this many failed logins per email and client address per 15 minutes
# (CONTRACT.md); every test here logs in from one address. The second counter, per email
# across all addresses, and the client address rules are tested in
# tests/security/test_login_throttle.py.
ALLOWED_FAILURES = 5
FIFTEEN_MINUTES = 15 * 60


def register(client, email, password=DEFAULT_PASSWORD, full_name="Ada Lovelace"):
    """POST /auth/register with the three documented fields.

    Args:
        client: The client under test.
        email: Address to register.
        password: Password to register with.
        full_name: Display name.

    Returns:
        The raw response.
    """
    return client.post(
        REGISTER, json={"email": email, "password": password, "full_name": full_name}
    )


def fail_logins(client, email, times):
    """Send ``times`` logins with a wrong password and check each is a plain 401.

    Args:
        client: The client under test.
        email: Address to fail for.
        times: How many failures to send.
    """
    for _ in range(times):
        response = login(client, email, "wrong-password-123")
        assert response.status_code == HTTPStatus.UNAUTHORIZED, response.text


# Registration ------------------------------------------------------------------------------


def test_register_returns_201_and_the_public_user(client, unique_email):
    email = unique_email("reg")
    response = register(client, email, full_name="Grace Hopper")

    assert response.status_code == HTTPStatus.CREATED, response.text
    user = response.json()
    assert set(user) == USER_KEYS
    assert isinstance(user["id"], int)
    assert user["email"] == email
    assert user["full_name"] == "Grace Hopper"
    assert user["role"] == "user"
    assert user["is_active"] is True
    assert TIMESTAMP_UTC.match(user["created_at"])


def test_registered_user_can_log_in(client, unique_email):
    email = unique_email("reg")
    assert register(client, email).status_code == HTTPStatus.CREATED

    assert login(client, email, DEFAULT_PASSWORD).status_code == HTTPStatus.OK


def test_register_normalises_email_to_lower_case(client, unique_email):
    email = unique_email("MiXeD").upper()
    response = register(client, email)

    assert response.status_code == HTTPStatus.CREATED, response.text
    assert response.json()["email"] == email.lower()
    assert login(client, email.lower(), DEFAULT_PASSWORD).status_code == HTTPStatus.OK


def test_register_taken_email_is_409(client, unique_email):
    email = unique_email("taken")
    assert register(client, email).status_code == HTTPStatus.CREATED

    assert_problem(register(client, email), HTTPStatus.CONFLICT)


def test_register_taken_email_in_other_case_is_409(client, unique_email):
    email = unique_email("taken")
    assert register(client, email).status_code == HTTPStatus.CREATED

    assert_problem(register(client, email.upper()), HTTPStatus.CONFLICT)


@pytest.mark.asvs("5.1.2")
def test_register_rejects_a_role_in_the_body(client, unique_email):
    email = unique_email("mass")
    body = {"email": email, "password": DEFAULT_PASSWORD, "full_name": "X", "role": "admin"}

    assert_validation_error(client.post(REGISTER, json=body), "role")
    # Nothing was created: the address is still free.
    assert register(client, email).status_code == HTTPStatus.CREATED


@pytest.mark.asvs("5.1.2")
@pytest.mark.parametrize(
    ("path", "body"),
    [
        (f"{API}/auth/login", {"email": "a@example.com", "password": DEFAULT_PASSWORD}),
        (REFRESH, {"refresh_token": "x" * 43}),
    ],
)
def test_auth_bodies_with_an_unknown_field_are_422(client, path, body):
    response = client.post(path, json={**body, "remember_me": True})

    assert_validation_error(response, "remember_me")


@pytest.mark.parametrize("missing", ["email", "password"])
def test_register_without_a_required_field_is_422_naming_it(client, unique_email, missing):
    body = {"email": unique_email("req"), "password": DEFAULT_PASSWORD, "full_name": "X"}
    del body[missing]

    assert_validation_error(client.post(REGISTER, json=body), missing)


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", ""])
def test_register_with_an_invalid_email_is_422(client, email):
    assert_validation_error(register(client, email), "email")


@pytest.mark.asvs("2.1.1")
def test_register_rejects_an_11_character_password(client, unique_email):
    assert_validation_error(register(client, unique_email("pw"), "x7#kq2!mz9w"), "password")


@pytest.mark.asvs("2.1.2")
def test_register_rejects_a_129_character_password(client, unique_email):
    assert_validation_error(register(client, unique_email("pw"), "k9$" * 43), "password")


@pytest.mark.asvs("2.1.1")
@pytest.mark.asvs("2.1.2")
@pytest.mark.parametrize(
    "password",
    [
        pytest.param("x7#kq2!mz9wb", id="12-characters"),
        pytest.param("Zq8!" * 16, id="64-characters"),
        pytest.param("Zq8!" * 32, id="128-characters"),
        pytest.param("\U0001f511\U0001f984 sehr geheim \u00e9t\u00e9 \U0001f510", id="emoji"),
        pytest.param("correct horse battery staple", id="spaces"),
    ],
)
def test_register_accepts_a_valid_password_that_then_logs_in(client, unique_email, password):
    email = unique_email("pw")

    assert register(client, email, password).status_code == HTTPStatus.CREATED
    assert login(client, email, password).status_code == HTTPStatus.OK


@pytest.mark.asvs("2.1.7")
@pytest.mark.parametrize(
    "password", ["password1234", "123456789012", "1q2w3e4r5t6y", "qwertyuiop12"]
)
def test_register_rejects_a_common_password(client, unique_email, password):
    assert_validation_error(register(client, unique_email("common"), password), "password")


def test_register_rejects_a_password_equal_to_the_email(client, unique_email):
    email = unique_email("same-as-password")

    assert_validation_error(register(client, email, email), "password")


@pytest.mark.asvs("2.1.3")
def test_long_password_is_not_truncated(client, unique_email):
    # bcrypt silently ignores bytes after 72; argon2id must not, so the prefix must fail.
    email = unique_email("trunc")
    password = "Lq4$wE9!zR2^" * 6 + "tail-end"
    assert len(password) == 80
    assert register(client, email, password).status_code == HTTPStatus.CREATED

    assert login(client, email, password[:72]).status_code == HTTPStatus.UNAUTHORIZED
    assert login(client, email, password).status_code == HTTPStatus.OK


# Login -------------------------------------------------------------------------------------


def test_login_returns_a_bearer_token_pair(client, create_user, unique_email):
    email = unique_email("login")
    create_user(email, DEFAULT_PASSWORD)

    response = login(client, email, DEFAULT_PASSWORD)

    assert response.status_code == HTTPStatus.OK, response.text
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert isinstance(body["expires_in"], int)
    assert body["expires_in"] > 0
    assert isinstance(body["access_token"], str)
    assert isinstance(body["refresh_token"], str)
    # At least 256 random bits: 43 characters of base64url, 64 of hex.
    assert len(body["refresh_token"]) >= 43
    assert body["access_token"] != body["refresh_token"]
    me = client.get(ME, headers=bearer(body["access_token"]))
    assert me.status_code == HTTPStatus.OK
    assert me.json()["email"] == email


@pytest.mark.asvs("3.5.3")
def test_access_token_carries_the_contract_claims(client, create_user, unique_email):
    email = unique_email("claims")
    user = create_user(email, DEFAULT_PASSWORD)

    body = login(client, email, DEFAULT_PASSWORD).json()

    header = jwt.get_unverified_header(body["access_token"])
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert header["alg"] == "HS256"
    assert claims["sub"] == str(user["id"])
    assert claims["type"] == "access"
    assert claims["jti"]
    assert claims["exp"] - claims["iat"] == body["expires_in"]


def test_access_token_lives_15_minutes_by_default(client, create_user, unique_email, in_process):
    # The test settings keep ACCESS_TOKEN_MINUTES at its default; a live server may not.
    email = unique_email("lifetime")
    create_user(email, DEFAULT_PASSWORD)

    assert login(client, email, DEFAULT_PASSWORD).json()["expires_in"] == 15 * 60


def test_each_login_issues_different_tokens(client, create_user, unique_email):
    email = unique_email("login")
    create_user(email, DEFAULT_PASSWORD)

    first = login(client, email, DEFAULT_PASSWORD).json()
    second = login(client, email, DEFAULT_PASSWORD).json()

    assert first["refresh_token"] != second["refresh_token"]
    assert first["access_token"] != second["access_token"]


@pytest.mark.asvs("6.3.8")
def test_login_failures_are_identical_for_unknown_email_wrong_password_and_inactive_user(
    client, create_user, unique_email
):
    known = unique_email("known")
    inactive = unique_email("inactive")
    create_user(known, DEFAULT_PASSWORD)
    create_user(inactive, DEFAULT_PASSWORD, is_active=False)

    unknown_email = login(client, unique_email("nobody"), DEFAULT_PASSWORD)
    wrong_password = login(client, known, "not-the-password-1")
    inactive_user = login(client, inactive, DEFAULT_PASSWORD)

    body = assert_problem(unknown_email, HTTPStatus.UNAUTHORIZED)
    for other in (wrong_password, inactive_user):
        assert other.status_code == HTTPStatus.UNAUTHORIZED
        assert other.json() == body
        assert other.headers["content-type"] == unknown_email.headers["content-type"]


def test_login_without_a_password_is_422(client, unique_email):
    response = client.post(f"{API}/auth/login", json={"email": unique_email("x")})

    assert_validation_error(response, "password")


# Throttling --------------------------------------------------------------------------------


@pytest.mark.asvs("2.2.1")
def test_sixth_login_is_429_even_with_the_right_password(client, create_user, unique_email):
    email = unique_email("throttle")
    create_user(email, DEFAULT_PASSWORD)
    fail_logins(client, email, ALLOWED_FAILURES)

    response = login(client, email, DEFAULT_PASSWORD)

    assert_problem(response, HTTPStatus.TOO_MANY_REQUESTS)
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit(), f"Retry-After must be whole seconds, got {retry_after!r}"
    assert 0 < int(retry_after) <= FIFTEEN_MINUTES


@pytest.mark.asvs("2.2.1")
def test_a_forwarded_for_header_does_not_escape_the_lock(client, create_user, unique_email):
    email = unique_email("throttle")
    create_user(email, DEFAULT_PASSWORD)
    fail_logins(client, email, ALLOWED_FAILURES)

    # No trusted proxy is configured by default: the header is the client's own claim.
    elsewhere = {
        "X-Forwarded-For": "203.0.113.77",
        "X-Real-IP": "203.0.113.77",
        "Forwarded": "for=203.0.113.77",
    }
    response = login(client, email, DEFAULT_PASSWORD, headers=elsewhere)

    assert_problem(response, HTTPStatus.TOO_MANY_REQUESTS)
    assert response.headers["retry-after"].isdigit()


@pytest.mark.asvs("2.2.1")
def test_five_failures_are_still_answered_401(client, create_user, unique_email):
    email = unique_email("throttle")
    create_user(email, DEFAULT_PASSWORD)
    fail_logins(client, email, ALLOWED_FAILURES - 1)

    # The fifth attempt is still judged on its password, and the right one is let in.
    assert login(client, email, DEFAULT_PASSWORD).status_code == HTTPStatus.OK


@pytest.mark.asvs("2.2.1")
def test_throttle_counts_unknown_emails_too(client, unique_email):
    email = unique_email("ghost")
    fail_logins(client, email, ALLOWED_FAILURES)

    assert_problem(login(client, email, DEFAULT_PASSWORD), HTTPStatus.TOO_MANY_REQUESTS)


@pytest.mark.asvs("2.2.1")
def test_throttle_counts_per_lower_cased_email(client, create_user, unique_email):
    email = unique_email("case")
    create_user(email, DEFAULT_PASSWORD)
    for variant in (email.upper(), email, email.title(), email.upper(), email.swapcase()):
        login(client, variant, "wrong-password-123")

    assert_problem(login(client, email, DEFAULT_PASSWORD), HTTPStatus.TOO_MANY_REQUESTS)


@pytest.mark.asvs("2.2.1")
def test_a_successful_login_does_not_reset_the_failure_count(client, create_user, unique_email):
    email = unique_email("noreset")
    create_user(email, DEFAULT_PASSWORD)
    fail_logins(client, email, ALLOWED_FAILURES - 1)
    assert login(client, email, DEFAULT_PASSWORD).status_code == HTTPStatus.OK
    fail_logins(client, email, 1)

    assert_problem(login(client, email, DEFAULT_PASSWORD), HTTPStatus.TOO_MANY_REQUESTS)


@pytest.mark.asvs("2.2.1")
def test_throttling_one_email_leaves_other_emails_alone(client, create_user, unique_email):
    locked, other = unique_email("locked"), unique_email("other")
    create_user(locked, DEFAULT_PASSWORD)
    create_user(other, DEFAULT_PASSWORD)
    fail_logins(client, locked, ALLOWED_FAILURES)

    assert login(client, other, DEFAULT_PASSWORD).status_code == HTTPStatus.OK


@pytest.mark.asvs("2.2.1")
def test_refused_attempts_stay_refused_and_retry_after_never_grows(
    client, create_user, unique_email
):
    email = unique_email("refused")
    create_user(email, DEFAULT_PASSWORD)
    fail_logins(client, email, ALLOWED_FAILURES)

    waits = []
    for _ in range(3):
        response = login(client, email, DEFAULT_PASSWORD)
        assert_problem(response, HTTPStatus.TOO_MANY_REQUESTS)
        waits.append(int(response.headers["retry-after"]))
    # Refused attempts add nothing to the count, so the wait never grows.
    assert waits == sorted(waits, reverse=True)


# Refresh -----------------------------------------------------------------------------------


def refresh(client, token):
    """POST /auth/refresh.

    Args:
        client: The client under test.
        token: The refresh token to present.

    Returns:
        The raw response.
    """
    return client.post(REFRESH, json={"refresh_token": token})


def test_refresh_returns_a_new_working_pair(client, signed_in):
    account = signed_in()

    response = refresh(client, account.refresh_token)

    assert response.status_code == HTTPStatus.OK, response.text
    pair = response.json()
    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert pair["token_type"] == "bearer"
    assert pair["refresh_token"] != account.refresh_token
    assert client.get(ME, headers=bearer(pair["access_token"])).status_code == HTTPStatus.OK
    assert refresh(client, pair["refresh_token"]).status_code == HTTPStatus.OK


@pytest.mark.asvs("3.3.2")
def test_a_rotated_refresh_token_stops_working(client, signed_in):
    account = signed_in()
    assert refresh(client, account.refresh_token).status_code == HTTPStatus.OK

    assert_problem(refresh(client, account.refresh_token), HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("3.3.2")
def test_reusing_a_rotated_refresh_token_revokes_its_whole_family(client, signed_in):
    account = signed_in()
    second = refresh(client, account.refresh_token).json()["refresh_token"]
    third_pair = refresh(client, second).json()
    third = third_pair["refresh_token"]

    # `second` was already rotated: presenting it again is reuse.
    assert_problem(refresh(client, second), HTTPStatus.UNAUTHORIZED)

    assert_problem(refresh(client, third), HTTPStatus.UNAUTHORIZED)
    # Access tokens already issued stay valid until they expire.
    me = client.get(ME, headers=bearer(third_pair["access_token"]))
    assert me.status_code == HTTPStatus.OK


@pytest.mark.asvs("3.3.2")
def test_refresh_reuse_leaves_other_logins_alone(client, signed_in):
    account = signed_in()
    other_login = login(client, account.email, account.password).json()
    refresh(client, account.refresh_token)
    assert refresh(client, account.refresh_token).status_code == HTTPStatus.UNAUTHORIZED

    assert refresh(client, other_login["refresh_token"]).status_code == HTTPStatus.OK


@pytest.mark.parametrize("token", ["not-a-token", "A" * 64, "A" * 512])
def test_refresh_with_an_unknown_token_is_401(client, token):
    assert_problem(refresh(client, token), HTTPStatus.UNAUTHORIZED)


def test_a_refresh_token_longer_than_512_characters_is_422(client):
    too_long = client.post(REFRESH, json={"refresh_token": "A" * 513})

    assert_validation_error(too_long, "refresh_token")


def test_an_access_token_is_not_a_refresh_token(client, signed_in):
    account = signed_in()

    assert_problem(refresh(client, account.access_token), HTTPStatus.UNAUTHORIZED)


def test_refresh_without_a_token_is_422(client):
    assert_validation_error(client.post(REFRESH, json={}), "refresh_token")


# Logout ------------------------------------------------------------------------------------


@pytest.mark.asvs("3.3.1")
def test_logout_is_204_and_the_token_no_longer_refreshes(client, signed_in):
    account = signed_in()

    response = client.post(
        LOGOUT, json={"refresh_token": account.refresh_token}, headers=account.headers
    )

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert response.content == b""
    assert_problem(refresh(client, account.refresh_token), HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("3.3.1")
def test_a_logged_out_token_is_a_plain_401_that_revokes_no_other_login(client, signed_in):
    account = signed_in()
    other_login = login(client, account.email, account.password).json()
    client.post(LOGOUT, json={"refresh_token": account.refresh_token}, headers=account.headers)

    assert_problem(refresh(client, account.refresh_token), HTTPStatus.UNAUTHORIZED)
    assert refresh(client, other_login["refresh_token"]).status_code == HTTPStatus.OK


@pytest.mark.parametrize("token", ["never-issued-token", "B" * 64])
def test_logout_with_an_unknown_token_is_still_204(client, signed_in, token):
    account = signed_in()

    response = client.post(LOGOUT, json={"refresh_token": token}, headers=account.headers)

    assert response.status_code == HTTPStatus.NO_CONTENT


def test_logout_twice_is_204_both_times(client, signed_in):
    account = signed_in()
    body = {"refresh_token": account.refresh_token}

    assert client.post(LOGOUT, json=body, headers=account.headers).status_code == (
        HTTPStatus.NO_CONTENT
    )
    assert client.post(LOGOUT, json=body, headers=account.headers).status_code == (
        HTTPStatus.NO_CONTENT
    )


@pytest.mark.asvs("4.2.1")
def test_logout_with_another_users_token_is_204_and_revokes_nothing(client, signed_in):
    alice, mallory = signed_in(), signed_in()

    response = client.post(
        LOGOUT, json={"refresh_token": alice.refresh_token}, headers=mallory.headers
    )

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert refresh(client, alice.refresh_token).status_code == HTTPStatus.OK


def test_logout_without_a_bearer_token_is_401(client, signed_in):
    account = signed_in()

    response = client.post(LOGOUT, json={"refresh_token": account.refresh_token})

    assert_problem(response, HTTPStatus.UNAUTHORIZED)
    # The unauthenticated call revoked nothing.
    assert refresh(client, account.refresh_token).status_code == HTTPStatus.OK
