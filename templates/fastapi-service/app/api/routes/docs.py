"""Interactive API docs (Swagger UI) served from local files, so they work offline.

The Swagger UI assets come from the `fastapi-offline` package (installed from PyPI with the
other pins); nothing is loaded from a CDN. The page gets a Content-Security-Policy that allows
exactly what it needs: its own scripts and styles, and the one inline script that starts
Swagger UI, allowed by its hash rather than by 'unsafe-inline'.
"""

import base64
import hashlib
import re
from functools import cache
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_PATH = "/docs/static"
# The assets change only with the fastapi-offline pin; a day of caching spares reloads.
STATIC_CACHE_CONTROL = "public, max-age=86400"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

router = APIRouter(include_in_schema=False)


class CachedStaticFiles(StaticFiles):
    """Static files that browsers may keep for a day (every other answer is `no-store`)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """Serve the file (or its 304/404) with the static files' Cache-Control."""
        response = await super().get_response(path, scope)
        response.headers["cache-control"] = STATIC_CACHE_CONTROL
        return response


@cache
def _docs_page(openapi_url: str, title: str) -> tuple[bytes, str]:
    """The HTML page and its CSP header, built once per app."""
    page = bytes(
        get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} - API docs",
            swagger_js_url=f"{STATIC_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_PATH}/favicon.png",
        ).body
    )
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(page.decode())
    )
    csp = (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
    )
    return page, csp


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    """The Swagger UI page for this API."""
    app: FastAPI = request.app
    page, csp = _docs_page(app.openapi_url or "/openapi.json", app.title)
    return HTMLResponse(page, headers={"Content-Security-Policy": csp})


def install_docs(app: FastAPI) -> None:
    """Add the docs page and its static assets to `app`."""
    assets = Path(str(files("fastapi_offline").joinpath("static")))
    app.mount(STATIC_PATH, CachedStaticFiles(directory=assets), name="docs-static")
    app.include_router(router)
