"""``/docs``: Swagger UI, served from this machine so it works offline.

The Swagger UI files come from the ``swagger-ui-bundle`` package on PyPI, pinned like every
other dependency; nothing is loaded from a CDN. Set ``DOCS_ENABLED=false`` to switch it off.
"""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import Response, render_template, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import NotFound

bp = APIBlueprint("docs", __name__, enable_openapi=False)

SWAGGER_ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"})


@bp.get("")
def page() -> str:
    """The interactive documentation page."""
    return render_template("docs.html", spec_url=url_for("openapi.spec"))


@bp.get("/assets/<filename>")
def asset(filename: str) -> Response:
    """One of the Swagger UI files the docs page loads."""
    if filename in SWAGGER_ASSETS:
        return send_from_directory(str(swagger_ui_path), filename)
    raise NotFound
