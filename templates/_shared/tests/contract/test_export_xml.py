"""GET /tasks/export?format=xml (CONTRACT.md): the JSON export's rows as plain XML.

Every answer is parsed back with defusedxml with DTDs forbidden: a document that needs one,
or that a safe parser refuses, fails the test.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from defusedxml.ElementTree import fromstring

from .helpers import API, assert_problem, post_task

EXPORT = f"{API}/tasks/export"
DECLARATION = b"<?xml version='1.0' encoding='utf-8'?>"
# Child elements of <task>, in this order (CONTRACT.md).
TASK_FIELDS = (
    "id",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "owner_id",
    "created_at",
    "updated_at",
    "completed_at",
)


def export(client, account, fmt="xml"):
    """GET the export of ``account`` in ``fmt``.

    Args:
        client: The client under test.
        account: The signed-in caller.
        fmt: The ``format`` query parameter.

    Returns:
        The raw response.
    """
    return client.get(EXPORT, params={"format": fmt}, headers=account.headers)


def parse(response):
    """Parse an XML export safely (no DTD, no entities) and check its outer shape.

    Args:
        response: A 200 answer of the XML export.

    Returns:
        The ``<task>`` elements, in document order.
    """
    assert response.status_code == HTTPStatus.OK, response.text
    root = fromstring(response.content, forbid_dtd=True, forbid_entities=True)
    assert root.tag == "tasks"
    assert not root.attrib
    tasks = list(root)
    assert all(task.tag == "task" and not task.attrib for task in tasks)
    return tasks


def as_json_text(value):
    """The element text the XML export holds for a JSON value (null: an empty element).

    Args:
        value: A value of the JSON export.

    Returns:
        The expected text; ElementTree reads an empty element's text (null or "") as None.
    """
    return None if value is None or value == "" else str(value)


def texts(task):
    """Map a ``<task>`` element to its children's texts.

    Args:
        task: One ``<task>`` element.

    Returns:
        ``{tag: text}``, with None for an empty element.
    """
    return {child.tag: child.text for child in task}


@pytest.fixture
def owner(signed_in):
    """A signed-in plain user who owns the exported tasks{% if with_jobs %} (verified: section 12){% endif %}."""
    return signed_in({% if with_jobs %}verified=True{% endif %})


def test_xml_export_is_an_xml_attachment(client, owner):
    post_task(client, owner, title="Pay rent")

    response = export(client, owner)

    assert response.status_code == HTTPStatus.OK, response.text
    content_type = response.headers["content-type"].replace(" ", "").lower()
    assert content_type == "application/xml;charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="tasks.xml"'
    assert response.content.startswith(DECLARATION)
    assert len(parse(response)) == 1


def test_xml_export_holds_the_json_export_in_the_same_order(client, owner):
    post_task(client, owner, title="No date", priority="low")
    post_task(client, owner, title="Dated", due_date="2030-01-31", priority="high")
    done = post_task(client, owner, title="Done", description="finished")
    patched = client.patch(
        f"{API}/tasks/{done['id']}", json={"status": "done"}, headers=owner.headers
    )
    assert patched.status_code == HTTPStatus.OK, patched.text
    as_json = export(client, owner, "json").json()

    tasks = parse(export(client, owner))

    assert [[child.tag for child in task] for task in tasks] == [list(TASK_FIELDS)] * len(as_json)
    expected = [{name: as_json_text(row[name]) for name in TASK_FIELDS} for row in as_json]
    assert [texts(task) for task in tasks] == expected


def test_a_null_is_an_empty_element(client, owner):
    post_task(client, owner, title="Someday")

    (task,) = parse(export(client, owner))

    due_date = task.find("due_date")
    assert due_date is not None
    assert due_date.text is None
    assert len(due_date) == 0
    assert b"<due_date />" in export(client, owner).content


@pytest.mark.asvs("5.3.1")
@pytest.mark.parametrize(
    "title",
    [
        pytest.param("<script>alert(1)</script>", id="element"),
        pytest.param("Tom & Jerry &amp; &lt;", id="ampersands"),
        pytest.param("]]> end of a CDATA section", id="cdata-end"),
        pytest.param("<!DOCTYPE x [<!ENTITY e 'boom'>]>&e;", id="doctype"),
        pytest.param("\"double\" and 'single' quotes", id="quotes"),
        pytest.param("</title></task><task><id>1</id>", id="closing-tags"),
        pytest.param("Zoë 東京 🚀", id="unicode"),
    ],
)
def test_markup_in_titles_is_escaped_and_reads_back_unchanged(client, owner, title):
    post_task(client, owner, title=title)

    response = export(client, owner)

    (task,) = parse(response)
    assert task.findtext("title") == title
    assert b"<script>" not in response.content
    assert b"<!DOCTYPE" not in response.content


@pytest.mark.asvs("5.3.1")
def test_tabs_and_line_breaks_in_text_read_back_unchanged(client, owner):
    description = "line one\r\nline two\n\ttabbed\rcarriage return"
    post_task(client, owner, title="Multi-line", description=description)

    (task,) = parse(export(client, owner))

    assert task.findtext("description") == description


def test_xml_export_has_no_dtd_attributes_or_namespaces(client, owner):
    post_task(client, owner, title="Plain")

    response = export(client, owner)

    assert b"<!DOCTYPE" not in response.content
    assert b"<!ENTITY" not in response.content
    for element in fromstring(response.content, forbid_dtd=True).iter():
        assert not element.attrib
        assert not element.tag.startswith("{")


def test_xml_export_of_no_tasks_is_an_empty_tasks_element(client, owner):
    response = export(client, owner)

    assert parse(response) == []


@pytest.mark.asvs("4.1.3")
def test_xml_export_without_a_token_is_401(client):
    assert_problem(client.get(EXPORT, params={"format": "xml"}), HTTPStatus.UNAUTHORIZED)


@pytest.mark.asvs("4.2.1")
def test_xml_export_holds_only_the_callers_tasks(client, owner, signed_in):
    other = signed_in()
    mine = [post_task(client, owner, title=f"mine {n}")["id"] for n in range(2)]
    post_task(client, other, title="theirs")

    tasks = parse(export(client, owner))

    assert sorted(int(task.findtext("id")) for task in tasks) == sorted(mine)
    assert {task.findtext("owner_id") for task in tasks} == {str(owner.user["id"])}


def test_admin_xml_export_holds_every_task(client, owner, signed_in):
    admin = signed_in("admin"{% if with_jobs %}, verified=True{% endif %})
    made = {post_task(client, account)["id"] for account in (owner, signed_in(), admin)}

    tasks = parse(export(client, admin))

    assert made <= {int(task.findtext("id")) for task in tasks}
