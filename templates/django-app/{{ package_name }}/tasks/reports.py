"""The admin summary report."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..users.models import User
from .models import Status, Task

DAYS = 7


def summary() -> dict[str, Any]:
    """Counts of users and tasks, overdue tasks and completions over the last 7 UTC days.

    Returns:
        The report of CONTRACT.md.
    """
    today = timezone.now().astimezone(UTC).date()
    first_day = today - timedelta(days=DAYS - 1)
    by_status = dict.fromkeys(Status.values, 0)
    for row in Task.objects.values("status").annotate(count=Count("id")):
        by_status[row["status"]] = row["count"]
    completed = (
        Task.objects.filter(completed_at__isnull=False)
        .annotate(day=TruncDate("completed_at", tzinfo=UTC))
        .filter(day__gte=first_day, day__lte=today)
        .values("day")
        .annotate(count=Count("id"))
    )
    per_day = {row["day"]: row["count"] for row in completed}
    days = (first_day + timedelta(days=offset) for offset in range(DAYS))
    return {
        "users_total": User.objects.count(),
        "tasks_total": sum(by_status.values()),
        "tasks_by_status": by_status,
        "overdue": Task.objects.filter(due_date__lt=today).exclude(status=Status.DONE).count(),
        "completed_per_day": [
            {"date": day.isoformat(), "count": per_day.get(day, 0)} for day in days
        ],
    }
