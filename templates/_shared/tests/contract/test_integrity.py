"""What deleting leaves behind (CONTRACT.md, data integrity).

Deleting a user deletes their tasks and refresh tokens with them, on every database,
SQLite included (its foreign keys are enforced on every connection). An id is never handed
out twice: a task or user created after a deletion gets a new id, so nothing that still
points at the old one (a link, a token, a share) attaches itself to the newcomer.
"""

from __future__ import annotations

from http import HTTPStatus

from .helpers import API, DEFAULT_PASSWORD, assert_problem, post_task

TASKS = f"{API}/tasks"
REFRESH = f"{API}/auth/refresh"


def listed_ids(client, account):
    """The ids of every task ``account`` sees in ``GET /tasks`` (an admin sees everyone's).

    Args:
        client: The client under test.
        account: The signed-in caller.

    Returns:
        The ids, as a set.
    """
    response = client.get(TASKS, params={"limit": 100}, headers=account.headers)
    assert response.status_code == HTTPStatus.OK, response.text
    return {task["id"] for task in response.json()["items"]}


def test_a_deleted_tasks_id_is_not_given_to_the_next_task(client, signed_in):
    account = signed_in()
    kept = post_task(client, account, title="Kept")
    deleted = post_task(client, account, title="Deleted")
    response = client.delete(f"{TASKS}/{deleted['id']}", headers=account.headers)
    assert response.status_code == HTTPStatus.NO_CONTENT

    newcomer = post_task(client, account, title="Newcomer")

    assert newcomer["id"] not in {kept["id"], deleted["id"]}
    assert newcomer["id"] > deleted["id"]
    assert_problem(
        client.get(f"{TASKS}/{deleted['id']}", headers=account.headers), HTTPStatus.NOT_FOUND
    )


def test_deleting_a_user_deletes_their_tasks(client, signed_in, delete_user):
    admin = signed_in("admin")
    owner = signed_in()
    tasks = [post_task(client, owner, title=f"Task {number}") for number in range(3)]
    own = post_task(client, admin, title="The admin's own")
    assert {task["id"] for task in tasks} <= listed_ids(client, admin)

    delete_user(owner.user["id"])

    assert listed_ids(client, admin) == {own["id"]}
    for task in tasks:
        response = client.get(f"{TASKS}/{task['id']}", headers=admin.headers)
        assert_problem(response, HTTPStatus.NOT_FOUND)


def test_deleting_a_user_ends_their_refresh_tokens(client, signed_in, delete_user):
    owner = signed_in()

    delete_user(owner.user["id"])

    response = client.post(REFRESH, json={"refresh_token": owner.refresh_token})
    assert_problem(response, HTTPStatus.UNAUTHORIZED)


def test_a_deleted_users_id_is_not_given_to_the_next_user(
    client, signed_in, create_user, unique_email, delete_user
):
    gone = signed_in()
    delete_user(gone.user["id"])

    newcomer = create_user(unique_email("newcomer"), DEFAULT_PASSWORD)

    assert newcomer["id"] != gone.user["id"]
    assert newcomer["id"] > gone.user["id"]
    # Nothing the deleted user held speaks for the newcomer: neither the refresh token...
    response = client.post(REFRESH, json={"refresh_token": gone.refresh_token})
    assert_problem(response, HTTPStatus.UNAUTHORIZED)
    # ...nor the access token, whose subject is the old id.
    assert_problem(client.get(f"{API}/users/me", headers=gone.headers), HTTPStatus.UNAUTHORIZED)


def test_a_deleted_users_tasks_do_not_pass_to_the_next_user(
    client, signed_in, delete_user, unique_email
):
    gone = signed_in()
    post_task(client, gone, title="Private to the deleted user")
    delete_user(gone.user["id"])

    newcomer = signed_in(email=unique_email("newcomer"))

    response = client.get(TASKS, headers=newcomer.headers)
    assert response.status_code == HTTPStatus.OK
    assert response.json()["total"] == 0
