"""The common FastAPI idiom PERFORMANCE.md measured: sync `def`, a session dependency, ORM
objects returned through `response_model` (FastAPI validates and encodes them itself).

This is the shape of full-stack-fastapi-template's list endpoints. uvicorn fastapi_idiom:app
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi_models import OWNER_ID, Task, TaskPage, engine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


@app.get("/health/live")
def live() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/api/v1/tasks", response_model=TaskPage)
def list_tasks(session: SessionDep, limit: int = 20, offset: int = 0) -> dict[str, object]:
    tasks = select(Task).where(Task.owner_id == OWNER_ID)
    total = session.scalar(select(func.count()).select_from(tasks.subquery()))
    page = tasks.order_by(Task.created_at.desc(), Task.id.desc()).limit(limit).offset(offset)
    items = session.scalars(page).all()
    return {"items": items, "total": total, "limit": limit, "offset": offset}
