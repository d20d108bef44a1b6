"""Bare Flask in flask-api's idiom: APIFlask + Flask-SQLAlchemy + marshmallow, minus the rest.

What flask-api's list endpoint does: the query string loaded by an ``@app.input`` schema, the
same ORM query (a plain ``COUNT(*)`` over the owner's tasks, then one page of ``Task``
objects), and the page dumped by the ``@app.output`` schema, timestamps as UTC with ``Z``.
No security headers, request logs, CORS, body limit or authentication: what is left is the
framework, the ORM query and the output schema.  gunicorn flask_bare:app
"""

import os
from datetime import UTC, date, datetime
from typing import Any

from apiflask import APIFlask, Schema
from apiflask.fields import Date, DateTime, Integer, List, Nested, String
from apiflask.validators import Range
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime as SQLDateTime
from sqlalchemy import Dialect, func, select
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator
from typing_extensions import override

OWNER_ID = int(os.environ["BARE_OWNER_ID"])

app = APIFlask(__name__, docs_path=None, spec_path=None)
app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{os.environ['BARE_DATABASE']}"
db = SQLAlchemy(app)


class UTCStamp(TypeDecorator[datetime]):
    """SQLite's naive timestamps read back as the aware UTC values they were written as."""

    impl = SQLDateTime(timezone=True)
    cache_ok = True

    @override
    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Task(db.Model):  # type: ignore[name-defined]
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    description: Mapped[str]
    status: Mapped[str]
    priority: Mapped[str]
    due_date: Mapped[date | None]
    owner_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCStamp)
    updated_at: Mapped[datetime] = mapped_column(UTCStamp)
    completed_at: Mapped[datetime | None] = mapped_column(UTCStamp)


class UTCDateTime(DateTime):
    @override
    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return str(value.astimezone(UTC).isoformat().replace("+00:00", "Z"))


class PageQuery(Schema):
    limit = Integer(load_default=20, validate=Range(min=1, max=100))
    offset = Integer(load_default=0, validate=Range(min=0))


class TaskOut(Schema):
    id = Integer(required=True)
    title = String(required=True)
    description = String(required=True)
    status = String(required=True)
    priority = String(required=True)
    due_date = Date(required=True, allow_none=True)
    owner_id = Integer(required=True)
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)
    completed_at = UTCDateTime(required=True, allow_none=True)


class TaskPage(Schema):
    items = List(Nested(TaskOut), required=True)
    total = Integer(required=True)
    limit = Integer(required=True)
    offset = Integer(required=True)


class HealthOut(Schema):
    status = String(required=True)


@app.get("/health/live")
@app.output(HealthOut)
def live() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/api/v1/tasks")
@app.input(PageQuery, location="query", arg_name="query")
@app.output(TaskPage)
def list_tasks(query: dict[str, int]) -> dict[str, object]:
    count = select(func.count()).select_from(Task).where(Task.owner_id == OWNER_ID)
    total = db.session.scalar(count) or 0
    page = select(Task).where(Task.owner_id == OWNER_ID)
    page = page.order_by(Task.created_at.desc(), Task.id.desc())
    items = list(db.session.scalars(page.limit(query["limit"]).offset(query["offset"])))
    return {"items": items, "total": total, **query}
