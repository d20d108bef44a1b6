"""Tasks: each user manages their own; admins see and manage all."""

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from starlette.responses import Response

from app.api.deps import (
    DIGITS_ONLY,
    MAX_ID,
    CurrentUser,
    Limit,
    Offset,
    SessionDep,
    get_current_user,
)
from app.api.export import tasks_csv, tasks_json, tasks_xml
from app.api.responses import json_response, problems
from app.api.routing import LimitedRoute
from app.crud import tasks as crud
from app.models import Task
from app.schemas import ExportFormat, TaskCreate, TaskOut, TaskPage, TaskStatus, TaskUpdate

router = APIRouter(
    route_class=LimitedRoute,
    prefix="/tasks",
    tags=["tasks"],
    dependencies=[Depends(get_current_user)],
    responses=problems(401),
)
# The path says {id}, as in the API contract; the Python name avoids shadowing id().
TaskId = Annotated[int, Path(alias="id", ge=1, le=MAX_ID), DIGITS_ONLY]


def _found(task: Task | None) -> Task:
    """404 for a task that does not exist and for one the caller may not see alike."""
    if task is None:
        raise HTTPException(HTTPStatus.NOT_FOUND, "Task not found.")
    return task


@router.get("", response_model=TaskPage, responses=problems(422))
async def read_tasks(
    user: CurrentUser,
    session: SessionDep,
    status_filter: Annotated[TaskStatus | None, Query(alias="status")] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """The caller's tasks (an admin's: everyone's), newest first."""
    tasks, total = crud.list_tasks(
        session, viewer=user, status=status_filter, limit=limit, offset=offset
    )
    page = TaskPage.model_validate(
        {"items": tasks, "total": total, "limit": limit, "offset": offset}, from_attributes=True
    )
    return json_response(page)


@router.post(
    "", status_code=HTTPStatus.CREATED, response_model=TaskOut, responses=problems(400, 413, 422)
)
async def create_task(
    body: TaskCreate, user: CurrentUser, session: SessionDep, request: Request
) -> Response:
    """Create a task owned by the caller."""
    task = crud.create_task(session, owner=user, fields=body.model_dump())
    session.commit()
    return json_response(
        TaskOut.model_validate(task),
        status_code=HTTPStatus.CREATED,
        headers={"Location": request.app.url_path_for("read_task", id=str(task.id))},
    )


@router.get(
    "/export",
    responses={
        200: {
            "description": "The tasks as a JSON array, a CSV file or an XML document",
            "content": {
                "application/json": {
                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/TaskOut"}}
                },
                "text/csv": {"schema": {"type": "string"}},
                "application/xml": {"schema": {"type": "string"}},
            },
        },
        **problems(422),
    },
)
async def export_tasks(
    user: CurrentUser,
    session: SessionDep,
    export_format: Annotated[ExportFormat, Query(alias="format")],
) -> Response:
    """Download the caller's tasks (an admin's: everyone's) as CSV, JSON or XML.

    XML: `<tasks>` with one `<task>` per task, child elements in the order of the JSON
    fields, a null as an empty element; no DTD, attributes or namespaces (CONTRACT.md).
    """
    rows = crud.iter_tasks_for_export(session, viewer=user)
    if export_format is ExportFormat.XML:
        return Response(
            tasks_xml(rows),
            media_type="application/xml; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="tasks.xml"'},
        )
    if export_format is ExportFormat.CSV:
        return Response(
            tasks_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="tasks.csv"'},
        )
    return Response(
        tasks_json(rows),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="tasks.json"'},
    )


@router.get("/{id}", response_model=TaskOut, responses=problems(404, 422))
async def read_task(task_id: TaskId, user: CurrentUser, session: SessionDep) -> Response:
    """One task."""
    task = _found(crud.get_task(session, task_id=task_id, viewer=user))
    return json_response(TaskOut.model_validate(task))


@router.patch("/{id}", response_model=TaskOut, responses=problems(400, 404, 413, 422))
async def update_task(
    task_id: TaskId, body: TaskUpdate, user: CurrentUser, session: SessionDep
) -> Response:
    """Change some fields of a task; fields left out keep their value."""
    task = _found(crud.get_task(session, task_id=task_id, viewer=user))
    crud.update_task(session, task, changes=body.model_dump(exclude_unset=True))
    session.commit()
    return json_response(TaskOut.model_validate(task))


@router.delete("/{id}", status_code=HTTPStatus.NO_CONTENT, responses=problems(404, 422))
async def delete_task(task_id: TaskId, user: CurrentUser, session: SessionDep) -> Response:
    """Delete a task."""
    crud.delete_task(session, _found(crud.get_task(session, task_id=task_id, viewer=user)))
    session.commit()
    return Response(status_code=HTTPStatus.NO_CONTENT)
