"""Exercise 7: data import: tasks from a CSV file, with a per-row error report."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import pytest

from .support import API, expect, expect_key

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from tests.contract.helpers import Account

pytestmark = pytest.mark.exercise

IMPORT = f"{API}/tasks/import"


def _post_csv(
    client: httpx.Client, account: Account, text: str, *, encoding: str = "utf-8"
) -> httpx.Response:
    headers = {**account.headers, "Content-Type": "text/csv; charset=utf-8"}
    return client.post(IMPORT, content=text.encode(encoding), headers=headers)


def _tasks(client: httpx.Client, account: Account) -> list[dict[str, Any]]:
    page = expect(
        client.get(f"{API}/tasks?limit=100", headers=account.headers), HTTPStatus.OK, "GET"
    )
    items: list[dict[str, Any]] = page["items"]
    return items


def test_valid_rows_are_created(client: httpx.Client, signed_in: Callable[..., Account]) -> None:
    alice = signed_in()
    text = (
        "title,priority,due_date,status,description\r\n"
        "buy paint,high,2030-05-01,todo,white\r\n"
        '"sand, then paint",,,in_progress,"two\nlines"\r\n'
    )
    report = expect(_post_csv(client, alice, text), HTTPStatus.OK, f"POST {IMPORT}")
    created = expect_key(report, "created", "the import report")
    assert len(created) == 2, f"`created` lists the new tasks' ids; got {created}"
    assert expect_key(report, "errors", "the import report") == []

    tasks = {task["title"]: task for task in _tasks(client, alice)}
    assert set(tasks) == {"buy paint", "sand, then paint"}
    assert sorted(created) == sorted(task["id"] for task in tasks.values())
    paint = tasks["buy paint"]
    assert (paint["priority"], paint["due_date"], paint["description"]) == (
        "high",
        "2030-05-01",
        "white",
    )
    sand = tasks["sand, then paint"]
    assert (sand["priority"], sand["status"], sand["due_date"]) == (
        "medium",
        "in_progress",
        None,
    ), "an empty cell takes the field's default (as if it were left out of POST /tasks)"
    assert sand["description"] == "two\nlines", "quoted cells may hold commas and newlines"


def test_bad_rows_are_reported_and_the_rest_imported(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    text = (
        "title,priority,due_date\n"
        "fine,low,\n"
        ",low,\n"
        "late,urgent,2030-02-30\n"
        "also fine,,2030-01-01\n"
    )
    report = expect(_post_csv(client, alice, text), HTTPStatus.OK, f"POST {IMPORT}")
    assert len(report["created"]) == 2, f"the two valid rows are created; got {report}"
    errors = sorted((e["row"], e["field"]) for e in expect_key(report, "errors", "the report"))
    assert errors == [(3, "title"), (4, "due_date"), (4, "priority")], (
        "one error per bad cell, rows numbered as in a spreadsheet (the header is row 1); "
        f"got {errors}"
    )
    assert all(isinstance(e.get("message"), str) and e["message"] for e in report["errors"])
    assert sorted(task["title"] for task in _tasks(client, alice)) == ["also fine", "fine"]


def test_spreadsheet_byte_order_mark_is_accepted(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    report = expect(
        _post_csv(client, alice, "\ufefftitle\nfrom excel\n"), HTTPStatus.OK, "CSV with a BOM"
    )
    assert len(report["created"]) == 1, (
        f"a UTF-8 byte order mark is not part of the header: {report}"
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("priority\nhigh\n", id="no-title-column"),
        pytest.param("title,colour\nx,red\n", id="unknown-column"),
        pytest.param("title,owner_id\nx,1\n", id="read-only-column"),
    ],
)
def test_a_bad_header_is_a_422_and_creates_nothing(
    client: httpx.Client, signed_in: Callable[..., Account], text: str
) -> None:
    alice = signed_in()
    response = _post_csv(client, alice, text)
    body = expect(response, HTTPStatus.UNPROCESSABLE_ENTITY, f"POST {IMPORT} with {text!r}")
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = [error.get("field") for error in body.get("errors", [])]
    assert "header" in fields, f"a header problem is reported with field 'header'; got {fields}"
    assert _tasks(client, alice) == []


def test_only_csv_is_accepted(client: httpx.Client, signed_in: Callable[..., Account]) -> None:
    alice = signed_in()
    response = client.post(IMPORT, json=[{"title": "x"}], headers=alice.headers)
    expect(response, HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"POST {IMPORT} with a JSON body")


def test_text_that_is_not_utf8_is_a_422(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    response = _post_csv(client, alice, "title\ncafé\n", encoding="latin-1")
    expect(response, HTTPStatus.UNPROCESSABLE_ENTITY, f"POST {IMPORT} with Latin-1 text")
