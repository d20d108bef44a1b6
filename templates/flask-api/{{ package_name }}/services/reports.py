"""The admin summary report."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..models import STATUSES, Task, User, utcnow

REPORT_DAYS = 7


def summary(*, today: dt.date | None = None) -> dict[str, Any]:
    """Count users and tasks, overdue tasks, and completions over the last seven UTC days.

    Args:
        today: The UTC day the report ends on; the current one when omitted.

    Returns:
        The report in the shape of the contract.
    """
    today = today or utcnow().date()
    by_status = dict.fromkeys(STATUSES, 0)
    rows = db.session.execute(select(Task.status, func.count()).group_by(Task.status))
    for status, count in rows:
        by_status[status] = count
    overdue = db.session.scalar(
        select(func.count()).where(Task.due_date < today, Task.status != "done")
    )
    first_day = today - dt.timedelta(days=REPORT_DAYS - 1)
    window_start = dt.datetime.combine(first_day, dt.time.min, tzinfo=dt.UTC)
    # Days are counted in Python: SQLite and PostgreSQL disagree on how to cut a timestamp
    # to a date, and at most a week of completions is read.
    completions = db.session.scalars(
        select(Task.completed_at).where(Task.completed_at >= window_start)
    )
    per_day = Counter(stamp.astimezone(dt.UTC).date() for stamp in completions if stamp)
    days = [first_day + dt.timedelta(days=offset) for offset in range(REPORT_DAYS)]
    return {
        "users_total": db.session.scalar(select(func.count()).select_from(User)) or 0,
        "tasks_total": sum(by_status.values()),
        "tasks_by_status": by_status,
        "overdue": overdue or 0,
        "completed_per_day": [{"date": day, "count": per_day[day]} for day in days],
    }
