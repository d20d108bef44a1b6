"""Exercise 4: authorization: share a task read-only with another user."""

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


def _task(client: httpx.Client, owner: Account) -> dict[str, Any]:
    response = client.post(f"{API}/tasks", json={"title": "shared plan"}, headers=owner.headers)
    task: dict[str, Any] = expect(response, HTTPStatus.CREATED, f"POST {API}/tasks")
    return task


def _share(client: httpx.Client, owner: Account, task_id: int, email: str) -> httpx.Response:
    return client.post(
        f"{API}/tasks/{task_id}/shares", json={"email": email}, headers=owner.headers
    )


def _shared_task(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> tuple[Account, Account, dict[str, Any], str]:
    """An owner's task shared with a reader: (owner, reader, task, the task's URL)."""
    owner, reader = signed_in(), signed_in()
    task = _task(client, owner)
    expect(_share(client, owner, task["id"], reader.email), HTTPStatus.CREATED, "share")
    return owner, reader, task, f"{API}/tasks/{task['id']}"


def test_shared_user_can_read_but_not_change(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    owner, reader = signed_in(), signed_in()
    task = _task(client, owner)
    url = f"{API}/tasks/{task['id']}"

    share = expect(
        _share(client, owner, task["id"], reader.email.upper()),
        HTTPStatus.CREATED,
        f"POST {url}/shares",
    )
    assert share == {"user_id": reader.user["id"], "email": reader.email}, (
        f"a share is answered with the reader's user_id and email only; got {share}"
    )
    seen = expect(client.get(url, headers=reader.headers), HTTPStatus.OK, "GET by the reader")
    assert seen["id"] == task["id"]
    expect(
        client.patch(url, json={"title": "mine now"}, headers=reader.headers),
        HTTPStatus.FORBIDDEN,
        "PATCH by a reader of a shared task",
    )
    expect(client.delete(url, headers=reader.headers), HTTPStatus.FORBIDDEN, "DELETE by a reader")
    still = expect(client.get(url, headers=owner.headers), HTTPStatus.OK, "GET by the owner")
    assert still["title"] == "shared plan", "the reader's PATCH changed nothing"


def test_other_users_still_get_404(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    owner, reader, stranger = signed_in(), signed_in(), signed_in()
    task = _task(client, owner)
    expect(_share(client, owner, task["id"], reader.email), HTTPStatus.CREATED, "share")
    url = f"{API}/tasks/{task['id']}"
    expect(client.get(url, headers=stranger.headers), HTTPStatus.NOT_FOUND, "GET by a stranger")
    expect(
        client.get(f"{url}/shares", headers=stranger.headers),
        HTTPStatus.NOT_FOUND,
        "GET shares by a stranger",
    )
    expect(
        _share(client, stranger, task["id"], stranger.email),
        HTTPStatus.NOT_FOUND,
        "POST shares by a stranger",
    )


def test_only_the_owner_manages_shares(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    owner, reader, friend = signed_in(), signed_in(), signed_in()
    task = _task(client, owner)
    url = f"{API}/tasks/{task['id']}/shares"
    expect(_share(client, owner, task["id"], reader.email), HTTPStatus.CREATED, "share")

    expect(
        _share(client, reader, task["id"], friend.email),
        HTTPStatus.FORBIDDEN,
        "POST shares by a reader",
    )
    expect(
        client.delete(f"{url}/{reader.user['id']}", headers=reader.headers),
        HTTPStatus.FORBIDDEN,
        "DELETE a share by the reader",
    )
    listed = expect(client.get(url, headers=owner.headers), HTTPStatus.OK, "GET shares")
    assert listed == [{"user_id": reader.user["id"], "email": reader.email}], (
        f"GET .../shares lists the readers; got {listed}"
    )


def test_unsharing_takes_the_access_away(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    owner, reader, _, url = _shared_task(client, signed_in)

    expect(
        client.delete(f"{url}/shares/{reader.user['id']}", headers=owner.headers),
        HTTPStatus.NO_CONTENT,
        "DELETE the share",
    )
    expect(client.get(url, headers=reader.headers), HTTPStatus.NOT_FOUND, "GET after unsharing")
    expect(
        client.delete(f"{url}/shares/{reader.user['id']}", headers=owner.headers),
        HTTPStatus.NOT_FOUND,
        "DELETE a share that no longer exists",
    )


def test_deleting_a_task_removes_its_shares(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    owner, reader, task, url = _shared_task(client, signed_in)

    expect(client.delete(url, headers=owner.headers), HTTPStatus.NO_CONTENT, "DELETE the task")
    # The owner's next task: a database that hands the deleted task's id out again (SQLite
    # does, for a table without AUTOINCREMENT) must not hand its reader over with it.
    later = _task(client, owner)

    expect(client.get(url, headers=reader.headers), HTTPStatus.NOT_FOUND, "GET a deleted task")
    expect(
        client.get(f"{API}/tasks/{later['id']}", headers=reader.headers),
        HTTPStatus.NOT_FOUND,
        f"GET by the old reader of the owner's next task (id {later['id']}, the deleted one's "
        f"was {task['id']}): a share must go with its task",
    )


def test_shared_tasks_stay_out_of_the_readers_list(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    owner, reader = signed_in(), signed_in()
    task = _task(client, owner)
    expect(_share(client, owner, task["id"], reader.email), HTTPStatus.CREATED, "share")
    page = expect(client.get(f"{API}/tasks", headers=reader.headers), HTTPStatus.OK, "GET /tasks")
    assert page["items"] == [], "GET /tasks still lists only the caller's own tasks"


def test_shared_tasks_stay_out_of_the_readers_export(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    owner, reader = signed_in({% if with_jobs %}verified=True{% endif %}), signed_in({% if with_jobs %}verified=True{% endif %})
    task = _task(client, owner)
    expect(_share(client, owner, task["id"], reader.email), HTTPStatus.CREATED, "share")
    export = f"{API}/tasks/export?format=json"
    exported = expect(client.get(export, headers=reader.headers), HTTPStatus.OK, f"GET {export}")
    assert exported == [], "the export, like the list, holds only the caller's own tasks"


def test_sharing_mistakes_are_refused(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    owner, reader = signed_in(), signed_in()
    task = _task(client, owner)
    expect_field_error(
        _share(client, owner, task["id"], "nobody-here@example.com"),
        "email",
        "sharing with an address that has no account",
    )
    expect_field_error(
        _share(client, owner, task["id"], owner.email), "email", "sharing with yourself"
    )
    expect(_share(client, owner, task["id"], reader.email), HTTPStatus.CREATED, "share")
    expect(_share(client, owner, task["id"], reader.email), HTTPStatus.CONFLICT, "sharing twice")
