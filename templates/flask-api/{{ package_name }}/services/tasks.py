"""Tasks: ownership-scoped queries, the ``completed_at`` rule, and the CSV export."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, select

from ..extensions import db
from ..models import Task, User, utcnow

if TYPE_CHECKING:
    from collections.abc import Iterable

CSV_COLUMNS = (
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
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
# https://owasp.org/www-community/attacks/CSV_Injection
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def visible_tasks(user: User) -> Select[tuple[Task]]:
    """The tasks ``user`` may see: their own, or all of them for an admin.

    Every task query starts here, so no view can forget the owner filter (OWASP API1).
    """
    query = select(Task)
    if not user.is_admin:
        query = query.where(Task.owner_id == user.id)
    return query


def list_tasks(
    *, user: User, status: str | None, limit: int, offset: int
) -> tuple[list[Task], int]:
    """One page of the visible tasks, newest first, and how many there are in all."""
    query = visible_tasks(user)
    if status is not None:
        query = query.where(Task.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(Task.created_at.desc(), Task.id.desc()).limit(limit).offset(offset)
    return list(db.session.scalars(page)), total


def find_task(*, user: User, task_id: int) -> Task | None:
    """The task with this id if ``user`` may see it; ``None`` reads as 404 either way."""
    return db.session.scalar(visible_tasks(user).where(Task.id == task_id))


def _set_status(task: Task, status: str) -> None:
    if status == "done" and task.status != "done":
        task.completed_at = utcnow()
    elif status != "done":
        task.completed_at = None
    task.status = status


def create_task(*, owner: User, data: dict[str, Any]) -> Task:
    """Create a task for ``owner`` from validated input and commit it."""
    task = Task(
        owner_id=owner.id,
        title=data["title"],
        description=data["description"],
        priority=data["priority"],
        due_date=data["due_date"],
        status="todo",
    )
    _set_status(task, data["status"])
    db.session.add(task)
    db.session.commit()
    return task


def update_task(*, task: Task, changes: dict[str, Any]) -> Task:
    """Apply a validated partial update and commit it."""
    for field in ("title", "description", "priority", "due_date"):
        if field in changes:
            setattr(task, field, changes[field])
    if "status" in changes:
        _set_status(task, changes["status"])
    task.updated_at = utcnow()
    db.session.commit()
    return task


def delete_task(*, task: Task) -> None:
    """Delete a task and commit."""
    db.session.delete(task)
    db.session.commit()


def export_tasks(*, user: User) -> list[Task]:
    """Every visible task, oldest first, for the export."""
    return list(db.session.scalars(visible_tasks(user).order_by(Task.id)))


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def tasks_to_csv(rows: Iterable[dict[str, Any]]) -> str:
    """Write serialised tasks as CSV with a header row, escaping formula-like cells.

    Args:
        rows: Tasks in their JSON form.

    Returns:
        The CSV text.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in CSV_COLUMNS])
    return buffer.getvalue()
