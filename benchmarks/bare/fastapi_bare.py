"""Bare FastAPI in the generated project's idiom, minus its middleware and authentication.

What fastapi-service's list endpoint does: a plain `def` route and a plain `def` session
dependency (FastAPI runs both in its thread pool), the same SQLAlchemy ORM query, and the ORM
rows returned through `response_model`, which FastAPI validates and serialises itself.
`/health/live` is `async def`, as in the project. uvicorn fastapi_bare:app
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi_models import OWNER_ID, Task, TaskPage, engine
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
sessions = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def get_session() -> Iterator[Session]:
    with sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


@app.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/api/v1/tasks", response_model=TaskPage)
def list_tasks(session: SessionDep, limit: int = 20, offset: int = 0) -> dict[str, object]:
    tasks = select(Task).where(Task.owner_id == OWNER_ID)
    total = session.scalar(select(func.count()).select_from(tasks.subquery())) or 0
    page = tasks.order_by(Task.created_at.desc(), Task.id.desc()).limit(limit).offset(offset)
    return {"items": list(session.scalars(page)), "total": total, "limit": limit, "offset": offset}
