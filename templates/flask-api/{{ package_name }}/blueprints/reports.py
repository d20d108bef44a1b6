"""``/api/v1/reports``: statistics for admins."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from ..auth import admin_required
from ..schemas import SummaryOut
from ..services.reports import summary

bp = APIBlueprint("reports", __name__, tag="Reports")


@bp.get("/summary")
@bp.output(SummaryOut)
@admin_required
def read_summary() -> Any:
    """Users, tasks by status, overdue tasks and a week of completions (admin only)."""
    return summary()
