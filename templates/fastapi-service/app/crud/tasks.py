"""Tasks, always scoped to what the viewer may see.

Object-level authorization lives in the query itself: a user's query only ever matches their
own rows, so another user's task is simply "not found" (404) rather than "forbidden" (403),
which would confirm that it exists. Admins see every task.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.models import MAX_ID, Task, User, utcnow


def _visible_to(statement: Select[Any], viewer: User) -> Select[Any]:
    if viewer.role == "admin":
        return statement
    return statement.where(Task.owner_id == viewer.id)


def _completed_at(status: str, previous: datetime | None, now: datetime) -> datetime | None:
    """Set when a task becomes done, kept while it stays done, cleared when it leaves done."""
    if status != "done":
        return None
    return previous or now


def create_task(session: Session, *, owner: User, fields: dict[str, Any]) -> Task:
    """Add a task owned by `owner` from validated input `fields`."""
    now = utcnow()
    task = Task(owner_id=owner.id, created_at=now, updated_at=now, **fields)
    task.completed_at = _completed_at(task.status, None, now)
    session.add(task)
    session.flush()
    return task


def get_task(session: Session, *, task_id: int, viewer: User) -> Task | None:
    """The task with `task_id`, or None if it does not exist or `viewer` may not see it."""
    if not 1 <= task_id <= MAX_ID:
        return None
    task: Task | None = session.scalar(_visible_to(select(Task).where(Task.id == task_id), viewer))
    return task


def list_tasks(
    session: Session, *, viewer: User, status: str | None, limit: int, offset: int
) -> tuple[list[Task], int]:
    """One page of the viewer's tasks, newest first, and the total count."""
    statement = _visible_to(select(Task), viewer)
    if status is not None:
        statement = statement.where(Task.status == status)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    page = statement.order_by(Task.created_at.desc(), Task.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(page)), total


def iter_tasks_for_export(session: Session, *, viewer: User) -> Iterator[Task]:
    """Every task the viewer may see, newest first, loaded in batches."""
    statement = _visible_to(select(Task), viewer).order_by(Task.created_at.desc(), Task.id.desc())
    yield from session.scalars(statement.execution_options(yield_per=500))


def update_task(session: Session, task: Task, *, changes: dict[str, Any]) -> Task:
    """Apply validated partial `changes` to `task`, keeping `completed_at` consistent."""
    now = utcnow()
    for name, value in changes.items():
        setattr(task, name, value)
    task.completed_at = _completed_at(task.status, task.completed_at, now)
    task.updated_at = now
    session.flush()
    return task


def delete_task(session: Session, task: Task) -> None:
    """Remove `task`."""
    session.delete(task)
    session.flush()
