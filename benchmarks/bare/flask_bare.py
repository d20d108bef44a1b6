"""Bare Flask: APIFlask + Flask-SQLAlchemy + marshmallow, like flask-api, minus the rest.

No security headers, request logs, CORS, body limit or authentication: what is left is the
framework, the ORM query and the output schema.  gunicorn flask_bare:app
"""

import os
from datetime import date, datetime

from apiflask import APIFlask, Schema
from apiflask.fields import Date, DateTime, Integer, List, Nested, String
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import func, select
from sqlalchemy.orm import Mapped, mapped_column

OWNER_ID = int(os.environ["BARE_OWNER_ID"])

app = APIFlask(__name__, docs_path=None, spec_path=None)
app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{os.environ['BARE_DATABASE']}"
db = SQLAlchemy(app)


class Task(db.Model):  # type: ignore[name-defined]
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    description: Mapped[str]
    status: Mapped[str]
    priority: Mapped[str]
    due_date: Mapped[date | None]
    owner_id: Mapped[int]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class PageQuery(Schema):
    limit = Integer(load_default=20)
    offset = Integer(load_default=0)


class TaskOut(Schema):
    id = Integer()
    title = String()
    description = String()
    status = String()
    priority = String()
    due_date = Date(allow_none=True)
    owner_id = Integer()
    created_at = DateTime()
    updated_at = DateTime()
    completed_at = DateTime(allow_none=True)


class TaskPage(Schema):
    items = List(Nested(TaskOut))
    total = Integer()
    limit = Integer()
    offset = Integer()


@app.get("/health/live")
def live() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/api/v1/tasks")
@app.input(PageQuery, location="query", arg_name="query")
@app.output(TaskPage)
def list_tasks(query: dict[str, int]) -> dict[str, object]:
    tasks = select(Task).where(Task.owner_id == OWNER_ID)
    total = db.session.scalar(select(func.count()).select_from(tasks.subquery()))
    page = tasks.order_by(Task.created_at.desc(), Task.id.desc())
    items = db.session.scalars(page.limit(query["limit"]).offset(query["offset"])).all()
    return {"items": items, "total": total, **query}
