"""Exercise 11: import tasks from an untrusted XML document, safely (XXE, entity expansion).

The attacks are real but harmless: an external entity points at a file this test writes with
a random marker, or at a loopback HTTP server the test runs in a thread and that records every
request. The server under test must never read the one nor call the other.
"""

from __future__ import annotations

import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest

from .support import API, expect, expect_field_error, expect_key, serving

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    import httpx

    from tests.contract.helpers import Account

pytestmark = pytest.mark.exercise

IMPORT = f"{API}/tasks/import"
EXPORT = f"{API}/tasks/export?format=xml"
FIELDS = ("title", "description", "status", "priority", "due_date")
XINCLUDE = "http://www.w3.org/2001/XInclude"
# Expanded, this is 10**9 copies of "lol" (3 GB); refused, it is a few hundred bytes.
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n'
    "<!DOCTYPE tasks [\n"
    '  <!ENTITY lol "lol">\n'
    + "".join(
        f'  <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
        for n in range(1, 10)
    )
    + "]>\n<tasks><task><title>&lol9;</title></task></tasks>\n"
)
REFUSAL_SECONDS = 5.0


class Listener:
    """A loopback HTTP server that records every request and answers a tiny document."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                listener.hits.append(self.path)  # before answering: the caller waits for us
                body = b'<!ENTITY leak "fetched">'
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", "application/xml-dtd")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                """Keep the test output clean."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A running loopback server, shut down after the test."""
    server = Listener()
    with serving(server.server):
        yield server


@pytest.fixture
def secret_file(tmp_path: Path) -> tuple[str, str]:
    """A local file holding a random marker: (its file: URL, the marker)."""
    marker = f"secret-{uuid.uuid4().hex}"
    path = tmp_path / "secret.txt"
    path.write_text(marker, encoding="utf-8")
    return path.as_uri(), marker


def _post_xml(
    client: httpx.Client,
    account: Account,
    document: str | bytes,
    content_type: str = "application/xml",
) -> httpx.Response:
    data = document.encode("utf-8") if isinstance(document, str) else document
    headers = {**account.headers, "Content-Type": content_type}
    return client.post(IMPORT, content=data, headers=headers)


def _tasks(client: httpx.Client, account: Account) -> list[dict[str, Any]]:
    page = expect(
        client.get(f"{API}/tasks?limit=100", headers=account.headers), HTTPStatus.OK, "GET"
    )
    items: list[dict[str, Any]] = page["items"]
    return items


def _report(response: httpx.Response, what: str) -> dict[str, Any]:
    report: dict[str, Any] = expect(response, HTTPStatus.OK, f"POST {IMPORT} with {what}")
    expect_key(report, "created", "the import report")
    expect_key(report, "errors", "the import report")
    return report


def _error_fields(report: dict[str, Any]) -> list[tuple[int, str]]:
    assert all(isinstance(e.get("message"), str) and e["message"] for e in report["errors"]), (
        f"every error has a non-empty `message`: {report['errors']}"
    )
    return sorted((e["row"], e["field"]) for e in report["errors"])


def _refused(client: httpx.Client, account: Account, document: str, what: str) -> httpx.Response:
    """Assert the document is a 422 naming `file` and that the caller still has no task."""
    response = _post_xml(client, account, document)
    expect_field_error(response, "file", f"POST {IMPORT} with {what}")
    assert _tasks(client, account) == [], f"a refused document ({what}) creates no task"
    return response


