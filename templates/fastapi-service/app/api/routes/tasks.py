"""Tasks: each user manages their own; admins see and manage all.

Routes are plain `def`: FastAPI runs them in its thread pool, so their database calls never
hold up the event loop. They return ORM objects (or a dict holding them) and FastAPI validates
and serialises them with the route's `response_model`, which also drops any attribute the
schema does not list.
"""

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response

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
from app.api.openapi import problems
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
def read_tasks(
    user: CurrentUser,
    session: SessionDep,
    status_filter: Annotated[TaskStatus | None, Query(alias="status")] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, object]:
    """The caller's tasks (an admin's: everyone's), newest first."""
    tasks, total = crud.list_tasks(
        session, viewer=user, status=status_filter, limit=limit, offset=offset
    )
    return {"items": tasks, "total": total, "limit": limit, "offset": offset}


@router.post(
    "",
    status_code=HTTPStatus.CREATED,
    response_model=TaskOut,
    responses=problems(400, 413, 415, 422),
)
def create_task(
    body: TaskCreate, user: CurrentUser, session: SessionDep, request: Request, response: Response
) -> Task:
    """Create a task owned by the caller."""
    task = crud.create_task(session, owner=user, fields=body.model_dump())
    session.commit()
    response.headers["Location"] = request.app.url_path_for("read_task", id=str(task.id))
    return task


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
def export_tasks(
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
def read_task(task_id: TaskId, user: CurrentUser, session: SessionDep) -> Task:
    """One task."""
    return _found(crud.get_task(session, task_id=task_id, viewer=user))


@router.patch("/{id}", response_model=TaskOut, responses=problems(400, 404, 413, 415, 422))
def update_task(task_id: TaskId, body: TaskUpdate, user: CurrentUser, session: SessionDep) -> Task:
    """Change some fields of a task; fields left out keep their value."""
    task = _found(crud.get_task(session, task_id=task_id, viewer=user))
    crud.update_task(session, task, changes=body.model_dump(exclude_unset=True))
    session.commit()
    return task


@router.delete(
    "/{id}",
    status_code=HTTPStatus.NO_CONTENT,
    response_class=Response,
    responses=problems(404, 422),
)
def delete_task(task_id: TaskId, user: CurrentUser, session: SessionDep) -> None:
    """Delete a task."""
    crud.delete_task(session, _found(crud.get_task(session, task_id=task_id, viewer=user)))
    session.commit()
