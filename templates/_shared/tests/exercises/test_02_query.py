"""Exercise 2: a query API: filters by tag, status and due-date range, and sorting."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import pytest

from .support import API, expect, expect_field_error

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from tests.contract.helpers import Account

pytestmark = pytest.mark.exercise


def _create(client: httpx.Client, account: Account, title: str, **fields: object) -> int:
    response = client.post(
        f"{API}/tasks", json={"title": title, **fields}, headers=account.headers
    )
    task: dict[str, Any] = expect(response, HTTPStatus.CREATED, f"POST {API}/tasks {fields}")
    return int(task["id"])


def _titles(client: httpx.Client, account: Account, query: str) -> list[str]:
    response = client.get(f"{API}/tasks?{query}", headers=account.headers)
    page = expect(response, HTTPStatus.OK, f"GET {API}/tasks?{query}")
    assert page["total"] == len(page["items"]), (
        f"GET {API}/tasks?{query}: `total` counts the filtered tasks ({len(page['items'])}), "
        f"not {page['total']}"
    )
    return [item["title"] for item in page["items"]]


@pytest.fixture
def planner(client: httpx.Client, signed_in: Callable[..., Account]) -> Account:
    """A user with four tasks of different priorities, due dates and statuses."""
    account = signed_in()
    _create(client, account, "bravo", priority="high", due_date="2030-03-10")
    _create(client, account, "alpha", priority="low", due_date="2030-01-20", status="done")
    _create(client, account, "Charlie", priority="medium")
    _create(client, account, "delta", priority="medium", due_date="2030-02-15")
    return account


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        pytest.param("priority", ["alpha", "delta", "Charlie", "bravo"], id="priority"),
        pytest.param("-priority", ["bravo", "delta", "Charlie", "alpha"], id="-priority"),
        pytest.param("due_date", ["alpha", "delta", "bravo", "Charlie"], id="due_date"),
        pytest.param("-due_date", ["bravo", "delta", "alpha", "Charlie"], id="-due_date"),
        pytest.param("title", ["alpha", "bravo", "Charlie", "delta"], id="title"),
        pytest.param("created_at", ["bravo", "alpha", "Charlie", "delta"], id="created_at"),
        pytest.param("-created_at", ["delta", "Charlie", "alpha", "bravo"], id="-created_at"),
    ],
)
def test_sort_orders_the_list(
    client: httpx.Client, planner: Account, sort: str, expected: list[str]
) -> None:
    titles = _titles(client, planner, f"sort={sort}")
    assert titles == expected, f"sort={sort} should list {expected}, got {titles}"


def test_due_date_range_is_inclusive_and_skips_tasks_without_a_date(
    client: httpx.Client, planner: Account
) -> None:
    both = _titles(client, planner, "due_after=2030-01-20&due_before=2030-02-15&sort=due_date")
    assert both == ["alpha", "delta"], f"both bounds are inclusive; got {both}"
    after = _titles(client, planner, "due_after=2030-02-01&sort=due_date")
    assert after == ["delta", "bravo"], f"due_after alone; got {after}"
    before = _titles(client, planner, "due_before=2030-02-01")
    assert before == ["alpha"], f"due_before alone; got {before}"


def test_filters_combine(client: httpx.Client, planner: Account) -> None:
    titles = _titles(client, planner, "status=todo&due_before=2030-12-31&sort=title")
    assert titles == ["bravo", "delta"], f"status and due-date range together; got {titles}"


def test_filter_by_tag(client: httpx.Client, signed_in: Callable[..., Account]) -> None:
    account = signed_in()
    _create(client, account, "paint the fence", tags=["garden", "weekend"])
    _create(client, account, "mow the lawn", tags=["garden"])
    _create(client, account, "file taxes", tags=["paperwork"])
    titles = _titles(client, account, "tag=Garden&sort=title")
    assert titles == ["mow the lawn", "paint the fence"], (
        f"tag=Garden matches the tag `garden` (tags are compared normalised); got {titles}"
    )
    assert _titles(client, account, "tag=nothing") == []


def test_filters_never_show_other_users_tasks(
    client: httpx.Client, planner: Account, signed_in: Callable[..., Account]
) -> None:
    other = signed_in()
    _create(client, other, "someone else's", priority="high", due_date="2030-03-10")
    titles = _titles(client, planner, "sort=-priority&due_after=2030-01-01")
    assert "someone else's" not in titles, "filters and sorting still show only your tasks"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("sort=owner", "sort", id="unknown-sort"),
        pytest.param("tag=", "tag", id="empty-tag"),
        pytest.param("tag=%20%20", "tag", id="blank-tag"),
        pytest.param("sort=--title", "sort", id="malformed-sort"),
        pytest.param("due_after=soon", "due_after", id="bad-date"),
        pytest.param("due_before=2030-02-30", "due_before", id="impossible-date"),
        pytest.param(
            "due_after=2030-02-02&due_before=2030-02-01", "due_before", id="after>before"
        ),
    ],
)
def test_bad_query_parameters_are_a_422(
    client: httpx.Client, signed_in: Callable[..., Account], query: str, field: str
) -> None:
    account = signed_in()
    response = client.get(f"{API}/tasks?{query}", headers=account.headers)
    expect_field_error(response, field, f"GET {API}/tasks?{query}")
