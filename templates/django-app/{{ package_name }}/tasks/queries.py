"""Reading tasks: owner scoping and the JSON shape.

Every query starts from `visible_tasks(user)`: a user sees only their own tasks, so another
user's task simply does not exist for them (404, never 403).

Lists read plain rows with `.values()` and build dicts directly; that is several times faster
than model instances through a serializer, and the output stays an explicit allowlist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet

from ..users.models import User
from .models import Task

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


def visible_tasks(user: User) -> QuerySet[Task]:
    """The tasks `user` may see: all for an admin, their own otherwise."""
    tasks = Task.objects.all()
    return tasks if user.is_admin else tasks.filter(owner=user)


def newest_first(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Order newest first; the id breaks ties between tasks made in the same instant."""
    return tasks.order_by("-created_at", "-id")


def _timestamp(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def task_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """The public form of a task from a `.values(*TASK_FIELDS)` row.

    Args:
        row: Column values keyed by TASK_FIELDS.

    Returns:
        The JSON-ready dict of CONTRACT.md.
    """
    return {
        "id": row["id"],
        "title": row["title"],
        "description": row["description"],
        "status": row["status"],
        "priority": row["priority"],
        "due_date": _date(row["due_date"]),
        "owner_id": row["owner_id"],
        "created_at": _timestamp(row["created_at"]),
        "updated_at": _timestamp(row["updated_at"]),
        "completed_at": _timestamp(row["completed_at"]),
    }


def task_instance_json(task: Task) -> dict[str, Any]:
    """The public form of a saved task instance."""
    return task_json({field: getattr(task, field) for field in TASK_FIELDS})


def task_rows(tasks: QuerySet[Task]) -> Iterable[dict[str, Any]]:
    """Public forms of the tasks of a queryset, read as plain rows."""
    return (task_json(row) for row in tasks.values(*TASK_FIELDS))
