"""``/api/v1/tasks``: a user's tasks (an admin sees everyone's), and their export.

Another user's task is answered 404, exactly like a task that does not exist, so ids cannot
be probed (OWASP API1).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from apiflask import APIBlueprint
from flask import Response, url_for
from werkzeug.exceptions import NotFound

from ..auth import current_user
from ..models import Task
from ..schemas import ExportQuery, TaskIn, TaskOut, TaskPage, TaskPatch, TaskQuery
from ..services import tasks as service

bp = APIBlueprint("tasks", __name__, tag="Tasks")

# Ids are 32-bit in the database; a larger one cannot exist, and must not reach it.
TASK_ID = "<int(max=2147483647):task_id>"

task_schema = TaskOut()
export_schema = TaskOut(many=True)

EXPORT_DOC = {
    "description": "Every visible task, as CSV (with a header row) or as a JSON array.",
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/TaskOut"}}},
    },
}


def _task_or_404(task_id: int) -> Task:
    task = service.find_task(user=current_user(), task_id=task_id)
    if task is None:
        raise NotFound(description="No task with this id.")
    return task


# Registered before the list, whose page schema nests TaskOut: apispec then finds TaskOut
# already documented instead of adding it a second time.
@bp.post("")
@bp.input(TaskIn, arg_name="body")
@bp.output(TaskOut, status_code=HTTPStatus.CREATED)
def create_task(body: dict[str, Any]) -> Any:
    """Create a task owned by the caller."""
    task = service.create_task(owner=current_user(), data=body)
    location = url_for("tasks.read_task", task_id=task.id)
    return task, HTTPStatus.CREATED, {"Location": location}


@bp.get("")
@bp.input(TaskQuery, location="query", arg_name="query")
@bp.output(TaskPage)
def list_tasks(query: dict[str, Any]) -> Any:
    """The caller's tasks (an admin's: everyone's), newest first."""
    items, total = service.list_tasks(
        user=current_user(),
        status=query.get("status"),
        limit=query["limit"],
        offset=query["offset"],
    )
    return {"items": items, "total": total, "limit": query["limit"], "offset": query["offset"]}


@bp.get("/export")
@bp.input(ExportQuery, location="query", arg_name="query")
@bp.doc(responses={HTTPStatus.OK: EXPORT_DOC})
def export(query: dict[str, Any]) -> Response:
    """Download every visible task as CSV or JSON."""
    rows = export_schema.dump(service.export_tasks(user=current_user()))
    if query["format"] == "csv":
        body, mimetype = service.tasks_to_csv(rows), "text/csv"
    else:
        body, mimetype = json.dumps(rows), "application/json"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="tasks.{query["format"]}"'
    return response


@bp.get(f"/{TASK_ID}")
@bp.output(TaskOut)
def read_task(task_id: int) -> Any:
    """One task of the caller's (any task, for an admin)."""
    return _task_or_404(task_id)


@bp.patch(f"/{TASK_ID}")
@bp.input(TaskPatch, arg_name="body")
@bp.output(TaskOut)
def update_task(task_id: int, body: dict[str, Any]) -> Any:
    """Change some fields of a task; ``null`` clears ``due_date`` only."""
    return service.update_task(task=_task_or_404(task_id), changes=body)


@bp.delete(f"/{TASK_ID}")
@bp.output({}, status_code=HTTPStatus.NO_CONTENT)
def delete_task(task_id: int) -> Any:
    """Delete a task."""
    service.delete_task(task=_task_or_404(task_id))
    return ""
