"""GET /reports/summary (CONTRACT.md)."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest

from .helpers import API, DEFAULT_PASSWORD, assert_problem, post_task

SUMMARY = f"{API}/reports/summary"
TASKS = f"{API}/tasks"
SUMMARY_KEYS = {"users_total", "tasks_total", "tasks_by_status", "overdue", "completed_per_day"}


def today_utc():
    """Today's date in UTC, the day the report counts from."""
    return dt.datetime.now(dt.UTC).date()


@pytest.mark.asvs("4.1.3")
def test_summary_is_403_for_a_plain_user(client, signed_in):
    assert_problem(client.get(SUMMARY, headers=signed_in().headers), HTTPStatus.FORBIDDEN)


@pytest.mark.asvs("4.1.3")
def test_summary_without_a_token_is_401(client):
    assert_problem(client.get(SUMMARY), HTTPStatus.UNAUTHORIZED)


def test_summary_of_an_empty_system(client, signed_in):
    admin = signed_in("admin")

    response = client.get(SUMMARY, headers=admin.headers)

    assert response.status_code == HTTPStatus.OK, response.text
    summary = response.json()
    assert set(summary) == SUMMARY_KEYS
    # The fresh test database holds only this admin: admins count as users.
    assert summary["users_total"] == 1
    assert summary["tasks_total"] == 0
    assert summary["tasks_by_status"] == {"todo": 0, "in_progress": 0, "done": 0}
    assert summary["overdue"] == 0


def test_summary_counts_users_including_admins(client, signed_in, create_user, unique_email):
    admin = signed_in("admin")
    create_user(unique_email("other-admin"), DEFAULT_PASSWORD, "admin")
    create_user(unique_email("plain"), DEFAULT_PASSWORD)
    create_user(unique_email("plain"), DEFAULT_PASSWORD)

    summary = client.get(SUMMARY, headers=admin.headers).json()

    assert summary["users_total"] == 4


def test_summary_counts_every_users_tasks_by_status(client, signed_in):
    admin, alice, bob = signed_in("admin"), signed_in(), signed_in()
    for account, status in (
        (alice, "todo"),
        (alice, "todo"),
        (bob, "in_progress"),
        (bob, "done"),
        (admin, "done"),
        (alice, "done"),
    ):
        post_task(client, account, status=status)

    summary = client.get(SUMMARY, headers=admin.headers).json()

    assert summary["tasks_total"] == 6
    assert summary["tasks_by_status"] == {"todo": 2, "in_progress": 1, "done": 3}


def test_summary_overdue_counts_past_due_tasks_that_are_not_done(client, signed_in):
    admin, user = signed_in("admin"), signed_in()
    yesterday = (today_utc() - dt.timedelta(days=1)).isoformat()
    last_year = (today_utc() - dt.timedelta(days=365)).isoformat()
    tomorrow = (today_utc() + dt.timedelta(days=1)).isoformat()
    post_task(client, user, due_date=yesterday, status="todo")
    post_task(client, user, due_date=last_year, status="in_progress")
    # Not overdue: done, due today, due later, no due date.
    post_task(client, user, due_date=yesterday, status="done")
    post_task(client, user, due_date=today_utc().isoformat())
    post_task(client, user, due_date=tomorrow)
    post_task(client, user)

    summary = client.get(SUMMARY, headers=admin.headers).json()

    assert summary["overdue"] == 2


def test_summary_completed_per_day_is_seven_zero_filled_days_oldest_first(client, signed_in):
    admin, user = signed_in("admin"), signed_in()
    post_task(client, user, status="done")
    finished_later = post_task(client, user)
    response = client.patch(
        f"{TASKS}/{finished_later['id']}", json={"status": "done"}, headers=user.headers
    )
    assert response.status_code == HTTPStatus.OK
    post_task(client, user, status="in_progress")

    summary = client.get(SUMMARY, headers=admin.headers).json()

    today = today_utc()
    expected_days = [(today - dt.timedelta(days=back)).isoformat() for back in range(6, -1, -1)]
    per_day = summary["completed_per_day"]
    assert [entry["date"] for entry in per_day] == expected_days
    assert [entry["count"] for entry in per_day] == [0, 0, 0, 0, 0, 0, 2]
    for entry in per_day:
        assert set(entry) == {"date", "count"}


def test_summary_completed_per_day_forgets_tasks_reopened(client, signed_in):
    admin, user = signed_in("admin"), signed_in()
    task = post_task(client, user, status="done")
    client.patch(f"{TASKS}/{task['id']}", json={"status": "todo"}, headers=user.headers)

    summary = client.get(SUMMARY, headers=admin.headers).json()

    assert [entry["count"] for entry in summary["completed_per_day"]] == [0] * 7
