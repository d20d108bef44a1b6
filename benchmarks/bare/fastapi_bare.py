"""Bare FastAPI in the generated project's idiom, minus its middleware and authentication.

`async def`, a SQLAlchemy ORM query, one pydantic validation of the page and its JSON bytes
sent as the response (no jsonable_encoder): what fastapi-service's list endpoint does.
uvicorn fastapi_bare:app
"""

from fastapi import FastAPI
from fastapi.responses import Response
from fastapi_models import OWNER_ID, Task, TaskPage, engine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/api/v1/tasks", response_model=TaskPage)
async def list_tasks(limit: int = 20, offset: int = 0) -> Response:
    with Session(engine) as session:
        tasks = select(Task).where(Task.owner_id == OWNER_ID)
        total = session.scalar(select(func.count()).select_from(tasks.subquery()))
        page = tasks.order_by(Task.created_at.desc(), Task.id.desc()).limit(limit).offset(offset)
        body = TaskPage.model_validate(
            {
                "items": session.scalars(page).all(),
                "total": total,
                "limit": limit,
                "offset": offset,
            },
            from_attributes=True,
        )
    return Response(body.model_dump_json(), media_type="application/json")
