"""Password reset by mail (CONTRACT.md, section 12): the request, the link, the new password.

The messages are read from a real SMTP server (``mail_sink``). In-process the app runs its jobs
at once; against a live server (``--base-url`` with ``--smtp-port``) its worker sends them.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest

from .helpers import API, DEFAULT_PASSWORD, assert_problem, login
from .mail import link_token

RESET = f"{API}/auth/password-reset"
CONFIRM = f"{RESET}/confirm"
ME = f"{API}/users/me"
NEW_PASSWORD = "a-fresh-Passphrase-9"
ACCEPTED = {
    "detail": "If the address belongs to an account, a message with a reset link is on its way."
}
BAD_LINK = "The link is invalid or has expired."


def request_reset(client, email):
    """POST /auth/password-reset for ``email``; the answer must be the one 202."""
    response = client.post(RESET, json={"email": email})
    assert response.status_code == HTTPStatus.ACCEPTED, response.text
    assert response.json() == ACCEPTED
    return response


def reset_token(client, mail_sink, email):
    """Ask for a reset of ``email`` and return the token of the link that arrives."""
    already = len(mail_sink.messages_to(email, "reset-password"))
    request_reset(client, email)
    return mail_sink.token(email, "reset-password", count=already + 1)


def confirm(client, token, password=NEW_PASSWORD):
    """POST /auth/password-reset/confirm."""
    return client.post(CONFIRM, json={"token": token, "new_password": password})


def test_a_request_answers_202_with_one_body(client, signed_in, unique_email):
    account = signed_in()

    known = client.post(RESET, json={"email": account.email})
    unknown = client.post(RESET, json={"email": unique_email("nobody")})

    for response in (known, unknown):
        assert response.status_code == HTTPStatus.ACCEPTED
        assert response.headers["content-type"].startswith("application/json")
        assert response.json() == ACCEPTED


@pytest.mark.parametrize("email", ["", "not-an-address", "Upper@Example.COM "])
def test_any_address_up_to_254_characters_is_accepted(client, email):
    response = client.post(RESET, json={"email": email})

    assert response.status_code == HTTPStatus.ACCEPTED
    assert response.json() == ACCEPTED


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "email"), ({"email": 5}, "email"), ({"email": "a" * 255}, "email")],
)
def test_a_request_without_a_usable_email_field_is_422(client, body, field):
    response = client.post(RESET, json=body)

    problem = assert_problem(response, HTTPStatus.UNPROCESSABLE_ENTITY)
    assert field in {error["field"] for error in problem["errors"]}


def test_the_message_goes_to_the_account_with_one_link(client, signed_in, mail_sink):
    account = signed_in()

    request_reset(client, account.email)

    message = mail_sink.wait_for(account.email, "reset-password")
    assert message["To"] == account.email
    assert message["Subject"]
    assert len(link_token(message, "reset-password")) == 43


def test_the_link_sets_the_new_password(client, signed_in, mail_sink):
    account = signed_in()
    token = reset_token(client, mail_sink, account.email)

    response = confirm(client, token)

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert response.content == b""
    assert "content-type" not in response.headers
    assert login(client, account.email, NEW_PASSWORD).status_code == HTTPStatus.OK
    assert login(client, account.email, DEFAULT_PASSWORD).status_code == HTTPStatus.UNAUTHORIZED


def test_the_address_of_the_account_is_matched_in_lower_case(client, signed_in, mail_sink):
    account = signed_in()

    request_reset(client, f"  {account.email.upper()} ")

    assert mail_sink.wait_for(account.email, "reset-password")["To"] == account.email


def test_a_reset_marks_the_address_verified(client, signed_in, mail_sink):
    account = signed_in()
    assert client.get(ME, headers=account.headers).json()["email_verified"] is False

    assert confirm(client, reset_token(client, mail_sink, account.email)).status_code == 204

    fresh = login(client, account.email, NEW_PASSWORD).json()["access_token"]
    me = client.get(ME, headers={"Authorization": f"Bearer {fresh}"})
    assert me.json()["email_verified"] is True


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "not a token at all", "A" * 512])
def test_an_unknown_token_is_400_with_the_one_body(client, token):
    response = confirm(client, token)

    problem = assert_problem(response, HTTPStatus.BAD_REQUEST)
    assert problem["detail"] == BAD_LINK


def test_a_password_the_rules_refuse_is_422_and_spends_nothing(client, signed_in, mail_sink):
    account = signed_in()
    token = reset_token(client, mail_sink, account.email)

    refused = confirm(client, token, password="short")

    problem = assert_problem(refused, HTTPStatus.UNPROCESSABLE_ENTITY)
    assert "new_password" in {error["field"] for error in problem["errors"]}
    assert confirm(client, token).status_code == HTTPStatus.NO_CONTENT


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"new_password": NEW_PASSWORD}, "token"),
        ({"token": "A" * 43}, "new_password"),
        ({"token": 5, "new_password": NEW_PASSWORD}, "token"),
        ({"token": "A" * 513, "new_password": NEW_PASSWORD}, "token"),
    ],
)
def test_confirm_without_its_fields_is_422(client, body, field):
    response = client.post(CONFIRM, json=body)

    problem = assert_problem(response, HTTPStatus.UNPROCESSABLE_ENTITY)
    assert field in {error["field"] for error in problem["errors"]}


def test_unknown_fields_are_refused(client):
    response = client.post(RESET, json={"email": "a@example.com", "role": "admin"})

    assert_problem(response, HTTPStatus.UNPROCESSABLE_ENTITY)
