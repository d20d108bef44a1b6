"""The long-lived objects one app instance owns, kept on `app.state`.

They are made by `create_app()` (so each test's app gets its own database and throttle) and
released when the server shuts the app down.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.core.config import Settings
from app.core.db import create_db_engine, create_session_factory
from app.core.logging import configure_logging
from app.core.security import PasswordService, TokenService
from app.core.throttle import login_throttle


def open_resources(app: FastAPI, settings: Settings) -> None:
    """Create the engine, services and throttle for `app`; nothing connects yet."""
    app.state.settings = settings
    app.state.log_formatter = configure_logging(settings.log_level)
    app.state.engine = create_db_engine(settings.database_url)
    app.state.session_factory = create_session_factory(app.state.engine)
    app.state.passwords = PasswordService.from_settings(settings)
    app.state.tokens = TokenService.from_settings(settings)
    app.state.throttle, app.state.redis_pool = login_throttle(settings)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Close the throttle's Redis pool, the hashing threads and the database pool at shutdown."""
    yield
    app.state.passwords.close()
    if app.state.redis_pool is not None:
        app.state.redis_pool.disconnect()
    app.state.engine.dispose()
