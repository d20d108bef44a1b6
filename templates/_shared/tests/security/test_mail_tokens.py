"""The controls around mailed tokens (CONTRACT.md, section 12; SECURITY.md).

Reset and verification links are a way into an account without its password, so each rule is
a test: one use, a short life, only a hash at rest, no enumeration, throttling, every session
ended by a reset.
"""

from __future__ import annotations

import hashlib
from http import HTTPStatus

import pytest

from tests.contract.helpers import API, DEFAULT_PASSWORD, assert_problem, login

RESET = f"{API}/auth/password-reset"
CONFIRM = f"{RESET}/confirm"
VERIFY = f"{API}/auth/verify-email"
RESEND = f"{VERIFY}/resend"
REFRESH = f"{API}/auth/refresh"
NEW_PASSWORD = "a-fresh-Passphrase-9"
# Headers that differ between any two answers, whatever they say.
PER_ANSWER = frozenset({"date", "x-request-id", "content-length"})


def reset_token(client, mail_sink, email):
    """Ask for a reset of ``email``; the token of the link that arrives."""
    already = len(mail_sink.messages_to(email, "reset-password"))
    response = client.post(RESET, json={"email": email})
    assert response.status_code == HTTPStatus.ACCEPTED, response.text
    return mail_sink.token(email, "reset-password", count=already + 1)


def confirm(client, token, password=NEW_PASSWORD):
    """POST /auth/password-reset/confirm."""
    return client.post(CONFIRM, json={"token": token, "new_password": password})


def comparable(response):
    """What an observer sees of an answer, minus what differs between any two answers."""
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() not in PER_ANSWER}
    return response.status_code, headers, response.content


@pytest.mark.asvs("2.7.3")
def test_a_reset_link_works_once(client, signed_in, mail_sink):
    account = signed_in()
    token = reset_token(client, mail_sink, account.email)
    assert confirm(client, token).status_code == HTTPStatus.NO_CONTENT

    again = confirm(client, token, password="another-Passphrase-7")

    assert_problem(again, HTTPStatus.BAD_REQUEST)
    assert login(client, account.email, NEW_PASSWORD).status_code == HTTPStatus.OK


@pytest.mark.asvs("2.7.3")
def test_a_reset_spends_every_earlier_reset_link(client, signed_in, mail_sink):
    account = signed_in()
    first = reset_token(client, mail_sink, account.email)
    second = reset_token(client, mail_sink, account.email)

    assert confirm(client, second).status_code == HTTPStatus.NO_CONTENT

    assert_problem(confirm(client, first, "another-Passphrase-7"), HTTPStatus.BAD_REQUEST)


@pytest.mark.asvs("2.7.3")
def test_a_token_only_works_for_its_own_purpose(client, unique_email, signed_in, mail_sink):
    account = signed_in()
    reset = reset_token(client, mail_sink, account.email)
    email = unique_email("purpose")
    registered = client.post(
        f"{API}/auth/register", json={"email": email, "password": DEFAULT_PASSWORD}
    )
    assert registered.status_code == HTTPStatus.CREATED
    verification = mail_sink.token(email, "verify-email")

    assert_problem(client.post(VERIFY, json={"token": reset}), HTTPStatus.BAD_REQUEST)
    assert_problem(confirm(client, verification), HTTPStatus.BAD_REQUEST)
    # Both still work where they belong.
    assert confirm(client, reset).status_code == HTTPStatus.NO_CONTENT
    assert client.post(VERIFY, json={"token": verification}).status_code == 204


@pytest.mark.asvs("2.5.6")
def test_an_expired_reset_link_is_refused(client, signed_in, mail_sink, expire_mail_tokens):
    account = signed_in()
    token = reset_token(client, mail_sink, account.email)

    expire_mail_tokens(account.email)

    problem = assert_problem(confirm(client, token), HTTPStatus.BAD_REQUEST)
    assert problem["detail"] == "The link is invalid or has expired."
    assert login(client, account.email, DEFAULT_PASSWORD).status_code == HTTPStatus.OK


@pytest.mark.asvs("2.5.6")
def test_an_expired_verification_link_is_refused(
    client, unique_email, mail_sink, expire_mail_tokens
):
    email = unique_email("late")
    registered = client.post(
        f"{API}/auth/register", json={"email": email, "password": DEFAULT_PASSWORD}
    )
    assert registered.status_code == HTTPStatus.CREATED
    token = mail_sink.token(email, "verify-email")

    expire_mail_tokens(email)

    assert_problem(client.post(VERIFY, json={"token": token}), HTTPStatus.BAD_REQUEST)


