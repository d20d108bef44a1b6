"""Health checks for load balancers and orchestrators (outside /api/v1)."""

import logging
from http import HTTPStatus

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response

from app.api.deps import SessionDep
from app.api.responses import json_response, problems
from app.core.problems import problem_response
from app.schemas import Health

router = APIRouter(prefix="/health", tags=["health"])
logger = logging.getLogger("app.health")


@router.get("/live", response_model=Health)
async def live() -> Response:
    """The process is up and serving requests."""
    return json_response(Health())


@router.get("/ready", response_model=Health, responses=problems(503))
async def ready(session: SessionDep) -> Response:
    """The process can reach its database."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        logger.exception("database_unavailable")
        return problem_response(HTTPStatus.SERVICE_UNAVAILABLE, "The database is not reachable.")
    return json_response(Health())
