"""The tasks blueprint through Flask's test client."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    from flask.testing import FlaskClient

PASSWORD = "api-Tests-password!"
TASKS = "/api/v1/tasks"


@pytest.fixture
def auth(client: FlaskClient, create_user: Callable[..., dict[str, Any]]) -> Callable[..., Any]:
    """Return ``auth(email, role="user") -> headers`` for a new, logged-in user."""

    def make(email: str, role: str = "user") -> dict[str, str]:
        create_user(email, PASSWORD, role)
        tokens = client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        ).get_json()
        return {"Authorization": f"Bearer {tokens['access_token']}"}

    return make


def test_create_returns_the_task_and_its_location(client, auth):
    headers = auth("owner@example.com")

    response = client.post(TASKS, json={"title": "  Write tests  "}, headers=headers)

    assert response.status_code == HTTPStatus.CREATED
    task = response.get_json()
    assert task["title"] == "Write tests"
    assert task["description"] == ""
    assert (task["status"], task["priority"], task["completed_at"]) == ("todo", "medium", None)
    assert response.headers["Location"].endswith(f"{TASKS}/{task['id']}")


def test_completed_at_follows_the_status(client, auth):
    headers = auth("owner@example.com")
    task = client.post(TASKS, json={"title": "t", "status": "done"}, headers=headers).get_json()
    url = f"{TASKS}/{task['id']}"
    assert task["completed_at"] is not None

    again = client.patch(url, json={"status": "done"}, headers=headers).get_json()
    reopened = client.patch(url, json={"status": "in_progress"}, headers=headers).get_json()

    assert again["completed_at"] == task["completed_at"]
    assert reopened["completed_at"] is None


def test_null_clears_the_due_date_but_no_other_field(client, auth):
    headers = auth("owner@example.com")
    task = client.post(TASKS, json={"title": "t", "due_date": "2030-01-02"}, headers=headers)
    url = f"{TASKS}/{task.get_json()['id']}"

    cleared = client.patch(url, json={"due_date": None}, headers=headers)
    refused = client.patch(url, json={"title": None}, headers=headers)

    assert cleared.get_json()["due_date"] is None
    assert refused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert refused.get_json()["errors"][0]["field"] == "title"


def test_another_users_task_is_not_found_and_unchanged(client, auth):
    owner = auth("owner@example.com")
    other = auth("other@example.com")
    task = client.post(TASKS, json={"title": "mine"}, headers=owner).get_json()
    url = f"{TASKS}/{task['id']}"

    assert client.get(url, headers=other).status_code == HTTPStatus.NOT_FOUND
    assert (
        client.patch(url, json={"title": "x"}, headers=other).status_code == HTTPStatus.NOT_FOUND
    )
    assert client.delete(url, headers=other).status_code == HTTPStatus.NOT_FOUND
    assert client.get(url, headers=owner).get_json()["title"] == "mine"


def test_an_admin_sees_every_task(client, auth):
    owner = auth("owner@example.com")
    admin = auth("admin@example.com", role="admin")
    client.post(TASKS, json={"title": "mine"}, headers=owner)

    page = client.get(TASKS, headers=admin).get_json()

    assert page["total"] == 1


def test_the_list_is_newest_first_and_paged(client, auth):
    headers = auth("owner@example.com")
    for number in range(3):
        client.post(TASKS, json={"title": f"task {number}"}, headers=headers)

    page = client.get(f"{TASKS}?limit=2&offset=0", headers=headers).get_json()

    assert [task["title"] for task in page["items"]] == ["task 2", "task 1"]
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)


def test_an_id_beyond_the_database_range_is_not_found(client, auth):
    headers = auth("owner@example.com")

    assert client.get(f"{TASKS}/{2**31}", headers=headers).status_code == HTTPStatus.NOT_FOUND


def test_the_csv_export_is_an_attachment(client, auth):
    headers = auth("owner@example.com")
    client.post(TASKS, json={"title": "=HYPERLINK()"}, headers=headers)

    response = client.get(f"{TASKS}/export?format=csv", headers=headers)

    assert response.status_code == HTTPStatus.OK
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "'=HYPERLINK()" in response.get_data(as_text=True)


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("task_id", ["0", "abc", "2147483648", "9223372036854775808"])
def test_a_method_the_path_has_with_a_malformed_id_is_a_404(client, auth, method, task_id):
    # Werkzeug's own routing says 405 for DELETE /tasks/0 (the other routes of the path only
    # differ by method); the contract judges the method first, and the path has DELETE.
    response = client.open(f"{TASKS}/{task_id}", method=method, headers=auth("o@example.com"))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("path", [f"{TASKS}/abc", f"{TASKS}/0", f"{TASKS}/1"])
def test_a_method_the_id_path_lacks_is_a_405_listing_all_of_its_methods(client, path):
    response = client.put(path, json={})

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert allowed == {"GET", "HEAD", "PATCH", "DELETE", "OPTIONS"}


def test_a_fixed_path_beside_an_id_keeps_its_own_methods(client, auth):
    response = client.delete(f"{TASKS}/export", headers=auth("o@example.com"))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert {method.strip() for method in response.headers["Allow"].split(",")} == {
        "GET",
        "HEAD",
        "OPTIONS",
    }
