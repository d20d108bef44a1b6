"""Request hooks: request id, early size check, and the security headers of every answer.

The headers are set in one ``after_request`` function so that no route, error page or docs
asset can miss them (OWASP ASVS 14.4).
https://flask.palletsprojects.com/en/stable/api/#flask.Flask.after_request
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import TYPE_CHECKING

from flask import current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from .wsgi_body import discard_body

if TYPE_CHECKING:
    from flask import Flask, Response

log = logging.getLogger(__name__)

# A client's own request id is kept only when it cannot smuggle anything into logs.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")

API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI needs its own scripts and styles, images as data: URLs, and to fetch the
# OpenAPI document; nothing else, and nothing from another origin.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def start_request() -> None:
    """Give the request an id and refuse an oversized body before anything reads it."""
    g.started = time.perf_counter()
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID_PATTERN.fullmatch(incoming) else uuid.uuid4().hex
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    length = request.content_length
    if length is not None and length > limit:
        discard_body(request.environ["wsgi.input"], length, limit)
        raise RequestEntityTooLarge


def secure_headers(response: Response) -> Response:
    """Add the contract's security headers to every response."""
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    docs = request.blueprint == "docs"
    headers["Content-Security-Policy"] = DOCS_CSP if docs else API_CSP
    if not docs:
        # Answers may carry user data; no cache, shared or private, may keep them.
        headers["Cache-Control"] = "no-store"
    if current_app.config["HTTPS_ENFORCED"]:
        headers["Strict-Transport-Security"] = HSTS
    headers.remove("Server")
    headers["X-Request-ID"] = g.get("request_id", "")
    return response


def log_request(response: Response) -> Response:
    """Write one access-log line per request."""
    started = g.get("started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    log.info(
        "request",
        extra={
            "event": "request",
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
        },
    )
    return response


def register_hooks(app: Flask) -> None:
    """Install the hooks on ``app``; ``start_request`` runs before authentication."""
    app.before_request(start_request)
    app.after_request(secure_headers)
    app.after_request(log_request)
