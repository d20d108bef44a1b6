"""The user's own account, the admin's user list and the summary report."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

from fastapi.testclient import TestClient

from tests.api.conftest import API, Headers


def test_me_returns_the_caller(app_client: TestClient, alice: Headers) -> None:
    assert app_client.get(f"{API}/users/me", headers=alice).json()["email"] == "alice@example.com"


def test_patch_me_changes_the_name_only(app_client: TestClient, alice: Headers) -> None:
    renamed = app_client.patch(f"{API}/users/me", json={"full_name": "Alice L."}, headers=alice)
    promoted = app_client.patch(f"{API}/users/me", json={"role": "admin"}, headers=alice)

    assert renamed.json()["full_name"] == "Alice L."
    assert promoted.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert app_client.get(f"{API}/users/me", headers=alice).json()["role"] == "user"


def test_users_are_listed_by_id_for_admins_only(
    app_client: TestClient, alice: Headers, admin: Headers
) -> None:
    listed = app_client.get(f"{API}/users", headers=admin).json()
    refused = app_client.get(f"{API}/users", headers=alice)

    assert [user["email"] for user in listed["items"]] == ["alice@example.com", "root@example.com"]
    assert listed["total"] == 2
    assert refused.status_code == HTTPStatus.FORBIDDEN


def test_summary_counts_statuses_overdue_and_completions(
    app_client: TestClient, headers_for: Callable[..., Headers]
) -> None:
    admin = headers_for("boss@example.com", "admin")
    user = headers_for("worker@example.com")
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    for fields in (
        {"status": "done"},
        {"status": "todo", "due_date": yesterday},
        {"status": "done", "due_date": yesterday},
        {"status": "in_progress"},
    ):
        app_client.post(f"{API}/tasks", json={"title": "t", **fields}, headers=user)

    report = app_client.get(f"{API}/reports/summary", headers=admin).json()

    assert report["users_total"] == 2
    assert report["tasks_total"] == 4
    assert report["tasks_by_status"] == {"todo": 1, "in_progress": 1, "done": 2}
    assert report["overdue"] == 1
    days = report["completed_per_day"]
    assert len(days) == 7
    assert days[-1] == {"date": datetime.now(UTC).date().isoformat(), "count": 2}
    assert sum(day["count"] for day in days) == 2
