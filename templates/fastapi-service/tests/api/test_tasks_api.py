"""Tasks through the API: rules of CONTRACT.md in FastAPI's test-client idiom."""

import csv
import io
from collections.abc import Callable
from http import HTTPStatus

from fastapi.testclient import TestClient

from tests.api.conftest import API, Headers

TASKS = f"{API}/tasks"


def create(client: TestClient, headers: Headers, **fields: object) -> dict[str, object]:
    response = client.post(TASKS, json={"title": "a task", **fields}, headers=headers)
    assert response.status_code == HTTPStatus.CREATED, response.text
    task: dict[str, object] = response.json()
    return task


def test_create_trims_the_title_and_points_location_at_the_task(
    app_client: TestClient, alice: Headers
) -> None:
    response = app_client.post(TASKS, json={"title": "  water plants  "}, headers=alice)

    task = response.json()
    assert task["title"] == "water plants"
    assert task["status"] == "todo"
    assert task["priority"] == "medium"
    assert task["description"] == ""
    assert response.headers["location"] == f"{TASKS}/{task['id']}"


def test_completed_at_follows_the_status(app_client: TestClient, alice: Headers) -> None:
    task = create(app_client, alice, status="done")
    url = f"{TASKS}/{task['id']}"

    still_done = app_client.patch(url, json={"status": "done"}, headers=alice).json()
    reopened = app_client.patch(url, json={"status": "in_progress"}, headers=alice).json()

    assert task["completed_at"] is not None
    assert still_done["completed_at"] == task["completed_at"]
    assert reopened["completed_at"] is None


def test_patch_null_clears_only_the_due_date(app_client: TestClient, alice: Headers) -> None:
    task = create(app_client, alice, due_date="2030-01-31")
    url = f"{TASKS}/{task['id']}"

    cleared = app_client.patch(url, json={"due_date": None}, headers=alice)
    null_title = app_client.patch(url, json={"title": None}, headers=alice)

    assert cleared.json()["due_date"] is None
    assert null_title.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert null_title.json()["errors"][0]["field"] == "title"


def test_list_is_newest_first_and_paginated(app_client: TestClient, alice: Headers) -> None:
    ids = [create(app_client, alice, title=f"task {n}")["id"] for n in range(3)]

    page = app_client.get(TASKS, params={"limit": 2, "offset": 1}, headers=alice).json()

    assert page["total"] == 3
    assert [item["id"] for item in page["items"]] == [ids[1], ids[0]]


def test_list_filters_by_status(app_client: TestClient, alice: Headers) -> None:
    create(app_client, alice, status="done")
    create(app_client, alice)

    page = app_client.get(TASKS, params={"status": "done"}, headers=alice).json()

    assert [item["status"] for item in page["items"]] == ["done"]


def test_an_admin_sees_every_task(app_client: TestClient, alice: Headers, admin: Headers) -> None:
    create(app_client, alice)

    assert app_client.get(TASKS, headers=admin).json()["total"] == 1


def test_another_users_task_is_not_found(
    app_client: TestClient, alice: Headers, headers_for: Callable[..., Headers]
) -> None:
    task = create(app_client, alice)
    bob = headers_for("bob@example.com")

    response = app_client.delete(f"{TASKS}/{task['id']}", headers=bob)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert app_client.get(f"{TASKS}/{task['id']}", headers=alice).status_code == HTTPStatus.OK


def test_csv_export_escapes_formulas(app_client: TestClient, alice: Headers) -> None:
    create(app_client, alice, title="=HYPERLINK(1)", description="-2+3")

    response = app_client.get(f"{TASKS}/export", params={"format": "csv"}, headers=alice)

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["title"] == "'=HYPERLINK(1)"
    assert rows[0]["description"] == "'-2+3"


def test_json_export_is_an_array_of_tasks(app_client: TestClient, alice: Headers) -> None:
    task = create(app_client, alice)

    response = app_client.get(f"{TASKS}/export", params={"format": "json"}, headers=alice)

    assert response.json() == [task]
