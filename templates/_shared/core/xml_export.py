"""The XML form of the task export (`GET /tasks/export?format=xml`, CONTRACT.md).

The rows are the ones the JSON export returns; this module only changes their notation, so
the three formats always hold the same tasks in the same order. ElementTree escapes markup
characters itself, writes no DTD and no entity declarations, and this module adds no
attributes and no namespaces: a reader needs nothing beyond plain XML 1.0 to parse it.
https://docs.python.org/3/library/xml.etree.elementtree.html
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # writes XML only: nothing here parses a document
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

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
CONTENT_TYPE = "application/xml; charset=utf-8"
FILENAME = "tasks.xml"

# Characters XML 1.0 cannot hold at all, not even escaped (C0 controls other than TAB, LF,
# CR; lone surrogates; U+FFFE and U+FFFF). ElementTree would write them as they are and leave
# a document no parser accepts, so they are dropped. https://www.w3.org/TR/xml/#charsets
NOT_XML_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> str:
    """Write a JSON value as element text: null is empty, booleans as JSON writes them.

    Args:
        value: A value of a row of the JSON export.

    Returns:
        The text of the element.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML_CHARACTERS.sub("", str(value))


def tasks_to_xml(rows: Iterable[dict[str, Any]]) -> bytes:
    """Write the rows of the JSON export as a `<tasks>` document.

    Args:
        rows: Task dicts as the JSON export returns them, in the export's order.

    Returns:
        The UTF-8 document, XML declaration included.
    """
    root = ET.Element("tasks")
    for row in rows:
        task = ET.SubElement(root, "task")
        for name in TASK_FIELDS:
            ET.SubElement(task, name).text = xml_text(row.get(name))
    # `<due_date />` for a null: an element with no text is written short.
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    # A parser turns a raw carriage return in text into a line feed (XML 1.0, section 2.11);
    # written as a character reference it reads back as itself. Only text can hold one here.
    return document.replace(b"\r", b"&#13;")
