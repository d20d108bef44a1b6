"""Email verification (CONTRACT.md, section 12): the link mailed at registration, the resend,
and what an unverified account cannot do (export).
"""

from __future__ import annotations

from http import HTTPStatus

import pytest

from .helpers import API, DEFAULT_PASSWORD, assert_problem, assert_validation_error, bearer, login
from .mail import link_token

REGISTER = f"{API}/auth/register"
VERIFY = f"{API}/auth/verify-email"
RESEND = f"{VERIFY}/resend"
ME = f"{API}/users/me"
EXPORT = f"{API}/tasks/export"
RESENT = {
    "detail": "If the address still needs verifying, a message with a new link is on its way."
}
BAD_LINK = "The link is invalid or has expired."


def register(client, email):
    """Register ``email`` through the API; return the access token of a first login."""
    response = client.post(
        REGISTER, json={"email": email, "password": DEFAULT_PASSWORD, "full_name": "Vera"}
    )
    assert response.status_code == HTTPStatus.CREATED, response.text
    assert response.json()["email_verified"] is False
    logged_in = login(client, email, DEFAULT_PASSWORD)
    assert logged_in.status_code == HTTPStatus.OK, logged_in.text
    return logged_in.json()["access_token"]


def test_registration_mails_a_link_that_verifies_the_address(client, unique_email, mail_sink):
    email = unique_email("verify")
    access = register(client, email)
    message = mail_sink.wait_for(email, "verify-email")
    assert message["To"] == email

    response = client.post(VERIFY, json={"token": link_token(message, "verify-email")})

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert "content-type" not in response.headers
    assert client.get(ME, headers=bearer(access)).json()["email_verified"] is True


def test_a_verification_link_works_once(client, unique_email, mail_sink):
    email = unique_email("verify")
    register(client, email)
    token = mail_sink.token(email, "verify-email")
    assert client.post(VERIFY, json={"token": token}).status_code == HTTPStatus.NO_CONTENT

    again = client.post(VERIFY, json={"token": token})

    assert assert_problem(again, HTTPStatus.BAD_REQUEST)["detail"] == BAD_LINK


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "A" * 512])
def test_an_unknown_token_is_400_with_the_one_body(client, token):
    response = client.post(VERIFY, json={"token": token})

    assert assert_problem(response, HTTPStatus.BAD_REQUEST)["detail"] == BAD_LINK


@pytest.mark.parametrize("body", [{}, {"token": None}, {"token": 5}, {"token": "A" * 513}])
def test_verify_without_a_token_string_is_422(client, body):
    assert_validation_error(client.post(VERIFY, json=body), "token")


def test_resend_mails_a_new_link_and_using_one_spends_both(client, unique_email, mail_sink):
    email = unique_email("resend")
    access = register(client, email)
    first = mail_sink.token(email, "verify-email")

    response = client.post(RESEND, headers=bearer(access))

    assert response.status_code == HTTPStatus.ACCEPTED
    assert response.json() == RESENT
    second = mail_sink.token(email, "verify-email", count=2)
    assert second != first
    assert client.post(VERIFY, json={"token": second}).status_code == HTTPStatus.NO_CONTENT
    assert_problem(client.post(VERIFY, json={"token": first}), HTTPStatus.BAD_REQUEST)


def test_resend_needs_a_bearer_token(client):
    assert_problem(client.post(RESEND), HTTPStatus.UNAUTHORIZED)


def test_resend_for_a_verified_address_is_202_and_mails_nothing(
    client, signed_in, mail_sink, in_process
):
    account = signed_in(verified=True)

    response = client.post(RESEND, headers=account.headers)

    assert response.status_code == HTTPStatus.ACCEPTED
    assert response.json() == RESENT
    # In-process the job has run by the time the answer is back.
    assert mail_sink.messages_to(account.email) == []


@pytest.mark.parametrize("fmt", ["json", "csv", "xml"])
def test_an_unverified_account_cannot_export(client, signed_in, fmt):
    account = signed_in()

    response = client.get(EXPORT, params={"format": fmt}, headers=account.headers)

    problem = assert_problem(response, HTTPStatus.FORBIDDEN)
    assert "verif" in problem["detail"].lower()


def test_the_unverified_refusal_comes_before_the_format_check(client, signed_in):
    account = signed_in()

    response = client.get(EXPORT, headers=account.headers)

    assert_problem(response, HTTPStatus.FORBIDDEN)


def test_a_verified_account_can_export(client, signed_in):
    account = signed_in(verified=True)

    response = client.get(EXPORT, params={"format": "json"}, headers=account.headers)

    assert response.status_code == HTTPStatus.OK
    assert response.json() == []


def test_an_unverified_account_can_do_everything_else(client, signed_in):
    account = signed_in()

    created = client.post(f"{API}/tasks", json={"title": "still allowed"}, headers=account.headers)

    assert created.status_code == HTTPStatus.CREATED
    assert client.get(f"{API}/tasks", headers=account.headers).json()["total"] == 1
