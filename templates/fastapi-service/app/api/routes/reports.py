"""Reports for admins."""

from datetime import UTC, datetime

from fastapi import APIRouter, Depends

from app.api.deps import SessionDep, get_current_admin
from app.api.openapi import problems
from app.api.routing import LimitedRoute
from app.crud.reports import summary
from app.schemas import Summary

router = APIRouter(
    route_class=LimitedRoute,
    prefix="/reports",
    tags=["reports"],
    dependencies=[Depends(get_current_admin)],
    responses=problems(401, 403),
)


@router.get("/summary", response_model=Summary)
def read_summary(session: SessionDep) -> dict[str, object]:
    """Totals, tasks per status, overdue tasks, and completions over the last 7 UTC days."""
    return summary(session, today=datetime.now(UTC).date())