@pytest.mark.asvs("2.7.5")
def test_only_the_hash_of_a_token_is_stored(client, signed_in, mail_sink, stored_mail_tokens):
    account = signed_in()
    token = reset_token(client, mail_sink, account.email)

    (stored,) = stored_mail_tokens(account.email)

    assert stored["purpose"] == "password_reset"
    assert stored["token_hash"] == hashlib.sha256(token.encode("ascii")).hexdigest()
    assert token not in repr(stored)
    assert stored["used_at"] is None
    assert confirm(client, token).status_code == HTTPStatus.NO_CONTENT
    (spent,) = stored_mail_tokens(account.email)
    assert spent["used_at"] is not None


@pytest.mark.asvs("2.7.6")
def test_tokens_are_256_random_bits_and_never_repeat(client, signed_in, mail_sink):
    account = signed_in()

    tokens = {reset_token(client, mail_sink, account.email) for _ in range(3)}

    assert len(tokens) == 3
    assert all(len(token) == 43 for token in tokens)


@pytest.mark.asvs("3.3.3")
def test_a_reset_ends_every_session_of_the_account(client, signed_in, mail_sink):
    account = signed_in()
    second_login = login(client, account.email, DEFAULT_PASSWORD).json()

    assert confirm(client, reset_token(client, mail_sink, account.email)).status_code == 204

    for refresh_token in (account.refresh_token, second_login["refresh_token"]):
        refused = client.post(REFRESH, json={"refresh_token": refresh_token})
        assert_problem(refused, HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("2.5.6")
def test_a_reset_request_says_nothing_about_the_address(
    client, signed_in, create_user, unique_email, mail_sink, in_process
):
    active = signed_in()
    inactive = unique_email("inactive")
    create_user(inactive, DEFAULT_PASSWORD, is_active=False)
    unknown = unique_email("unknown")

    answers = [client.post(RESET, json={"email": e}) for e in (active.email, inactive, unknown)]

    assert comparable(answers[0]) == comparable(answers[1]) == comparable(answers[2])
    assert len(mail_sink.messages_to(active.email, "reset-password")) == 1
    assert mail_sink.messages_to(inactive) == []
    assert mail_sink.messages_to(unknown) == []


@pytest.mark.asvs("2.5.1")
@pytest.mark.asvs("2.5.3")
def test_no_message_carries_a_password(client, unique_email, mail_sink):
    email = unique_email("nopass")
    client.post(f"{API}/auth/register", json={"email": email, "password": DEFAULT_PASSWORD})
    token = mail_sink.token(email, "verify-email")
    client.post(VERIFY, json={"token": token})
    client.post(RESET, json={"email": email})
    reset = mail_sink.token(email, "reset-password")
    confirm(client, reset)

    for message in mail_sink.messages_to(email):
        text = message.as_string()
        assert DEFAULT_PASSWORD not in text
        assert NEW_PASSWORD not in text


@pytest.mark.asvs("2.2.1")
def test_reset_requests_for_one_address_are_throttled(client_from, unique_email):
    client = client_from("203.0.113.21", PASSWORD_RESET_LIMIT="3/hour")
    email, other = unique_email("throttled"), unique_email("other")

    answers = [client.post(RESET, json={"email": email}).status_code for _ in range(3)]
    refused = client.post(RESET, json={"email": email.upper()})

    assert answers == [HTTPStatus.ACCEPTED] * 3
    assert_problem(refused, HTTPStatus.TOO_MANY_REQUESTS)
    assert int(refused.headers["retry-after"]) > 0
    assert client.post(RESET, json={"email": other}).status_code == HTTPStatus.ACCEPTED


@pytest.mark.asvs("2.2.1")
def test_reset_requests_from_one_client_are_throttled(client_from, unique_email):
    settings = {"PASSWORD_RESET_CLIENT_LIMIT": "10/hour"}
    client = client_from("203.0.113.22", **settings)

    answers = [
        client.post(RESET, json={"email": unique_email("spray")}).status_code for _ in range(10)
    ]
    refused = client.post(RESET, json={"email": unique_email("spray")})

    assert answers == [HTTPStatus.ACCEPTED] * 10
    assert_problem(refused, HTTPStatus.TOO_MANY_REQUESTS)
    assert int(refused.headers["retry-after"]) > 0
    elsewhere = client_from("203.0.113.23", **settings)
    assert elsewhere.post(RESET, json={"email": unique_email("spray")}).status_code == 202


@pytest.mark.asvs("2.2.1")
def test_resending_counts_against_the_address(client, signed_in):
    account = signed_in()

    answers = [client.post(RESEND, headers=account.headers).status_code for _ in range(3)]
    refused = client.post(RESEND, headers=account.headers)

    assert answers == [HTTPStatus.ACCEPTED] * 3
    assert_problem(refused, HTTPStatus.TOO_MANY_REQUESTS)
    assert_problem(client.post(RESET, json={"email": account.email}), HTTPStatus.TOO_MANY_REQUESTS)
