"""Application factory. Serve with `uvicorn app.main:create_app --factory`."""

from fastapi import FastAPI

from app import PROJECT_NAME, __version__
from app.api.errors import register_error_handlers
from app.api.openapi import problem_json_openapi
from app.api.router import api_router
from app.api.routes import docs, health
from app.core.config import Settings, SettingsError, get_settings
from app.core.middleware import install_middleware
from app.core.resources import lifespan, open_resources


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; tests pass their own `settings`.

    Args:
        settings: defaults to `get_settings()`, read from the environment and `.env`.

    Returns:
        The ASGI application.

    Raises:
        SystemExit: when the server starts with settings that are refused; the message names
            the setting and the rule, and no traceback (or value) is printed.
    """
    if settings is None:
        try:
            settings = get_settings()
        except SettingsError as error:
            message = f"Error: {error}"
            raise SystemExit(message) from None
    app = FastAPI(
        title=PROJECT_NAME,
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # `/api/v1/tasks/` is not `/api/v1/tasks`: a 404 as in every framework's project
        # (CONTRACT.md), not Starlette's redirect to the other spelling.
        redirect_slashes=False,
    )
    open_resources(app, settings)
    register_error_handlers(app)
    install_middleware(app, settings)
    # Routes are matched in the order they are included: the probe that load balancers call
    # every few seconds first, so it is not tried against every API route before its own.
    app.include_router(health.router)
    app.include_router(api_router)
    if settings.docs_enabled:
        docs.install_docs(app)
    app.openapi = problem_json_openapi(app)  # type: ignore[method-assign]
    return app
