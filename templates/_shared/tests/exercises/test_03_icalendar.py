"""Exercise 3: another output format: an iCalendar (RFC 5545) export of the tasks."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import pytest

from .support import API, expect

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from tests.contract.helpers import Account

pytestmark = pytest.mark.exercise

EXPORT = f"{API}/tasks/export?format=ics"
UTC_STAMP = re.compile(r"^\d{8}T\d{6}Z$")


def _create(client: httpx.Client, account: Account, **fields: object) -> dict[str, Any]:
    response = client.post(f"{API}/tasks", json=fields, headers=account.headers)
    task: dict[str, Any] = expect(response, HTTPStatus.CREATED, f"POST {API}/tasks {fields}")
    return task


def _export(client: httpx.Client, account: Account) -> str:
    response = client.get(EXPORT, headers=account.headers)
    expect(response, HTTPStatus.OK, f"GET {EXPORT}")
    content_type = response.headers.get("content-type", "").replace(" ", "").lower()
    assert content_type == "text/calendar;charset=utf-8", (
        f"the export is text/calendar; charset=utf-8, not {response.headers.get('content-type')}"
    )
    disposition = response.headers.get("content-disposition", "")
    assert disposition.replace(" ", "") == 'attachment;filename="tasks.ics"', (
        f'Content-Disposition: attachment; filename="tasks.ics", got {disposition!r}'
    )
    return response.content.decode("utf-8")


def _unfold(text: str) -> list[str]:
    """Content lines with RFC 5545 folding (CRLF followed by a space or tab) undone."""
    assert "\r\n" in text, "iCalendar lines end with CRLF (RFC 5545, section 3.1)"
    assert "\n" not in text.replace("\r\n", ""), "every line ends with CRLF, never a bare LF"
    return re.sub(r"\r\n[ \t]", "", text).split("\r\n")


def _todos(lines: list[str]) -> list[dict[str, str]]:
    """One dict per VTODO, mapping each property (with its parameters) to its raw value."""
    todos: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines:
        if line == "BEGIN:VTODO":
            current = {}
        elif line == "END:VTODO":
            assert current is not None, "END:VTODO without BEGIN:VTODO"
            todos.append(current)
            current = None
        elif current is not None and ":" in line:
            name, _, value = line.partition(":")
            current[name] = value
    return todos


def test_export_is_a_calendar_with_one_todo_per_task(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in({% if with_jobs %}verified=True{% endif %})
    plain = _create(client, alice, title="water the plants")
    dated = _create(client, alice, title="file taxes", due_date="2030-04-30", priority="high")
    lines = _unfold(_export(client, alice))

    assert lines[0] == "BEGIN:VCALENDAR", f"the file starts with BEGIN:VCALENDAR, not {lines[0]!r}"
    assert "END:VCALENDAR" in lines, "the calendar is closed with END:VCALENDAR"
    assert "VERSION:2.0" in lines, "VERSION:2.0 is required"
    assert any(line.startswith("PRODID:") for line in lines), "PRODID is required"
    todos = _todos(lines)
    assert len(todos) == 2, f"one VTODO per task, found {len(todos)}"

    by_summary = {todo.get("SUMMARY"): todo for todo in todos}
    assert set(by_summary) == {"water the plants", "file taxes"}, (
        f"SUMMARY is the title: {by_summary}"
    )
    first, second = by_summary["water the plants"], by_summary["file taxes"]
    assert first.get("UID", "").startswith(f"task-{plain['id']}@"), "UID is task-<id>@<host>"
    assert second.get("UID", "").startswith(f"task-{dated['id']}@"), "UID is task-<id>@<host>"
    assert UTC_STAMP.match(first.get("DTSTAMP", "")), "DTSTAMP is a UTC time like 20300101T120000Z"
    assert second.get("DUE;VALUE=DATE") == "20300430", (
        f"a due date is DUE;VALUE=DATE:YYYYMMDD; the VTODO has {sorted(second)}"
    )
    assert not any(name.startswith("DUE") for name in first), "no DUE line without a due date"
    assert first.get("STATUS") == "NEEDS-ACTION", "todo is STATUS:NEEDS-ACTION"
    assert second.get("PRIORITY") == "1", "high is PRIORITY:1 (medium 5, low 9)"
    assert first.get("PRIORITY") == "5", "medium is PRIORITY:5"


def test_status_and_completion_map_to_icalendar(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in({% if with_jobs %}verified=True{% endif %})
    _create(client, alice, title="started", status="in_progress", priority="low")
    _create(client, alice, title="finished", status="done")
    todos = {todo["SUMMARY"]: todo for todo in _todos(_unfold(_export(client, alice)))}
    assert todos["started"].get("STATUS") == "IN-PROCESS"
    assert todos["started"].get("PRIORITY") == "9"
    assert todos["finished"].get("STATUS") == "COMPLETED"
    assert UTC_STAMP.match(todos["finished"].get("COMPLETED", "")), (
        "a done task has COMPLETED:<UTC time>"
    )


def test_text_is_escaped(client: httpx.Client, signed_in: Callable[..., Account]) -> None:
    alice = signed_in({% if with_jobs %}verified=True{% endif %})
    _create(
        client,
        alice,
        title="milk, eggs; flour \\ sugar",
        description="line one\nline two",
    )
    (todo,) = _todos(_unfold(_export(client, alice)))
    assert todo.get("SUMMARY") == "milk\\, eggs\\; flour \\\\ sugar", (
        "commas, semicolons and backslashes in text are escaped as \\, \\; \\\\ "
        f"(RFC 5545, 3.3.11); got {todo.get('SUMMARY')!r}"
    )
    assert todo.get("DESCRIPTION") == "line one\\nline two", "a newline in text is written as \\n"


def test_long_lines_are_folded_at_75_octets(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in({% if with_jobs %}verified=True{% endif %})
    title = "Überprüfung der Jahresabschlüsse " * 5
    _create(client, alice, title=title)
    text = _export(client, alice)
    for raw in text.split("\r\n"):
        encoded = raw.encode("utf-8")
        assert len(encoded) <= 75, f"a line is longer than 75 octets: {raw!r} (RFC 5545, 3.1)"
    (todo,) = _todos(_unfold(text))
    assert todo.get("SUMMARY") == title.strip(), "folding is undone by joining the lines"


def test_only_own_tasks_are_exported(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice, bob = signed_in({% if with_jobs %}verified=True{% endif %}), signed_in({% if with_jobs %}verified=True{% endif %})
    _create(client, alice, title="alice's")
    _create(client, bob, title="bob's")
    summaries = [todo.get("SUMMARY") for todo in _todos(_unfold(_export(client, bob)))]
    assert summaries == ["bob's"], f"a user exports their own tasks only; got {summaries}"
