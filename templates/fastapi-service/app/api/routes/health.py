"""Health checks for load balancers and orchestrators (outside /api/v1).

`live` touches nothing but the event loop, so it answers even while every worker thread is
busy with slow queries; `ready` queries the database, so it is a plain `def` (thread pool).
"""

import logging
from http import HTTPStatus

from fastapi import APIRouter, HTTPException
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.api.deps import SessionDep
from app.api.openapi import problems
from app.schemas import Health

router = APIRouter(prefix="/health", tags=["health"])
logger = logging.getLogger("app.health")


@router.get("/live")
async def live() -> Health:
    """The process is up and serving requests."""
    return Health()


@router.get("/ready", responses=problems(503))
def ready(session: SessionDep) -> Health:
    """The process can reach its database."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        logger.exception("database_unavailable")
        detail = "The database is not reachable."
        raise HTTPException(HTTPStatus.SERVICE_UNAVAILABLE, detail) from None
    return Health()
