"""Exercise 1: tags on tasks (a many-to-many relation and its migration)."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import pytest

from .support import API, expect, expect_field_error, expect_key

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from tests.contract.helpers import Account

    from .schema import StoredSchema

pytestmark = pytest.mark.exercise


def _create(client: httpx.Client, account: Account, **fields: object) -> dict[str, Any]:
    response = client.post(
        f"{API}/tasks", json={"title": "a task", **fields}, headers=account.headers
    )
    task: dict[str, Any] = expect(response, HTTPStatus.CREATED, f"POST {API}/tasks with {fields}")
    return task


def test_tags_are_stored_normalised_and_sorted(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    task = _create(client, alice, tags=[" Work ", "home", "HOME", "errands"])
    assert expect_key(task, "tags", "the created task") == ["errands", "home", "work"], (
        "tags are trimmed, lower-cased, de-duplicated and sorted in the answer"
    )

    fetched = expect(
        client.get(f"{API}/tasks/{task['id']}", headers=alice.headers),
        HTTPStatus.OK,
        f"GET {API}/tasks/{task['id']}",
    )
    assert fetched["tags"] == ["errands", "home", "work"], "GET shows the stored tags"


def test_a_task_without_tags_has_an_empty_list(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    task = _create(client, alice)
    assert expect_key(task, "tags", "a task created without tags") == []
    page = expect(client.get(f"{API}/tasks", headers=alice.headers), HTTPStatus.OK, "GET /tasks")
    assert [item.get("tags") for item in page["items"]] == [[]], "list items carry tags too"


def test_patch_replaces_the_tags_and_leaves_them_alone_when_absent(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    first = _create(client, alice, tags=["home", "garden"])
    second = _create(client, alice, tags=["garden"])
    url = f"{API}/tasks/{first['id']}"

    replaced = expect(
        client.patch(url, json={"tags": ["Garden", "weekend"]}, headers=alice.headers),
        HTTPStatus.OK,
        "PATCH tags",
    )
    assert replaced["tags"] == ["garden", "weekend"], "PATCH replaces the whole set of tags"

    renamed = expect(
        client.patch(url, json={"title": "renamed"}, headers=alice.headers),
        HTTPStatus.OK,
        "PATCH without tags",
    )
    assert renamed["tags"] == ["garden", "weekend"], "a PATCH without `tags` keeps them"

    cleared = expect(
        client.patch(url, json={"tags": []}, headers=alice.headers), HTTPStatus.OK, "PATCH []"
    )
    assert cleared["tags"] == [], "an empty list removes every tag"

    other = expect(
        client.get(f"{API}/tasks/{second['id']}", headers=alice.headers), HTTPStatus.OK, "GET"
    )
    assert other["tags"] == ["garden"], "a tag shared by two tasks stays on the other task"


@pytest.mark.parametrize(
    ("tags", "field"),
    [
        pytest.param(["ok", "   "], "tags.1", id="blank-after-trimming"),
        pytest.param(["x" * 31], "tags.0", id="longer-than-30"),
        pytest.param([7], "tags.0", id="not-a-string"),
        pytest.param([f"tag{n}" for n in range(11)], "tags", id="more-than-10"),
        pytest.param("home", "tags", id="not-a-list"),
    ],
)
def test_invalid_tags_are_a_422_naming_the_tag(
    client: httpx.Client, signed_in: Callable[..., Account], tags: object, field: str
) -> None:
    alice = signed_in()
    response = client.post(
        f"{API}/tasks", json={"title": "a task", "tags": tags}, headers=alice.headers
    )
    expect_field_error(response, field, f"POST {API}/tasks with tags={tags!r}")


def test_null_tags_in_patch_are_a_422(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    task = _create(client, alice, tags=["home"])
    response = client.patch(
        f"{API}/tasks/{task['id']}", json={"tags": None}, headers=alice.headers
    )
    expect_field_error(response, "tags", "PATCH with tags=null")


def test_the_limit_counts_tags_after_duplicates_are_merged(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    # Eleven entries, ten tags: "Garden" and " garden" are one tag once normalised.
    tags = ["Garden", " garden"] + [f"tag{n}" for n in range(9)]
    task = _create(client, alice, tags=tags)
    assert expect_key(task, "tags", "the created task") == sorted(
        ["garden"] + [f"tag{n}" for n in range(9)]
    ), "the limit of 10 counts the tags left after normalising and merging duplicates"


def test_tags_are_rows_of_their_own_table(
    client: httpx.Client, signed_in: Callable[..., Account], stored_schema: StoredSchema
) -> None:
    alice = signed_in()
    _create(client, alice, tags=["garden", "home"])
    _create(client, alice, tags=["Garden"])

    tables = stored_schema.tables_holding_once({"garden", "home"})
    assert tables, (
        "Schema check: tags belong in a table of their own, one row per tag that every task "
        "with it shares. After two tasks tagged garden, no table holds 'garden' and 'home' in "
        "one row each (a JSON or text column on the tasks stores a tag again for every task)."
    )
    linked = [link for table in tables for link in stored_schema.linking_tables(table)]
    assert linked, (
        f"Schema check: an association table, with a foreign key to the tasks table and one "
        f"to the tags table ({', '.join(tables)}), links tasks and tags; none refers to it."
    )


def test_thirty_characters_and_ten_tags_are_allowed(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    tags = ["x" * 30] + [f"tag{n}" for n in range(9)]
    task = _create(client, alice, tags=tags)
    assert expect_key(task, "tags", "the created task") == sorted(tags)
