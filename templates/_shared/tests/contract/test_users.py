"""GET/PATCH /users/me, POST /users/me/password, GET /users and access-token checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import warnings
from http import HTTPStatus

import jwt
import pytest

from .helpers import (
    API,
    DEFAULT_PASSWORD,
    PAGE_KEYS,
    USER_KEYS,
    access_claims,
    assert_problem,
    assert_validation_error,
    bearer,
    login,
)

ME = f"{API}/users/me"
PASSWORD = f"{API}/users/me/password"
USERS = f"{API}/users"
REFRESH = f"{API}/auth/refresh"


def b64url(data):
    """Base64url without padding, as JWT segments are written (RFC 7515).

    Args:
        data: Bytes, or a dict to serialise as compact JSON.

    Returns:
        The encoded segment.
    """
    if isinstance(data, dict):
        data = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(segment):
    """Decode one JWT segment into a dict.

    Args:
        segment: A base64url JSON segment without padding.

    Returns:
        The decoded JSON object.
    """
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def hand_made_token(header, claims, key=b""):
    """Build a JWT by hand, signing with HMAC-SHA256 over whatever header is given.

    PyJWT refuses to write most of the malformed tokens these tests need.

    Args:
        header: The JOSE header, written as given (any ``alg``).
        claims: The payload.
        key: HMAC key; an empty key with ``alg: none`` gives an empty signature.

    Returns:
        The compact serialisation.
    """
    signing_input = f"{b64url(header)}.{b64url(claims)}"
    if header.get("alg") == "none":
        return f"{signing_input}."
    digest = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(digest)}"


# GET /users/me ----------------------------------------------------------------------------


def test_me_returns_the_public_user(client, signed_in):
    account = signed_in()

    response = client.get(ME, headers=account.headers)

    assert response.status_code == HTTPStatus.OK
    me = response.json()
    assert set(me) == USER_KEYS
    for key in ("id", "email", "full_name", "role", "is_active"):
        assert me[key] == account.user[key]


@pytest.mark.asvs("4.1.3")
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": "Bearer"}, id="empty-bearer"),
        pytest.param({"Authorization": "Bearer not.a.jwt"}, id="garbage"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="basic-scheme"),
    ],
)
def test_me_without_a_valid_token_is_401(client, headers):
    assert_problem(client.get(ME, headers=headers), HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("3.5.3")
def test_me_with_a_tampered_token_is_401(client, signed_in):
    victim, attacker = signed_in(), signed_in()
    header, payload, signature = attacker.access_token.split(".")
    claims = unb64url(payload)
    claims["sub"] = str(victim.user["id"])
    # Same signature over a different payload.
    forged = f"{header}.{b64url(claims)}.{signature}"

    assert_problem(client.get(ME, headers=bearer(forged)), HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("3.5.3")
def test_me_with_a_corrupted_signature_is_401(client, signed_in):
    token = signed_in().access_token
    head, _, signature = token.rpartition(".")
    flipped = ("B" if signature[0] == "A" else "A") + signature[1:]

    assert_problem(client.get(ME, headers=bearer(f"{head}.{flipped}")), HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("3.5.3")
@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_me_with_an_alg_none_token_is_401(client, signed_in, alg):
    account = signed_in()
    claims = unb64url(account.access_token.split(".")[1])
    unsigned = f"{b64url({'alg': alg, 'typ': 'JWT'})}.{b64url(claims)}."

    assert_problem(client.get(ME, headers=bearer(unsigned)), HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("3.5.3")
def test_me_with_an_rs256_header_over_the_real_signature_is_401(client, signed_in):
    account = signed_in()
    _, payload, signature = account.access_token.split(".")
    relabelled = f"{b64url({'alg': 'RS256', 'typ': 'JWT'})}.{payload}.{signature}"

    assert_problem(client.get(ME, headers=bearer(relabelled)), HTTPStatus.UNAUTHORIZED)


# Tokens minted with the app's own key: only the in-process app can give it. --------------


@pytest.mark.asvs("3.5.3")
def test_a_well_formed_minted_token_is_accepted(client, signed_in, jwt_secret):
    # The control for the refusals below: the same recipe with nothing wrong works.
    account = signed_in()
    token = jwt.encode(access_claims(account.user["id"]), jwt_secret, algorithm="HS256")

    response = client.get(ME, headers=bearer(token))

    assert response.status_code == HTTPStatus.OK, response.text
    assert response.json()["id"] == account.user["id"]


@pytest.mark.asvs("3.3.1")
def test_me_with_an_expired_token_is_401(client, signed_in, jwt_secret):
    account = signed_in()
    past = int(time.time()) - 3600
    claims = access_claims(account.user["id"], iat=past - 900, exp=past)
    token = jwt.encode(claims, jwt_secret, algorithm="HS256")

    assert_problem(client.get(ME, headers=bearer(token)), HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("3.3.1")
def test_me_with_a_token_without_exp_is_401(client, signed_in, jwt_secret):
    account = signed_in()
    token = jwt.encode(access_claims(account.user["id"], exp=None), jwt_secret, "HS256")

    assert_problem(client.get(ME, headers=bearer(token)), HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("3.5.3")
@pytest.mark.parametrize("token_type", ["refresh", "id", None])
def test_me_with_a_token_of_another_type_is_401(client, signed_in, jwt_secret, token_type):
    account = signed_in()
    claims = access_claims(account.user["id"], type=token_type)
    token = jwt.encode(claims, jwt_secret, algorithm="HS256")

    assert_problem(client.get(ME, headers=bearer(token)), HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("3.5.3")
@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_me_with_another_hmac_algorithm_is_401(client, signed_in, jwt_secret, alg):
    account = signed_in()
    with warnings.catch_warnings():
        # PyJWT warns that a key sized for HS256 is short for HS384/HS512; that is the point.
        warnings.simplefilter("ignore")
        token = jwt.encode(access_claims(account.user["id"]), jwt_secret, algorithm=alg)

    assert_problem(client.get(ME, headers=bearer(token)), HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("3.5.3")
def test_me_with_an_rs256_header_hmac_signed_with_the_secret_is_401(client, signed_in, jwt_secret):
    # Key confusion: the header claims RSA while the bytes are an HMAC under the app's key.
    account = signed_in()
    token = hand_made_token(
        {"alg": "RS256", "typ": "JWT"}, access_claims(account.user["id"]), jwt_secret.encode()
    )

    assert_problem(client.get(ME, headers=bearer(token)), HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("3.5.3")
def test_me_with_a_token_signed_by_another_key_is_401(client, signed_in, jwt_secret):
    account = signed_in()
    token = jwt.encode(
        access_claims(account.user["id"]), jwt_secret + "-but-not-quite", algorithm="HS256"
    )

    assert_problem(client.get(ME, headers=bearer(token)), HTTPStatus.UNAUTHORIZED)


def test_me_with_a_token_for_a_user_that_does_not_exist_is_401(client, jwt_secret):
    token = jwt.encode(access_claims(987_654_321), jwt_secret, algorithm="HS256")

    assert_problem(client.get(ME, headers=bearer(token)), HTTPStatus.UNAUTHORIZED)


def test_me_with_a_token_of_a_deactivated_user_is_401(client, signed_in, set_user_active):
    account = signed_in()
    set_user_active(account.user["id"], active=False)

    assert_problem(client.get(ME, headers=account.headers), HTTPStatus.UNAUTHORIZED)


def test_reactivated_user_is_let_in_again(client, signed_in, set_user_active):
    account = signed_in()
    set_user_active(account.user["id"], active=False)
    set_user_active(account.user["id"], active=True)

    assert client.get(ME, headers=account.headers).status_code == HTTPStatus.OK


# PATCH /users/me ---------------------------------------------------------------------------


def test_patch_me_updates_the_full_name(client, signed_in):
    account = signed_in()

    response = client.patch(ME, json={"full_name": "Katherine Johnson"}, headers=account.headers)

    assert response.status_code == HTTPStatus.OK, response.text
    assert response.json()["full_name"] == "Katherine Johnson"
    assert set(response.json()) == USER_KEYS
    assert client.get(ME, headers=account.headers).json()["full_name"] == "Katherine Johnson"


@pytest.mark.asvs("5.1.2")
@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"role": "admin"}, id="role"),
        pytest.param({"email": "new-address@example.com"}, id="email"),
        pytest.param({"is_active": False}, id="is_active"),
        pytest.param({"full_name": "Eve", "role": "admin"}, id="role-beside-full_name"),
        pytest.param({"id": 1}, id="id"),
        pytest.param({"password_hash": "x"}, id="unknown-field"),
    ],
)
def test_patch_me_with_a_protected_or_unknown_field_is_422_and_changes_nothing(
    client, signed_in, body
):
    account = signed_in()
    before = client.get(ME, headers=account.headers).json()

    response = client.patch(ME, json=body, headers=account.headers)

    assert_validation_error(response, *(field for field in body if field != "full_name"))
    assert client.get(ME, headers=account.headers).json() == before


def test_patch_me_with_a_null_full_name_is_422(client, signed_in):
    account = signed_in()
    before = client.get(ME, headers=account.headers).json()

    response = client.patch(ME, json={"full_name": None}, headers=account.headers)

    assert_validation_error(response, "full_name")
    assert client.get(ME, headers=account.headers).json() == before


@pytest.mark.asvs("4.1.3")
def test_patch_me_without_a_token_is_401(client):
    assert_problem(client.patch(ME, json={"full_name": "X"}), HTTPStatus.UNAUTHORIZED)


# POST /users/me/password --------------------------------------------------------------------


NEW_PASSWORD = "brand-new-Passw0rd!"


def test_password_change_is_204_and_only_the_new_password_logs_in(client, signed_in):
    account = signed_in()

    response = client.post(
        PASSWORD,
        json={"current_password": account.password, "new_password": NEW_PASSWORD},
        headers=account.headers,
    )

    assert response.status_code == HTTPStatus.NO_CONTENT, response.text
    assert response.content == b""
    assert login(client, account.email, NEW_PASSWORD).status_code == HTTPStatus.OK
    assert login(client, account.email, account.password).status_code == (HTTPStatus.UNAUTHORIZED)


def test_password_change_with_a_wrong_current_password_is_400(client, signed_in):
    account = signed_in()

    response = client.post(
        PASSWORD,
        json={"current_password": "not-my-password-1", "new_password": NEW_PASSWORD},
        headers=account.headers,
    )

    assert_problem(response, HTTPStatus.BAD_REQUEST)
    assert login(client, account.email, account.password).status_code == HTTPStatus.OK


@pytest.mark.asvs("3.3.1")
def test_password_change_revokes_every_refresh_token_of_the_user(client, signed_in):
    account = signed_in()
    second_login = login(client, account.email, account.password).json()

    client.post(
        PASSWORD,
        json={"current_password": account.password, "new_password": NEW_PASSWORD},
        headers=account.headers,
    )

    for token in (account.refresh_token, second_login["refresh_token"]):
        response = client.post(REFRESH, json={"refresh_token": token})
        assert_problem(response, HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("2.1.1")
@pytest.mark.asvs("2.1.7")
@pytest.mark.parametrize("new_password", ["short-pw-11", "password1234", "k9$" * 43])
def test_password_change_applies_the_password_rules(client, signed_in, new_password):
    account = signed_in()

    response = client.post(
        PASSWORD,
        json={"current_password": account.password, "new_password": new_password},
        headers=account.headers,
    )

    assert_validation_error(response, "new_password")
    assert login(client, account.email, account.password).status_code == HTTPStatus.OK


def test_password_change_rejects_the_email_as_new_password(client, signed_in):
    account = signed_in()

    response = client.post(
        PASSWORD,
        json={"current_password": account.password, "new_password": account.email},
        headers=account.headers,
    )

    assert_validation_error(response, "new_password")


@pytest.mark.asvs("4.1.3")
def test_password_change_without_a_token_is_401(client):
    body = {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}

    assert_problem(client.post(PASSWORD, json=body), HTTPStatus.UNAUTHORIZED)


# GET /users (admin) ------------------------------------------------------------------------


def test_users_list_is_a_page_of_users_ordered_by_id(client, signed_in, create_user, unique_email):
    admin = signed_in("admin")
    made = [create_user(unique_email("listed"), DEFAULT_PASSWORD) for _ in range(3)]

    response = client.get(USERS, headers=admin.headers)

    assert response.status_code == HTTPStatus.OK, response.text
    page = response.json()
    assert set(page) == PAGE_KEYS
    assert page["limit"] == 20
    assert page["offset"] == 0
    ids = [user["id"] for user in page["items"]]
    assert ids == sorted(ids)
    assert {user["id"] for user in made} | {admin.user["id"]} <= set(ids)
    assert page["total"] >= len(made) + 1
    for user in page["items"]:
        assert set(user) == USER_KEYS


def test_users_list_pages_with_limit_and_offset(client, signed_in, create_user, unique_email):
    admin = signed_in("admin")
    for _ in range(4):
        create_user(unique_email("paged"), DEFAULT_PASSWORD)
    everyone = client.get(USERS, params={"limit": 100}, headers=admin.headers).json()

    response = client.get(USERS, params={"limit": 2, "offset": 1}, headers=admin.headers)

    page = response.json()
    assert page["limit"] == 2
    assert page["offset"] == 1
    assert page["total"] == everyone["total"]
    assert [user["id"] for user in page["items"]] == [
        user["id"] for user in everyone["items"][1:3]
    ]


def test_users_list_counts_admins_and_users(client, signed_in, create_user, unique_email):
    admin = signed_in("admin")
    create_user(unique_email("second-admin"), DEFAULT_PASSWORD, "admin")
    create_user(unique_email("plain"), DEFAULT_PASSWORD)

    page = client.get(USERS, params={"limit": 100}, headers=admin.headers).json()

    assert {user["role"] for user in page["items"]} == {"admin", "user"}
    assert page["total"] == len(page["items"])


@pytest.mark.asvs("4.1.3")
def test_users_list_is_403_for_a_plain_user(client, signed_in):
    assert_problem(client.get(USERS, headers=signed_in().headers), HTTPStatus.FORBIDDEN)


@pytest.mark.asvs("4.1.3")
def test_users_list_without_a_token_is_401(client):
    assert_problem(client.get(USERS), HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("12.1.1")
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_users_list_rejects_out_of_range_paging(client, signed_in, params, field):
    admin = signed_in("admin")

    assert_validation_error(client.get(USERS, params=params, headers=admin.headers), field)
