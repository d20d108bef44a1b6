"""Validly signed access tokens whose subject is no user id (CONTRACT.md, auth; ASVS 3.5.3).

A token signed with the app's own key is only as good as its claims. Its ``sub`` must be a
decimal integer from 1 to 2**63 - 1; anything else, however well signed, is a 401 problem,
never a database error on the way to looking the user up.
"""

from __future__ import annotations

from http import HTTPStatus

import jwt
import pytest

from tests.contract.helpers import API, access_claims, assert_problem, bearer

ME = f"{API}/users/me"
TASKS = f"{API}/tasks"
INVALID_SUBJECTS = [
    "99999999999999999999",  # beyond any 64-bit integer column
    "9223372036854775808",  # 2**63, one past the largest BIGINT
    "0",
    "-1",
    "abc",
    "1.5",
    "",
    " 1",
    "1\n",
    "\u0661",  # ARABIC-INDIC DIGIT ONE: str.isdigit() says yes, the contract says no
    "\u00b2",  # SUPERSCRIPT TWO: also a "digit" to Python, and int() refuses it
]


def token_for(subject, secret, **overrides):
    """Sign a well-formed access token whose ``sub`` claim is ``subject``.

    Args:
        subject: The ``sub`` claim, sent exactly as given.
        secret: The app's signing key.
        **overrides: Other claims to replace.

    Returns:
        The encoded token.
    """
    claims = access_claims(0, sub=subject, **overrides)
    return jwt.encode(claims, secret, algorithm="HS256")


@pytest.mark.asvs("3.5.3")
def test_the_recipe_signs_a_token_the_app_accepts(client, signed_in, jwt_secret):
    # The control for the refusals below: the same recipe with a real user's id works.
    account = signed_in()

    response = client.get(ME, headers=bearer(token_for(str(account.user["id"]), jwt_secret)))

    assert response.status_code == HTTPStatus.OK, response.text
    assert response.json()["id"] == account.user["id"]


@pytest.mark.asvs("3.5.3")
@pytest.mark.parametrize("subject", INVALID_SUBJECTS)
def test_a_signed_token_with_an_invalid_subject_is_401(client, jwt_secret, subject):
    response = client.get(ME, headers=bearer(token_for(subject, jwt_secret)))

    assert_problem(response, HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("3.5.3")
@pytest.mark.parametrize("subject", ["99999999999999999999", "9223372036854775808", "0"])
def test_an_invalid_subject_is_401_on_a_write_too(client, jwt_secret, subject):
    response = client.post(
        TASKS, json={"title": "Never stored"}, headers=bearer(token_for(subject, jwt_secret))
    )

    assert_problem(response, HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("3.5.3")
@pytest.mark.parametrize("subject", [1, 2**63, None, ["1"], {"id": 1}])
def test_a_subject_that_is_not_a_string_is_401(client, jwt_secret, subject):
    # RFC 7519 section 4.1.2: "sub" is a string; a number or structure is refused too.
    response = client.get(ME, headers=bearer(token_for(subject, jwt_secret)))

    assert_problem(response, HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("3.5.3")
def test_the_largest_valid_subject_is_looked_up_and_not_found(client, jwt_secret):
    # 2**63 - 1 is a well-formed id that no user has: refused as unknown, not as a crash.
    response = client.get(ME, headers=bearer(token_for(str(2**63 - 1), jwt_secret)))

    assert_problem(response, HTTPStatus.UNAUTHORIZED)
