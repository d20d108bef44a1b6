"""One blueprint per resource, all registered by :func:`register_blueprints`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import auth, docs, health, reports, tasks, users

if TYPE_CHECKING:
    from flask import Flask

API_PREFIX = "/api/v1"


def register_blueprints(app: Flask) -> None:
    """Mount the API under ``/api/v1`` and health and docs at the root."""
    app.register_blueprint(auth.bp, url_prefix=f"{API_PREFIX}/auth")
    app.register_blueprint(users.bp, url_prefix=f"{API_PREFIX}/users")
    app.register_blueprint(tasks.bp, url_prefix=f"{API_PREFIX}/tasks")
    app.register_blueprint(reports.bp, url_prefix=f"{API_PREFIX}/reports")
    app.register_blueprint(health.bp, url_prefix="/health")
    if app.config["DOCS_ENABLED"]:
        app.register_blueprint(docs.bp, url_prefix="/docs")
