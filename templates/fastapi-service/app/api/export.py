"""Task export as CSV, JSON or XML.

XML is written by the shared `app/core/xml_export.py` from the same rows as the JSON export.

CSV cells that start with `=`, `+`, `-`, `@`, a tab or a carriage return are prefixed with `'`,
so a spreadsheet shows them as text instead of running them as formulas (CSV injection).
https://owasp.org/www-community/attacks/CSV_Injection
"""

import csv
import io
from collections.abc import Iterable

from pydantic import TypeAdapter

from app.core.xml_export import tasks_to_xml
from app.models import Task
from app.schemas import TaskOut

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = list(TaskOut.model_fields)
_task_list = TypeAdapter(list[TaskOut])


def escape_cell(value: str) -> str:
    """Make a cell safe to open in a spreadsheet."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def tasks_csv(tasks: Iterable[Task]) -> str:
    """A CSV document with a header row and one row per task."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for task in tasks:
        values = TaskOut.model_validate(task).model_dump(mode="json")
        writer.writerow(escape_cell("" if values[c] is None else str(values[c])) for c in COLUMNS)
    return buffer.getvalue()


def tasks_json(tasks: Iterable[Task]) -> bytes:
    """A JSON array of tasks in their API form."""
    return _task_list.dump_json(_task_list.validate_python(list(tasks), from_attributes=True))


def tasks_xml(tasks: Iterable[Task]) -> bytes:
    """A `<tasks>` XML document holding the rows of the JSON export, in the same order."""
    rows = _task_list.dump_python(
        _task_list.validate_python(list(tasks), from_attributes=True), mode="json"
    )
    return tasks_to_xml(rows)
