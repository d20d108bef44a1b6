"""Tasks: CRUD, the Task rules, listing, paging and object-level authorization (CONTRACT.md)."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest

from .helpers import (
    API,
    DATE,
    PAGE_KEYS,
    TASK_KEYS,
    TIMESTAMP_UTC,
    assert_problem,
    assert_validation_error,
    post_task,
)

TASKS = f"{API}/tasks"
MISSING_ID = 987_654_321


def get_task(client, account, task_id):
    """GET /tasks/{id} as ``account``.

    Args:
        client: The client under test.
        account: The signed-in caller.
        task_id: Id of the task.

    Returns:
        The raw response.
    """
    return client.get(f"{TASKS}/{task_id}", headers=account.headers)


def patch_task(client, account, task_id, body):
    """PATCH /tasks/{id} as ``account``.

    Args:
        client: The client under test.
        account: The signed-in caller.
        task_id: Id of the task.
        body: The JSON body to send.

    Returns:
        The raw response.
    """
    return client.patch(f"{TASKS}/{task_id}", json=body, headers=account.headers)


def parse_timestamp(value):
    """Parse a contract timestamp (ISO 8601, UTC, ``Z``).

    Args:
        value: The timestamp text.

    Returns:
        An aware datetime.
    """
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture
def owner(signed_in):
    """A signed-in plain user who owns the tasks of a test."""
    return signed_in()


# POST /tasks -------------------------------------------------------------------------------


def test_create_task_returns_201_with_defaults_and_location(client, owner):
    response = client.post(TASKS, json={"title": "Buy milk"}, headers=owner.headers)

    assert response.status_code == HTTPStatus.CREATED, response.text
    task = response.json()
    assert set(task) == TASK_KEYS
    assert isinstance(task["id"], int)
    assert task["title"] == "Buy milk"
    assert task["description"] == ""
    assert task["status"] == "todo"
    assert task["priority"] == "medium"
    assert task["due_date"] is None
    assert task["completed_at"] is None
    assert task["owner_id"] == owner.user["id"]
    assert TIMESTAMP_UTC.match(task["created_at"])
    assert TIMESTAMP_UTC.match(task["updated_at"])
    assert urlsplit(response.headers["location"]).path == f"{TASKS}/{task['id']}"


def test_location_of_a_created_task_serves_it(client, owner):
    response = client.post(TASKS, json={"title": "Follow me"}, headers=owner.headers)

    fetched = client.get(urlsplit(response.headers["location"]).path, headers=owner.headers)

    assert fetched.status_code == HTTPStatus.OK
    assert fetched.json() == response.json()


def test_create_task_with_every_field(client, owner):
    body = {
        "title": "Plan the release",
        "description": "Checklist\nand notes",
        "status": "in_progress",
        "priority": "high",
        "due_date": "2031-03-14",
    }

    task = post_task(client, owner, **body)

    for field, value in body.items():
        assert task[field] == value
    assert DATE.match(task["due_date"])
    assert task["completed_at"] is None


def test_create_task_stores_the_title_trimmed(client, owner):
    task = post_task(client, owner, title="   Water the plants \t ")

    assert task["title"] == "Water the plants"
    assert get_task(client, owner, task["id"]).json()["title"] == "Water the plants"


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("x", id="1-character"),
        pytest.param("t" * 200, id="200-characters"),
        pytest.param("  " + "t" * 200 + "  ", id="200-after-trimming"),
    ],
)
def test_create_task_accepts_titles_of_1_to_200_characters(client, owner, title):
    assert post_task(client, owner, title=title)["title"] == title.strip()


@pytest.mark.asvs("5.1.3")
@pytest.mark.parametrize(
    "title",
    [
        pytest.param("", id="empty"),
        pytest.param("    ", id="blank-after-trimming"),
        pytest.param("t" * 201, id="201-characters"),
        pytest.param(None, id="null"),
    ],
)
def test_create_task_rejects_a_bad_title(client, owner, title):
    response = client.post(TASKS, json={"title": title}, headers=owner.headers)

    assert_validation_error(response, "title")


def test_create_task_without_a_title_is_422(client, owner):
    response = client.post(TASKS, json={"description": "no title"}, headers=owner.headers)

    assert_validation_error(response, "title")


def test_create_task_accepts_a_10000_character_description(client, owner):
    task = post_task(client, owner, description="d" * 10_000)

    assert len(task["description"]) == 10_000


@pytest.mark.asvs("5.1.3")
@pytest.mark.parametrize(
    "description",
    [pytest.param("d" * 10_001, id="10001-characters"), pytest.param(None, id="null")],
)
def test_create_task_rejects_a_bad_description(client, owner, description):
    body = {"title": "t", "description": description}

    assert_validation_error(client.post(TASKS, json=body, headers=owner.headers), "description")


@pytest.mark.asvs("5.1.3")
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "archived"),
        ("status", "DONE"),
        ("priority", "urgent"),
        ("priority", ""),
        ("due_date", "2031-02-30"),
        ("due_date", "next tuesday"),
        ("due_date", "2031-03-14T10:00:00Z"),
        # Dates are YYYY-MM-DD text only: not a datetime at midnight, not a Unix timestamp.
        ("due_date", "2031-03-14T00:00:00Z"),
        ("due_date", 1_931_212_800),
        ("due_date", "20310314"),
    ],
)
def test_create_task_rejects_values_outside_the_enums_and_dates(client, owner, field, value):
    body = {"title": "t", field: value}

    assert_validation_error(client.post(TASKS, json=body, headers=owner.headers), field)


@pytest.mark.parametrize("status", ["todo", "in_progress", "done"])
@pytest.mark.parametrize("priority", ["low", "medium", "high"])
def test_create_task_accepts_every_status_and_priority(client, owner, status, priority):
    task = post_task(client, owner, status=status, priority=priority)

    assert (task["status"], task["priority"]) == (status, priority)


def test_create_task_as_done_sets_completed_at(client, owner):
    task = post_task(client, owner, status="done")

    assert TIMESTAMP_UTC.match(task["completed_at"])


@pytest.mark.asvs("5.1.2")
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", 12345),
        ("owner_id", 1),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("updated_at", "2020-01-01T00:00:00Z"),
        ("completed_at", "2020-01-01T00:00:00Z"),
        ("colour", "red"),
    ],
)
def test_create_task_with_a_read_only_or_unknown_field_is_422(client, owner, field, value):
    body = {"title": "Sneaky", field: value}

    response = client.post(TASKS, json=body, headers=owner.headers)

    assert_validation_error(response, field)
    listing = client.get(TASKS, headers=owner.headers).json()
    assert listing["total"] == 0


@pytest.mark.asvs("4.1.3")
def test_create_task_without_a_token_is_401(client):
    assert_problem(client.post(TASKS, json={"title": "t"}), HTTPStatus.UNAUTHORIZED)


# GET /tasks/{id} ----------------------------------------------------------------------------


def test_get_task_returns_it_to_its_owner(client, owner):
    task = post_task(client, owner, title="Mine")

    response = get_task(client, owner, task["id"])

    assert response.status_code == HTTPStatus.OK
    assert response.json() == task


def test_get_missing_task_is_404(client, owner):
    assert_problem(get_task(client, owner, MISSING_ID), HTTPStatus.NOT_FOUND)


@pytest.mark.asvs("4.1.3")
def test_get_task_without_a_token_is_401(client, owner):
    task = post_task(client, owner)

    assert_problem(client.get(f"{TASKS}/{task['id']}"), HTTPStatus.UNAUTHORIZED)


# PATCH /tasks/{id} --------------------------------------------------------------------------


def test_patch_task_changes_only_the_given_fields(client, owner):
    task = post_task(client, owner, title="Old", description="keep me", priority="low")

    response = patch_task(client, owner, task["id"], {"title": "  New  ", "priority": "high"})

    assert response.status_code == HTTPStatus.OK, response.text
    patched = response.json()
    assert patched["title"] == "New"
    assert patched["priority"] == "high"
    assert patched["description"] == "keep me"
    assert patched["created_at"] == task["created_at"]
    assert parse_timestamp(patched["updated_at"]) >= parse_timestamp(task["updated_at"])
    assert get_task(client, owner, task["id"]).json() == patched


def test_patch_to_done_sets_completed_at(client, owner):
    task = post_task(client, owner)

    patched = patch_task(client, owner, task["id"], {"status": "done"}).json()

    assert TIMESTAMP_UTC.match(patched["completed_at"])
    assert parse_timestamp(patched["completed_at"]) >= parse_timestamp(task["created_at"])


def test_patch_done_to_done_keeps_completed_at(client, owner):
    task = post_task(client, owner, status="done")

    patched = patch_task(client, owner, task["id"], {"status": "done", "title": "Again"}).json()

    assert patched["completed_at"] == task["completed_at"]


def test_patch_other_fields_of_a_done_task_keeps_completed_at(client, owner):
    task = post_task(client, owner, status="done")

    patched = patch_task(client, owner, task["id"], {"priority": "low"}).json()

    assert patched["completed_at"] == task["completed_at"]


@pytest.mark.parametrize("new_status", ["todo", "in_progress"])
def test_patch_leaving_done_clears_completed_at(client, owner, new_status):
    task = post_task(client, owner, status="done")

    patched = patch_task(client, owner, task["id"], {"status": new_status}).json()

    assert patched["status"] == new_status
    assert patched["completed_at"] is None


def test_patch_due_date_null_clears_it(client, owner):
    task = post_task(client, owner, due_date="2031-01-02")

    patched = patch_task(client, owner, task["id"], {"due_date": None})

    assert patched.status_code == HTTPStatus.OK, patched.text
    assert patched.json()["due_date"] is None
    assert get_task(client, owner, task["id"]).json()["due_date"] is None


@pytest.mark.asvs("5.1.3")
@pytest.mark.parametrize("field", ["title", "description", "status", "priority"])
def test_patch_null_is_422_for_every_field_but_due_date(client, owner, field):
    task = post_task(client, owner, description="present")

    response = patch_task(client, owner, task["id"], {field: None})

    assert_validation_error(response, field)
    assert get_task(client, owner, task["id"]).json() == task


@pytest.mark.asvs("5.1.3")
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "   "),
        ("title", "t" * 201),
        ("description", "d" * 10_001),
        ("status", "archived"),
        ("priority", "urgent"),
        ("due_date", "2031-13-01"),
        ("due_date", "2031-03-14T00:00:00"),
    ],
)
def test_patch_applies_the_same_rules_as_create(client, owner, field, value):
    task = post_task(client, owner)

    response = patch_task(client, owner, task["id"], {field: value})

    assert_validation_error(response, field)
    assert get_task(client, owner, task["id"]).json() == task


@pytest.mark.asvs("5.1.2")
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", 12345),
        ("owner_id", 1),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("updated_at", "2020-01-01T00:00:00Z"),
        ("completed_at", "2020-01-01T00:00:00Z"),
        ("colour", "red"),
    ],
)
def test_patch_with_a_read_only_or_unknown_field_is_422(client, owner, field, value):
    task = post_task(client, owner)

    response = patch_task(client, owner, task["id"], {"title": "Changed", field: value})

    assert_validation_error(response, field)
    assert get_task(client, owner, task["id"]).json() == task


def test_patch_missing_task_is_404(client, owner):
    assert_problem(patch_task(client, owner, MISSING_ID, {"title": "x"}), HTTPStatus.NOT_FOUND)


# DELETE /tasks/{id} -------------------------------------------------------------------------


def test_delete_task_is_204_and_then_404(client, owner):
    task = post_task(client, owner)

    response = client.delete(f"{TASKS}/{task['id']}", headers=owner.headers)

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert response.content == b""
    assert_problem(get_task(client, owner, task["id"]), HTTPStatus.NOT_FOUND)
    again = client.delete(f"{TASKS}/{task['id']}", headers=owner.headers)
    assert_problem(again, HTTPStatus.NOT_FOUND)


@pytest.mark.asvs("4.1.3")
def test_delete_task_without_a_token_is_401_and_keeps_it(client, owner):
    task = post_task(client, owner)

    assert_problem(client.delete(f"{TASKS}/{task['id']}"), HTTPStatus.UNAUTHORIZED)
    assert get_task(client, owner, task["id"]).status_code == HTTPStatus.OK


# Object-level authorization ---------------------------------------------------------------


@pytest.mark.asvs("4.2.1")
def test_another_users_task_is_404_on_get(client, owner, signed_in):
    task = post_task(client, owner)
    intruder = signed_in()

    response = get_task(client, intruder, task["id"])

    body = assert_problem(response, HTTPStatus.NOT_FOUND)
    # Indistinguishable from a task that does not exist.
    missing = get_task(client, intruder, MISSING_ID).json()
    assert body["title"] == missing["title"]


@pytest.mark.asvs("4.2.1")
def test_another_users_task_is_404_on_patch_and_unchanged(client, owner, signed_in):
    task = post_task(client, owner, title="Original")
    intruder = signed_in()

    response = patch_task(client, intruder, task["id"], {"title": "Hijacked", "status": "done"})

    assert_problem(response, HTTPStatus.NOT_FOUND)
    assert get_task(client, owner, task["id"]).json() == task


@pytest.mark.asvs("4.2.1")
def test_another_users_task_is_404_on_delete_and_kept(client, owner, signed_in):
    task = post_task(client, owner)
    intruder = signed_in()

    response = client.delete(f"{TASKS}/{task['id']}", headers=intruder.headers)

    assert_problem(response, HTTPStatus.NOT_FOUND)
    assert get_task(client, owner, task["id"]).json() == task


@pytest.mark.asvs("4.2.1")
def test_admin_can_read_change_and_delete_any_task(client, owner, signed_in):
    task = post_task(client, owner)
    admin = signed_in("admin")

    assert get_task(client, admin, task["id"]).json() == task
    patched = patch_task(client, admin, task["id"], {"status": "in_progress"})
    assert patched.status_code == HTTPStatus.OK
    assert patched.json()["owner_id"] == owner.user["id"]
    deleted = client.delete(f"{TASKS}/{task['id']}", headers=admin.headers)
    assert deleted.status_code == HTTPStatus.NO_CONTENT
    assert get_task(client, owner, task["id"]).status_code == HTTPStatus.NOT_FOUND


# GET /tasks -------------------------------------------------------------------------------


@pytest.mark.asvs("4.2.1")
def test_list_shows_a_user_only_their_own_tasks(client, owner, signed_in):
    other = signed_in()
    mine = {post_task(client, owner, title=f"mine {n}")["id"] for n in range(2)}
    theirs = {post_task(client, other, title=f"theirs {n}")["id"] for n in range(3)}

    page = client.get(TASKS, headers=owner.headers).json()

    ids = {task["id"] for task in page["items"]}
    assert ids == mine
    assert not ids & theirs
    assert page["total"] == 2


def test_list_shows_an_admin_every_task(client, owner, signed_in):
    other = signed_in()
    admin = signed_in("admin")
    made = {post_task(client, account)["id"] for account in (owner, other, owner)}

    page = client.get(TASKS, params={"limit": 100}, headers=admin.headers).json()

    assert made <= {task["id"] for task in page["items"]}
    assert page["total"] >= 3


def test_list_is_a_page_newest_first(client, owner):
    made = [post_task(client, owner, title=f"task {n}")["id"] for n in range(3)]

    response = client.get(TASKS, headers=owner.headers)

    assert response.status_code == HTTPStatus.OK
    page = response.json()
    assert set(page) == PAGE_KEYS
    assert (page["limit"], page["offset"], page["total"]) == (20, 0, 3)
    assert [task["id"] for task in page["items"]] == made[::-1]
    for task in page["items"]:
        assert set(task) == TASK_KEYS


def test_list_default_limit_is_20(client, owner):
    for n in range(21):
        post_task(client, owner, title=f"task {n}")

    page = client.get(TASKS, headers=owner.headers).json()

    assert len(page["items"]) == 20
    assert page["total"] == 21


def test_list_pages_with_limit_and_offset(client, owner):
    made = [post_task(client, owner, title=f"task {n}")["id"] for n in range(5)]

    page = client.get(TASKS, params={"limit": 2, "offset": 1}, headers=owner.headers).json()

    assert (page["limit"], page["offset"], page["total"]) == (2, 1, 5)
    assert [task["id"] for task in page["items"]] == made[::-1][1:3]


def test_list_offset_past_the_end_is_an_empty_page(client, owner):
    post_task(client, owner)

    page = client.get(TASKS, params={"offset": 50}, headers=owner.headers).json()

    assert page["items"] == []
    assert page["total"] == 1


@pytest.mark.parametrize("limit", [1, 100])
def test_list_accepts_limit_bounds(client, owner, limit):
    response = client.get(TASKS, params={"limit": limit}, headers=owner.headers)

    assert response.status_code == HTTPStatus.OK
    assert response.json()["limit"] == limit


@pytest.mark.asvs("12.1.1")
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": -5}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": "first"}, "offset"),
        ({"status": "archived"}, "status"),
    ],
)
def test_list_rejects_bad_query_parameters(client, owner, params, field):
    response = client.get(TASKS, params=params, headers=owner.headers)

    assert_validation_error(response, field)


def test_list_filters_by_status(client, owner):
    todo = post_task(client, owner, status="todo")["id"]
    doing = post_task(client, owner, status="in_progress")["id"]
    done = post_task(client, owner, status="done")["id"]

    for status, expected in (("todo", todo), ("in_progress", doing), ("done", done)):
        page = client.get(TASKS, params={"status": status}, headers=owner.headers).json()
        assert [task["id"] for task in page["items"]] == [expected]
        assert page["total"] == 1


@pytest.mark.asvs("4.1.3")
def test_list_without_a_token_is_401(client):
    assert_problem(client.get(TASKS), HTTPStatus.UNAUTHORIZED)
