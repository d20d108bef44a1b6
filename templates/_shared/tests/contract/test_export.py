"""GET /tasks/export?format=csv|json (CONTRACT.md)."""

from __future__ import annotations

import csv
import io
from http import HTTPStatus

import pytest

from .helpers import API, TASK_KEYS, assert_problem, assert_validation_error, post_task

TASKS = f"{API}/tasks"
EXPORT = f"{API}/tasks/export"


def csv_rows(response):
    """Parse a CSV answer into dicts keyed by the header row.

    Args:
        response: The 200 answer of a CSV export.

    Returns:
        The header row and the data rows.
    """
    # newline="" keeps a carriage return inside a quoted cell as data.
    reader = csv.reader(io.StringIO(response.text, newline=""))
    header, *rows = list(reader)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def owner(signed_in):
    """A signed-in plain user who owns the exported tasks{% if with_jobs %} (verified: section 12){% endif %}."""
    return signed_in({% if with_jobs %}verified=True{% endif %})


def test_export_without_format_is_422(client, owner):
    assert_validation_error(client.get(EXPORT, headers=owner.headers), "format")


@pytest.mark.parametrize("fmt", ["yaml", "XML", "CSV ", ""])
def test_export_with_an_unknown_format_is_422(client, owner, fmt):
    response = client.get(EXPORT, params={"format": fmt}, headers=owner.headers)

    assert_validation_error(response, "format")


@pytest.mark.asvs("4.1.3")
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_without_a_token_is_401(client, fmt):
    assert_problem(client.get(EXPORT, params={"format": fmt}), HTTPStatus.UNAUTHORIZED)


def test_json_export_is_an_array_of_the_callers_tasks(client, owner, signed_in):
    other = signed_in()
    mine = [post_task(client, owner, title=f"mine {n}") for n in range(2)]
    post_task(client, other, title="theirs")

    response = client.get(EXPORT, params={"format": "json"}, headers=owner.headers)

    assert response.status_code == HTTPStatus.OK, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"] == 'attachment; filename="tasks.json"'
    exported = response.json()
    assert isinstance(exported, list)
    assert sorted(exported, key=lambda task: task["id"]) == sorted(
        mine, key=lambda task: task["id"]
    )
    for task in exported:
        assert set(task) == TASK_KEYS


def test_json_export_of_no_tasks_is_an_empty_array(client, owner):
    response = client.get(EXPORT, params={"format": "json"}, headers=owner.headers)

    assert response.status_code == HTTPStatus.OK
    assert response.json() == []


def test_csv_export_has_header_row_content_type_and_attachment(client, owner):
    task = post_task(client, owner, title="Pay rent", priority="high")

    response = client.get(EXPORT, params={"format": "csv"}, headers=owner.headers)

    assert response.status_code == HTTPStatus.OK, response.text
    content_type = response.headers["content-type"].replace(" ", "").lower()
    assert content_type == "text/csv;charset=utf-8"
    assert response.headers["content-disposition"].lower().startswith("attachment")
    header, rows = csv_rows(response)
    assert {"id", "title"} <= set(header)
    assert len(rows) == 1
    assert rows[0]["id"] == str(task["id"])
    assert rows[0]["title"] == "Pay rent"


def test_csv_export_of_no_tasks_is_only_the_header_row(client, owner):
    response = client.get(EXPORT, params={"format": "csv"}, headers=owner.headers)

    header, rows = csv_rows(response)
    assert "title" in header
    assert rows == []


@pytest.mark.asvs("4.2.1")
def test_csv_export_holds_only_the_callers_tasks(client, owner, signed_in):
    other = signed_in()
    mine = {post_task(client, owner, title=f"mine {n}")["id"] for n in range(2)}
    post_task(client, other, title="theirs")

    response = client.get(EXPORT, params={"format": "csv"}, headers=owner.headers)

    _, rows = csv_rows(response)
    assert {int(row["id"]) for row in rows} == mine


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_admin_export_holds_every_task(client, owner, signed_in, fmt):
    admin = signed_in("admin"{% if with_jobs %}, verified=True{% endif %})
    made = {post_task(client, account)["id"] for account in (owner, signed_in(), admin)}

    response = client.get(EXPORT, params={"format": fmt}, headers=admin.headers)

    assert response.status_code == HTTPStatus.OK
    if fmt == "json":
        ids = {task["id"] for task in response.json()}
    else:
        ids = {int(row["id"]) for row in csv_rows(response)[1]}
    assert made <= ids


@pytest.mark.parametrize(
    "title",
    [
        pytest.param('=HYPERLINK("http://evil.example","x")', id="equals"),
        pytest.param("+1+2", id="plus"),
        pytest.param("-2+3", id="minus"),
        pytest.param("@SUM(A1:A2)", id="at"),
    ],
)
def test_csv_export_neutralises_formula_titles(client, owner, title):
    post_task(client, owner, title=title)

    response = client.get(EXPORT, params={"format": "csv"}, headers=owner.headers)

    _, rows = csv_rows(response)
    assert rows[0]["title"] == "'" + title


@pytest.mark.parametrize(
    "description",
    [
        pytest.param("\t=1+2", id="tab"),
        pytest.param("\r=1+2", id="carriage-return"),
        pytest.param("=cmd|' /C calc'!A0", id="equals"),
    ],
)
def test_csv_export_neutralises_formula_descriptions(client, owner, description):
    # A title is trimmed, so leading tab and CR can only reach the CSV through a description.
    post_task(client, owner, title="harmless", description=description)

    response = client.get(EXPORT, params={"format": "csv"}, headers=owner.headers)

    _, rows = csv_rows(response)
    assert rows[0]["description"] == "'" + description
    assert rows[0]["title"] == "harmless"


def test_csv_export_leaves_ordinary_text_alone(client, owner):
    post_task(client, owner, title="Call Bob, then (maybe) Alice", description='say "hi"')

    _, rows = csv_rows(client.get(EXPORT, params={"format": "csv"}, headers=owner.headers))

    assert rows[0]["title"] == "Call Bob, then (maybe) Alice"
    assert rows[0]["description"] == 'say "hi"'


def test_json_export_is_not_prefixed(client, owner):
    post_task(client, owner, title="=1+2")

    exported = client.get(EXPORT, params={"format": "json"}, headers=owner.headers).json()

    assert exported[0]["title"] == "=1+2"
