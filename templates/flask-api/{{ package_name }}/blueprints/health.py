"""``/health``: liveness and readiness, for load balancers and container health checks."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from apiflask import APIBlueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import ServiceUnavailable

from ..extensions import db
from ..schemas import HealthOut

bp = APIBlueprint("health", __name__, tag="Health")
log = logging.getLogger(__name__)


@bp.get("/live")
@bp.output(HealthOut)
def live() -> Any:
    """200 while the process answers."""
    return {"status": "ok"}


@bp.get("/ready")
@bp.output(HealthOut)
@bp.doc(responses=[HTTPStatus.SERVICE_UNAVAILABLE])
def ready() -> Any:
    """200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("database_unavailable", extra={"event": "database_unavailable"})
        raise ServiceUnavailable(description="The database is not reachable.") from error
    return {"status": "ok"}
