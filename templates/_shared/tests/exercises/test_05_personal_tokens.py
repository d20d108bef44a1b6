"""Exercise 5: security: personal access tokens (shown once, scoped, revocable, expiring)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import pytest

from .support import API, bearer, expect, expect_field_error

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from tests.contract.helpers import Account

pytestmark = pytest.mark.exercise

TOKENS = f"{API}/users/me/tokens"
TOKEN_KEYS = {"id", "name", "scopes", "created_at", "expires_at", "last_used_at"}


def _issue(client: httpx.Client, account: Account, **fields: object) -> dict[str, Any]:
    body = {"name": "ci script", "scopes": ["read"], **fields}
    response = client.post(TOKENS, json=body, headers=account.headers)
    token: dict[str, Any] = expect(response, HTTPStatus.CREATED, f"POST {TOKENS} {body}")
    return token


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_token_is_shown_once_and_authenticates(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    issued = _issue(client, alice)
    assert set(issued) == TOKEN_KEYS | {"token"}, f"the answer's keys are {sorted(issued)}"
    secret = issued["token"]
    assert secret.startswith("pat_"), "personal tokens start with pat_ (easy to spot in leaks)"
    assert len(secret) >= 40, "at least 256 random bits after the prefix"
    assert issued["scopes"] == ["read"]
    assert issued["last_used_at"] is None

    me = expect(client.get(f"{API}/users/me", headers=bearer(secret)), HTTPStatus.OK, "PAT use")
    assert me["id"] == alice.user["id"], "a personal token acts as its owner"

    listed = expect(client.get(TOKENS, headers=alice.headers), HTTPStatus.OK, f"GET {TOKENS}")
    assert len(listed) == 1, f"GET {TOKENS} lists the caller's tokens; got {listed}"
    assert set(listed[0]) == TOKEN_KEYS, "the secret is never shown again, only its metadata"
    assert listed[0]["last_used_at"] is not None, "using a token records last_used_at"
    assert secret not in client.get(TOKENS, headers=alice.headers).text


def test_default_lifetime_is_30_days(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    issued = _issue(client, signed_in())
    lifetime = _parse(issued["expires_at"]) - _parse(issued["created_at"])
    assert abs(lifetime - timedelta(days=30)) < timedelta(minutes=1), (
        f"without expires_at a token lives 30 days; this one lives {lifetime}"
    )


def test_read_scope_cannot_write(client: httpx.Client, signed_in: Callable[..., Account]) -> None:
    alice = signed_in()
    reader = bearer(_issue(client, alice, scopes=["read"])["token"])
    writer = bearer(_issue(client, alice, scopes=["read", "write"])["token"])

    expect(client.get(f"{API}/tasks", headers=reader), HTTPStatus.OK, "GET with a read token")
    expect(
        client.post(f"{API}/tasks", json={"title": "x"}, headers=reader),
        HTTPStatus.FORBIDDEN,
        "POST with a read-only token",
    )
    created = expect(
        client.post(f"{API}/tasks", json={"title": "x"}, headers=writer),
        HTTPStatus.CREATED,
        "POST with a read+write token",
    )
    url = f"{API}/tasks/{created['id']}"
    expect(client.delete(url, headers=reader), HTTPStatus.FORBIDDEN, "DELETE with a read token")
    expect(client.delete(url, headers=writer), HTTPStatus.NO_CONTENT, "DELETE with write")


def test_tokens_cannot_manage_tokens_or_the_password(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    token = bearer(_issue(client, alice, scopes=["read", "write"])["token"])
    expect(
        client.post(TOKENS, json={"name": "x", "scopes": ["read"]}, headers=token),
        HTTPStatus.FORBIDDEN,
        "issuing a token with a token",
    )
    expect(client.get(TOKENS, headers=token), HTTPStatus.FORBIDDEN, "listing tokens with a token")
    expect(
        client.post(
            f"{API}/users/me/password",
            json={"current_password": alice.password, "new_password": "a-brand-new-passphrase"},
            headers=token,
        ),
        HTTPStatus.FORBIDDEN,
        "changing the password with a token",
    )


def test_revoked_token_stops_working(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice, bob = signed_in(), signed_in()
    issued = _issue(client, alice)
    url = f"{TOKENS}/{issued['id']}"
    expect(client.delete(url, headers=bob.headers), HTTPStatus.NOT_FOUND, "revoking another's")
    expect(client.delete(url, headers=alice.headers), HTTPStatus.NO_CONTENT, "revoking")
    expect(
        client.get(f"{API}/users/me", headers=bearer(issued["token"])),
        HTTPStatus.UNAUTHORIZED,
        "using a revoked token",
    )
    assert expect(client.get(TOKENS, headers=alice.headers), HTTPStatus.OK, "list") == []


def test_expired_token_stops_working(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    issued = _issue(client, alice, expires_at=_iso(expires))
    assert _parse(issued["expires_at"]) == expires, "expires_at is kept as given"
    expect(client.get(f"{API}/users/me", headers=bearer(issued["token"])), HTTPStatus.OK, "use")
    time.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 1.0)
    expect(
        client.get(f"{API}/users/me", headers=bearer(issued["token"])),
        HTTPStatus.UNAUTHORIZED,
        "using a token after its expires_at",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"name": "", "scopes": ["read"]}, "name", id="empty-name"),
        pytest.param({"name": "x", "scopes": []}, "scopes", id="no-scope"),
        pytest.param({"name": "x", "scopes": ["admin"]}, "scopes.0", id="unknown-scope"),
        pytest.param(
            {"name": "x", "scopes": ["read"], "expires_at": "2000-01-01T00:00:00Z"},
            "expires_at",
            id="in-the-past",
        ),
        pytest.param(
            {"name": "x", "scopes": ["read"], "expires_at": "2999-01-01T00:00:00Z"},
            "expires_at",
            id="beyond-a-year",
        ),
    ],
)
def test_invalid_token_requests_are_a_422(
    client: httpx.Client, signed_in: Callable[..., Account], body: dict[str, Any], field: str
) -> None:
    alice = signed_in()
    expect_field_error(client.post(TOKENS, json=body, headers=alice.headers), field, f"{body}")


def test_unknown_token_is_401(client: httpx.Client) -> None:
    response = client.get(f"{API}/users/me", headers=bearer("pat_" + "A" * 43))
    expect(response, HTTPStatus.UNAUTHORIZED, "GET /users/me with a made-up personal token")
