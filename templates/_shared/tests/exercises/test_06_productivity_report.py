"""Exercise 6: reports and statistics: a per-user productivity report over a date range."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import pytest

from .support import API, expect, expect_field_error, expect_key

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from tests.contract.helpers import Account

pytestmark = pytest.mark.exercise

REPORT = f"{API}/reports/productivity"
ROW_KEYS = {"user_id", "email", "created", "completed", "completed_late"}


def _days(offset: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def _create(client: httpx.Client, account: Account, **fields: object) -> None:
    response = client.post(f"{API}/tasks", json={"title": "t", **fields}, headers=account.headers)
    expect(response, HTTPStatus.CREATED, f"POST {API}/tasks {fields}")


def _report(client: httpx.Client, admin: Account, start: str, end: str) -> dict[str, Any]:
    query = f"{REPORT}?from={start}&to={end}"
    report: dict[str, Any] = expect(
        client.get(query, headers=admin.headers), HTTPStatus.OK, f"GET {query} as an admin"
    )
    return report


def _row(report: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    users = expect_key(report, "users", "the report")
    rows = [row for row in users if row.get("user_id") == user["id"]]
    assert len(rows) == 1, f"the report has one row per user; user {user['id']} has {len(rows)}"
    row: dict[str, Any] = rows[0]
    return row


def test_report_counts_created_completed_and_late_per_user(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    admin, alice, bob = signed_in("admin"), signed_in(), signed_in()
    _create(client, alice)
    _create(client, alice, status="done", due_date=_days(30))
    _create(client, alice, status="done", due_date=_days(-3))
    _create(client, bob, status="in_progress")

    report = _report(client, admin, _days(-1), _days(1))
    assert report.get("from") == _days(-1), "the answer repeats the range: from"
    assert report.get("to") == _days(1), "the answer repeats the range: to"
    row = _row(report, alice.user)
    assert set(row) == ROW_KEYS, f"a row has exactly {sorted(ROW_KEYS)}; got {sorted(row)}"
    assert row["email"] == alice.email
    assert (row["created"], row["completed"], row["completed_late"]) == (3, 2, 1), (
        f"alice created 3, completed 2, one of them after its due date; the row says {row}"
    )
    bob_row = _row(report, bob.user)
    assert (bob_row["created"], bob_row["completed"], bob_row["completed_late"]) == (1, 0, 0)


def test_every_user_has_a_row_in_id_order(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    admin, idle = signed_in("admin"), signed_in()
    report = _report(client, admin, _days(-1), _days(0))
    row = _row(report, idle.user)
    assert (row["created"], row["completed"], row["completed_late"]) == (0, 0, 0), (
        "a user with nothing in the range has a row of zeros"
    )
    ids = [entry["user_id"] for entry in report["users"]]
    assert ids == sorted(ids), "rows are ordered by user id"
    assert admin.user["id"] in ids, "admins are users too and have a row"


def test_range_outside_the_activity_counts_nothing(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    admin, alice = signed_in("admin"), signed_in()
    _create(client, alice, status="done")
    past = _row(_report(client, admin, _days(-30), _days(-2)), alice.user)
    assert (past["created"], past["completed"]) == (0, 0), (
        f"tasks made today fall outside a range that ends two days ago; got {past}"
    )


def test_report_is_for_admins_only(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    query = f"{REPORT}?from={_days(-1)}&to={_days(0)}"
    expect(
        client.get(query, headers=alice.headers), HTTPStatus.FORBIDDEN, f"GET {query} as a user"
    )
    expect(client.get(query), HTTPStatus.UNAUTHORIZED, f"GET {query} without a token")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("to=2030-01-01", "from", id="missing-from"),
        pytest.param("from=2030-01-01", "to", id="missing-to"),
        pytest.param("from=yesterday&to=2030-01-01", "from", id="not-a-date"),
        pytest.param("from=2030-01-02&to=2030-01-01", "to", id="to-before-from"),
        pytest.param("from=2029-01-01&to=2030-01-02", "to", id="longer-than-366-days"),
    ],
)
def test_bad_ranges_are_a_422(
    client: httpx.Client, signed_in: Callable[..., Account], query: str, field: str
) -> None:
    admin = signed_in("admin")
    expect_field_error(
        client.get(f"{REPORT}?{query}", headers=admin.headers), field, f"GET {REPORT}?{query}"
    )
