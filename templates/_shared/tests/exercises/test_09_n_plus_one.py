"""Exercise 9: performance: embed each task's owner without one query per task (N+1)."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import pytest

from tests.contract.helpers import USER_KEYS

from .support import API, expect, expect_field_error, expect_key

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from tests.contract.helpers import Account

    from .conftest import QueryCounter

pytestmark = pytest.mark.exercise


def _tasks_by(client: httpx.Client, accounts: list[Account]) -> None:
    for account in accounts:
        response = client.post(
            f"{API}/tasks", json={"title": f"by {account.email}"}, headers=account.headers
        )
        expect(response, HTTPStatus.CREATED, f"POST {API}/tasks")


def _expanded(client: httpx.Client, admin: Account) -> list[dict[str, Any]]:
    query = f"{API}/tasks?expand=owner&limit=100"
    page = expect(client.get(query, headers=admin.headers), HTTPStatus.OK, f"GET {query}")
    items: list[dict[str, Any]] = page["items"]
    return items


def test_expand_owner_embeds_the_public_user(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    admin, alice = signed_in("admin"), signed_in()
    _tasks_by(client, [alice])
    (item,) = _expanded(client, admin)
    owner = expect_key(item, "owner", "a task listed with ?expand=owner")
    assert owner == alice.user, f"owner is the owner's public User form; got {owner}"
    assert set(owner) == USER_KEYS, "never a password hash or token"


def test_without_expand_there_is_no_owner(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    _tasks_by(client, [alice])
    page = expect(client.get(f"{API}/tasks", headers=alice.headers), HTTPStatus.OK, "GET /tasks")
    assert "owner" not in page["items"][0], "the owner is embedded only when asked for"


def test_unknown_expansion_is_a_422(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    response = client.get(f"{API}/tasks?expand=secrets", headers=alice.headers)
    expect_field_error(response, "expand", f"GET {API}/tasks?expand=secrets")


def test_query_count_does_not_grow_with_the_number_of_owners(
    client: httpx.Client, signed_in: Callable[..., Account], query_counter: QueryCounter
) -> None:
    admin = signed_in("admin")
    _tasks_by(client, [signed_in() for _ in range(3)])
    with query_counter() as few:
        assert all("owner" in item for item in _expanded(client, admin)), "owners embedded"
    _tasks_by(client, [signed_in() for _ in range(6)])
    with query_counter() as many:
        assert len(_expanded(client, admin)) == 9
    assert len(many) == len(few), (
        f"listing 3 owners' tasks ran {len(few)} SQL statements, 9 owners' ran {len(many)}: "
        "the owners are loaded one query per task (N+1). Load them together instead. "
        "Statements for 9 owners:\n  " + "\n  ".join(" ".join(sql.split()) for sql in many)
    )
