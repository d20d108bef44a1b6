"""When a repeating task is due next: the module whose tests exercise 14 asks for.

A repeating task keeps its first due date as its anchor and a rule saying how it repeats.
When it is done, its next due date is the first date of its schedule after a given day
(usually today), so a task finished late skips the occurrences it missed instead of coming
back overdue. The module has no tests yet: writing them is the exercise.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

RULES = ("daily", "weekdays", "weekly", "monthly", "yearly")
# Monday is 0: Saturday (5) and Sunday (6) are the weekend.
FIRST_WEEKEND_DAY = 5


def next_due(anchor: date, rule: str, *, after: date | None = None) -> date:
    """The first date of the schedule that starts at `anchor`, later than it and than `after`.

    Args:
        anchor: The task's first due date; the schedule is counted from it.
        rule: One of RULES. ``monthly`` keeps the anchor's day of the month and uses the last
            day of shorter months (31 January, then 28 or 29 February, then 31 March);
            ``yearly`` moves 29 February to 28 February in other years; ``weekdays`` skips
            Saturday and Sunday.
        after: The day after which the next date is wanted (default: the anchor itself).

    Returns:
        The next due date, always later than both `anchor` and `after`.

    Raises:
        ValueError: For a rule that is not one of RULES.
    """
    if rule not in RULES:
        msg = f"unknown rule {rule!r}: expected one of {', '.join(RULES)}"
        raise ValueError(msg)
    after = anchor if after is None else after
    if rule in {"daily", "weekdays", "weekly"}:
        return _next_by_days(anchor, rule, after)
    months = 12 if rule == "yearly" else 1
    step = 1
    while (candidate := _add_months(anchor, step * months)) <= after:
        step += 1
    return candidate


def _next_by_days(anchor: date, rule: str, after: date) -> date:
    if rule == "weekly":
        weeks = max((after - anchor).days // 7 + 1, 1)
        return anchor + timedelta(weeks=weeks)
    candidate = max(after, anchor) + timedelta(days=1)
    if rule == "weekdays":
        while candidate.weekday() >= FIRST_WEEKEND_DAY:
            candidate += timedelta(days=1)
    return candidate


def _add_months(anchor: date, months: int) -> date:
    """`anchor` moved by `months`, on the anchor's day or the month's last day if shorter."""
    index = anchor.month - 1 + months
    year, month = anchor.year + index // 12, index % 12 + 1
    day = min(anchor.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)
