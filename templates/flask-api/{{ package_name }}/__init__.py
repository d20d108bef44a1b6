"""The application factory: ``create_app()`` builds a configured Flask (APIFlask) app.

https://flask.palletsprojects.com/en/stable/patterns/appfactories/
"""

from __future__ import annotations

from typing import Any

from apiflask import APIFlask
from dotenv import load_dotenv

from . import auth
from .about import DESCRIPTION, TITLE, VERSION
from .blueprints import register_blueprints
from .config import check_settings, load_settings
from .converters import AsciiIntegerConverter
from .database import harden_sqlite
from .errors import register_errorhandlers
from .extensions import cors, db, login_throttle, password_hasher
from .hooks import register_body_checks, register_hooks
from .logs import configure_logging
from .openapi import register_openapi
from .openapi import settings as openapi_settings

__all__ = ["create_app"]


def create_app(test_config: dict[str, Any] | None = None, *, commands: bool = True) -> APIFlask:
    """Build the app.

    Args:
        test_config: Settings that replace those from the environment (tests use this).
        commands: Also register the command-line tools (``flask db``, ``flask create-admin``).
            The server passes ``False`` (``gunicorn.conf.py``): its workers never run a
            command, and ``flask db`` would load Alembic and Mako into every one of them.

    Returns:
        The configured app; the database schema is not touched (run the migrations).
    """
    if test_config is None:
        # Outside tests, a .env file next to the project fills in unset variables.
        load_dotenv()
    app = APIFlask(
        __name__,
        title=TITLE,
        version=VERSION,
        spec_path="/openapi.json",
        docs_path=None,
    )
    app.config.from_mapping(openapi_settings())
    app.config["DESCRIPTION"] = DESCRIPTION
    app.config.from_mapping(load_settings())
    if test_config is not None:
        app.config.from_mapping(test_config)
    # Logging first, so that a warning about the settings is written like every other line.
    configure_logging(app)
    check_settings(app.config)

    register_extensions(app)
    register_hooks(app)
    auth.init_app(app)
    register_body_checks(app)
    # Before any route is added: <int:...> then matches ASCII digits only (converters.py).
    app.url_map.converters["int"] = AsciiIntegerConverter
    register_blueprints(app)
    register_errorhandlers(app)
    register_openapi(app)
    if commands:
        register_commands(app)
    return app


def register_extensions(app: APIFlask) -> None:
    """Bind the extensions of :mod:`.extensions` to ``app``."""
    db.init_app(app)
    with app.app_context():
        harden_sqlite(db.engine)
    # No origin at all unless CORS_ORIGINS lists some (and then no CORS extension either: it
    # would look at every response to grant nothing); never "*", never with credentials.
    if app.config["CORS_ORIGINS"]:
        cors.init_app(
            app,
            origins=app.config["CORS_ORIGINS"],
            supports_credentials=False,
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Location", "Retry-After", "X-Request-ID"],
            max_age=600,
        )
    password_hasher.init_app(app)
    login_throttle.init_app(app)


def register_commands(app: APIFlask) -> None:
    """Add the command-line tools: Flask-Migrate's ``flask db`` and this project's own.

    The module is imported here, not at the top, so that an app built without its commands
    (the server's) never imports Flask-Migrate, which imports Alembic and Mako: about 11 MiB
    in every worker process, for commands that only ``flask`` runs.
    """
    from . import commands  # noqa: PLC0415 - see the docstring: keeps Alembic out of workers

    commands.init_app(app)