def test_the_xml_export_imports_back_as_copies(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in({% if with_jobs %}verified=True{% endif %})
    bob = signed_in()
    originals = [
        {"title": "plain"},
        {
            "title": "<b>bold</b> & \"quoted\" 'text'",
            "description": "two\nlines, é and ✓",
            "status": "in_progress",
            "priority": "high",
            "due_date": "2030-05-01",
        },
        {"title": "finished", "status": "done", "priority": "low", "description": ""},
    ]
    for fields in originals:
        expect(
            client.post(f"{API}/tasks", json=fields, headers=alice.headers),
            HTTPStatus.CREATED,
            f"POST {API}/tasks",
        )
    exported = client.get(EXPORT, headers=alice.headers)
    expect(exported, HTTPStatus.OK, f"GET {EXPORT}")
    alice_tasks = _tasks(client, alice)

    report = _report(_post_xml(client, bob, exported.content), "alice's XML export, as bob")
    assert report["errors"] == [], (
        "the export imports without errors: fields the import cannot set (id, owner_id, the "
        f"timestamps, ...) are ignored. Errors: {report['errors']}"
    )
    copies = _tasks(client, bob)
    assert len(report["created"]) == len(originals) == len(copies), (
        f"each <task> of the export becomes one new task of the caller: {report}"
    )
    assert sorted(report["created"]) == sorted(task["id"] for task in copies)
    assert not set(report["created"]) & {task["id"] for task in alice_tasks}, (
        "the import creates new tasks; it never reuses the ids in the document"
    )

    def fields_of(tasks: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return sorted((tuple(task[name] for name in FIELDS) for task in tasks), key=repr)

    assert fields_of(copies) == fields_of(alice_tasks), (
        "the copies have the same title, description, status, priority and due_date"
    )
    assert all(task["owner_id"] == bob.user["id"] for task in copies), (
        "the copies belong to the caller, whatever <owner_id> says"
    )
    assert len(_tasks(client, alice)) == len(originals), "the originals are left alone"


def test_text_xml_and_a_charset_are_accepted(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    for content_type in ("text/xml", "application/xml; charset=utf-8"):
        document = f"<tasks><task><title>sent as {content_type}</title></task></tasks>"
        report = _report(_post_xml(client, alice, document, content_type), content_type)
        assert len(report["created"]) == 1, f"{content_type} is an XML document: {report}"
    empty = _report(_post_xml(client, alice, "<tasks/>"), "an empty <tasks/>")
    assert empty == {"created": [], "errors": []}, f"no <task>, nothing to do: {empty}"


def test_read_only_fields_are_ignored_and_empty_elements_left_out(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<tasks>\n  <task>\n'
        "    <id>987654321</id>\n    <title>from another server</title>\n"
        "    <description/>\n    <status></status>\n    <priority/>\n    <due_date/>\n"
        "    <owner_id>987654321</owner_id>\n"
        "    <created_at>2001-01-01T00:00:00Z</created_at>\n"
        "    <updated_at>2001-01-02T00:00:00Z</updated_at>\n    <completed_at/>\n"
        "  </task>\n</tasks>\n"
    )
    report = _report(_post_xml(client, alice, document), "read-only fields")
    assert report["errors"] == [], f"read-only fields are ignored, not errors: {report}"
    (task,) = _tasks(client, alice)
    assert report["created"] == [task["id"]], f"`created` lists the new task's id: {report}"
    assert task["id"] != 987654321, "<id> is ignored: the new task gets its own id"
    assert task["owner_id"] == alice.user["id"], "<owner_id> is ignored: the caller owns it"
    assert not task["created_at"].startswith("2001"), "<created_at> is ignored"
    assert (task["status"], task["priority"], task["due_date"]) == ("todo", "medium", None), (
        "an empty element means the field is left out, so its default applies"
    )


def test_bad_tasks_are_reported_by_position_and_the_rest_imported(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    document = (
        "<tasks>"
        "<task><title>fine</title><priority>low</priority></task>"
        "<task><priority>low</priority></task>"
        "<task><title>late</title><priority>urgent</priority><due_date>2030-02-30</due_date>"
        "</task>"
        "<task><title>painted</title><colour>red</colour></task>"
        "<task><title>twice</title><title>again</title></task>"
        "<task><title>nested <b>markup</b></title></task>"
        "<task><title>also fine</title><due_date>2030-01-01</due_date></task>"
        "</tasks>"
    )
    report = _report(_post_xml(client, alice, document), "some bad tasks")
    assert len(report["created"]) == 2, f"the two valid tasks are created: {report}"
    assert _error_fields(report) == [
        (2, "title"),
        (3, "due_date"),
        (3, "priority"),
        (4, "colour"),
        (5, "title"),
        (6, "title"),
    ], (
        "one error per bad field, `row` being the position of the <task> (the first is 1): "
        "a missing title, invalid values, an unknown element, a field given twice, and a "
        f"field holding an element instead of text. Got {_error_fields(report)}"
    )
    assert sorted(task["title"] for task in _tasks(client, alice)) == ["also fine", "fine"]


@pytest.mark.parametrize(
    ("document", "what"),
    [
        pytest.param("<tasks><task><title>open</task></tasks>", "a broken tag", id="not-wf"),
        pytest.param("", "an empty body", id="empty"),
        pytest.param("<items><task><title>x</title></task></items>", "root <items>", id="root"),
        pytest.param("<tasks><item><title>x</title></item></tasks>", "an <item>", id="child"),
        pytest.param(
            "<!DOCTYPE tasks><tasks><task><title>x</title></task></tasks>",
            "a DOCTYPE",
            id="doctype",
        ),
        pytest.param(
            '<!DOCTYPE tasks [<!ENTITY who "world">]>'
            "<tasks><task><title>hello &who;</title></task></tasks>",
            "an entity declaration",
            id="internal-entity",
        ),
    ],
)
def test_a_document_that_is_not_a_plain_task_list_is_a_422(
    client: httpx.Client, signed_in: Callable[..., Account], document: str, what: str
) -> None:
    _refused(client, signed_in(), document, what)


def test_billion_laughs_is_refused_fast(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    started = time.monotonic()
    _refused(client, alice, BILLION_LAUGHS, "nested entities (billion laughs)")
    elapsed = time.monotonic() - started
    assert elapsed < REFUSAL_SECONDS, (
        f"refusing the billion laughs took {elapsed:.1f} s: refuse entity declarations before "
        "expanding anything"
    )


def test_an_external_entity_never_reads_a_local_file(
    client: httpx.Client, signed_in: Callable[..., Account], secret_file: tuple[str, str]
) -> None:
    alice = signed_in({% if with_jobs %}verified=True{% endif %})
    url, marker = secret_file
    document = (
        f'<!DOCTYPE tasks [<!ENTITY leak SYSTEM "{url}">]>'
        "<tasks><task><title>x</title><description>&leak;</description></task></tasks>"
    )
    response = _refused(client, alice, document, "an external entity on a local file")
    assert marker not in response.text, "the answer must never show a local file's content"
    exported = client.get(f"{API}/tasks/export?format=json", headers=alice.headers)
    assert marker not in exported.text, "no task may hold a local file's content"


@pytest.mark.parametrize(
    ("template", "what"),
    [
        pytest.param(
            '<!DOCTYPE tasks [<!ENTITY leak SYSTEM "{url}/entity">]>'
            "<tasks><task><title>&leak;</title></task></tasks>",
            "an external entity on a URL",
            id="entity",
        ),
        pytest.param(
            '<!DOCTYPE tasks [<!ENTITY % remote SYSTEM "{url}/parameter"> %remote;]>'
            "<tasks><task><title>x</title></task></tasks>",
            "an external parameter entity",
            id="parameter-entity",
        ),
        pytest.param(
            '<!DOCTYPE tasks SYSTEM "{url}/tasks.dtd">'
            "<tasks><task><title>x</title></task></tasks>",
            "an external DTD",
            id="external-dtd",
        ),
    ],
)
def test_an_external_reference_never_fetches_a_url(
    client: httpx.Client,
    signed_in: Callable[..., Account],
    listener: Listener,
    template: str,
    what: str,
) -> None:
    alice = signed_in()
    _refused(client, alice, template.replace("{url}", listener.url), what)
    assert listener.hits == [], (
        f"the server fetched {listener.hits} from the URL in the document: it must never "
        "resolve an external reference"
    )


def test_xinclude_is_never_processed(
    client: httpx.Client,
    signed_in: Callable[..., Account],
    listener: Listener,
    secret_file: tuple[str, str],
) -> None:
    alice = signed_in()
    url, marker = secret_file
    document = (
        f'<tasks xmlns:xi="{XINCLUDE}">'
        f'<task><title>a</title><description><xi:include href="{url}" parse="text"/>'
        "</description></task>"
        f'<task><title>b</title><description><xi:include href="{listener.url}/include" '
        'parse="text"/></description></task>'
        "</tasks>"
    )
    response = _post_xml(client, alice, document)
    report = _report(response, "XInclude elements")
    assert marker not in response.text, "an XInclude must never read a local file"
    assert listener.hits == [], f"an XInclude must never fetch a URL; it fetched {listener.hits}"
    assert _error_fields(report) == [(1, "description"), (2, "description")], (
        "an <xi:include> is just an element inside a field, which is an error on that field; "
        f"got {report}"
    )
    assert report["created"] == [], f"a task with an error is not created: {report}"
    assert _tasks(client, alice) == [], "a task with an error is not created"
