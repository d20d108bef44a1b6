"""Statistics for the admin summary report, computed in the database."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Task, User

DAYS_IN_REPORT = 7


def summary(session: Session, *, today: date) -> dict[str, object]:
    """Counts of users and tasks, overdue tasks, and completions per UTC day for a week.

    Args:
        session: an open session.
        today: the current UTC date (a parameter so tests can fix it).

    Returns:
        The fields of the `Summary` schema.
    """
    by_status = dict.fromkeys(("todo", "in_progress", "done"), 0)
    for status, count in session.execute(select(Task.status, func.count()).group_by(Task.status)):
        by_status[status] = count
    overdue = session.scalar(
        select(func.count()).where(Task.due_date < today, Task.status != "done")
    )
    first_day = today - timedelta(days=DAYS_IN_REPORT - 1)
    start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC)
    # date() is a UTC day on both backends: SQLite stores UTC text, and PostgreSQL sessions
    # run with timezone=UTC (see core/db.py).
    day = func.date(Task.completed_at)
    completed = dict.fromkeys((first_day + timedelta(days=n) for n in range(DAYS_IN_REPORT)), 0)
    rows = session.execute(
        select(day, func.count()).where(Task.completed_at >= start).group_by(day)
    )
    for value, count in rows:
        completed_on = date.fromisoformat(str(value))
        if completed_on in completed:
            completed[completed_on] = count
    return {
        "users_total": session.scalar(select(func.count()).select_from(User)) or 0,
        "tasks_total": sum(by_status.values()),
        "tasks_by_status": by_status,
        "overdue": overdue or 0,
        "completed_per_day": [{"date": d, "count": n} for d, n in completed.items()],
    }
