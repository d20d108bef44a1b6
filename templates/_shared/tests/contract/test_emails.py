"""Email addresses: one rule and one normalisation in every framework (CONTRACT.md, users).

An address is trimmed, checked by the ``email-validator`` rules (no quoted local part, no IP
literal, no special-use domain such as ``localhost``, at most 254 characters) and stored and
compared lower-cased: one mailbox is one account, however it is typed.
"""

from __future__ import annotations

import uuid
from http import HTTPStatus

import pytest

from .helpers import API, DEFAULT_PASSWORD, assert_problem, assert_validation_error, login

REGISTER = f"{API}/auth/register"
# (as sent, as stored); "{u}" becomes a fresh lower-case tag, so live runs never collide.
VALID = {
    "upper case and spaces": ("  Ann.Lee-{u}@Example.COM ", "ann.lee-{u}@example.com"),
    "plus addressing": ("ann+tasks-{u}@example.com", "ann+tasks-{u}@example.com"),
    "subdomains": ("bob-{u}@mail.eu.example.org", "bob-{u}@mail.eu.example.org"),
    "apostrophe and underscore": ("o'brien_{u}@example.co.uk", "o'brien_{u}@example.co.uk"),
    "tab around it": ("\tcarol-{u}@example.com\n", "carol-{u}@example.com"),
}
# Longer than the 254 characters an address may have (RFC 5321 path limit less the brackets).
OVER_LONG = "a" * 64 + "@" + ".".join(["b" * 63, "c" * 63, "d" * 63]) + ".com"
INVALID = {
    "markup": "<script>alert(1)</script>x@example.com",
    "trailing dot in domain": "x@example.com.",
    "quoted local part": '"john doe"@example.com',
    "underscore in domain": "x@exa_mple.com",
    "localhost": "x@localhost",
    "special-use domain": "x@shop.test",
    "no dot in domain": "x@example",
    "missing @": "x.example.com",
    "two @": "x@y@example.com",
    "IP literal": "x@[127.0.0.1]",
    "over-long": OVER_LONG,
    "two dots in a row": "x..y@example.com",
    "space inside": "x y@example.com",
    "non-ASCII local part": "jos\u00e9@example.com",
    "empty": "",
    "only spaces": "   ",
}


def register(client, email):
    """POST /auth/register with a good password.

    Args:
        client: The client under test.
        email: The address exactly as sent.

    Returns:
        The raw response.
    """
    body = {"email": email, "password": DEFAULT_PASSWORD, "full_name": "Email Tester"}
    return client.post(REGISTER, json=body)


def test_the_over_long_address_is_over_254_characters():
    # Guards the table: it must test the length rule and nothing else.
    assert len(OVER_LONG) > 254


@pytest.mark.asvs("5.1.3")
@pytest.mark.parametrize(("sent", "stored"), VALID.values(), ids=VALID.keys())
def test_a_valid_address_is_stored_trimmed_and_lower_cased(client, sent, stored):
    tag = uuid.uuid4().hex[:12]

    response = register(client, sent.format(u=tag))

    assert response.status_code == HTTPStatus.CREATED, response.text
    assert response.json()["email"] == stored.format(u=tag)


@pytest.mark.asvs("5.1.3")
@pytest.mark.parametrize("email", INVALID.values(), ids=INVALID.keys())
def test_an_invalid_address_is_422_naming_email(client, email):
    assert_validation_error(register(client, email), "email")


@pytest.mark.asvs("5.1.3")
@pytest.mark.parametrize("variant", ["UPPER", "spaces", "both"])
def test_the_same_mailbox_typed_differently_is_409(client, variant):
    email = f"mailbox-{uuid.uuid4().hex[:12]}@example.com"
    assert register(client, email).status_code == HTTPStatus.CREATED
    again = {
        "UPPER": email.upper(),
        "spaces": f"  {email} ",
        "both": f" {email.title()}\t",
    }[variant]

    assert_problem(register(client, again), HTTPStatus.CONFLICT)


def test_login_finds_the_account_whatever_the_case_and_spaces(client):
    email = f"Login-{uuid.uuid4().hex[:12]}@Example.com"
    assert register(client, email).status_code == HTTPStatus.CREATED

    response = login(client, f"  {email.upper()} ", DEFAULT_PASSWORD)

    assert response.status_code == HTTPStatus.OK, response.text
