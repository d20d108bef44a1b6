"""Request hooks: request id, body checks, and the security headers of every answer.

The headers are set in one ``after_request`` function so that no route, error page or docs
asset can miss them (OWASP ASVS 14.4).
https://flask.palletsprojects.com/en/stable/api/#flask.Flask.after_request
"""

from __future__ import annotations

import logging
import re
import tempfile
import time
import uuid
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar

from apiflask import HTTPError
from flask import Request, current_app, g, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from .conditional import REVALIDATE, is_revalidated
from .json_depth import MAX_JSON_DEPTH, JsonTooDeepError, loads
from .throttle import client_address
from .wsgi_body import CHUNK_BYTES, DISCARD_FACTOR, discard_body

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import IO

    from flask import Flask, Response

log = logging.getLogger(__name__)

ViewT = TypeVar("ViewT", bound="Callable[..., Any]")

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
# Files that are the same for everyone (the docs page's assets) may be cached for a day.
STATIC_ENDPOINTS = frozenset({"static", "docs.asset"})
STATIC_CACHE = "public, max-age=86400"


TOO_DEEP = f"The request body is nested too deeply (more than {MAX_JSON_DEPTH} levels)."
JSON = "application/json"
MULTIPART = "multipart/form-data"
# A chunked body is kept in memory up to this size, in a temporary file beyond (as Werkzeug
# spools uploaded files).
SPOOL_BYTES = 500 * 1024
NO_BODY = "A JSON body is required."


def body_limit(limit: Callable[[Mapping[str, Any]], int]) -> Callable[[ViewT], ViewT]:
    """Give one view a body limit of its own instead of ``MAX_BODY_BYTES``.

    Args:
        limit: Computes the limit in bytes from the app's config (read at each request, so
            that a test's app with other settings gets its own).

    Returns:
        A decorator that marks the view; :func:`start_request` applies the limit.
    """

    def mark(view: ViewT) -> ViewT:
        view.body_limit = limit  # type: ignore[attr-defined]
        return view

    return mark


def request_body_limit() -> int:
    """The largest body this request may have: its view's own limit, or ``MAX_BODY_BYTES``."""
    view = current_app.view_functions.get(request.endpoint or "")
    own: Callable[[Mapping[str, Any]], int] | None = getattr(view, "body_limit", None)
    if own is None:
        limit: int = current_app.config["MAX_CONTENT_LENGTH"]
        return limit
    return own(current_app.config)


def start_request() -> None:
    """Give the request an id and refuse an oversized body before anything reads it."""
    g.started = time.perf_counter()
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID_PATTERN.fullmatch(incoming) else uuid.uuid4().hex
    limit = request_body_limit()
    # Werkzeug's own limit, which its form parser also applies, follows the view's.
    request.max_content_length = limit
    length = request.content_length
    if length is not None and length > limit:
        discard_body(request.environ["wsgi.input"], length, limit)
        raise RequestEntityTooLarge
    if length is None and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        read_chunked_body(limit)


def read_chunked_body(limit: int) -> None:
    """Read a body sent without a length (``Transfer-Encoding: chunked``), up to ``limit``.

    Werkzeug reads such a body only when the server says it ends it (``wsgi.input_terminated``,
    as gunicorn does), and then stops silently at the limit, handing the app a truncated body.
    Read here instead: a body over the limit is a 413 like one with a ``Content-Length``, and
    one within it is handed on with its length, like any other. It is kept in memory up to
    ``SPOOL_BYTES`` and in a temporary file beyond, as Werkzeug keeps uploaded files.

    Args:
        limit: The request's body limit (:func:`request_body_limit`).

    Raises:
        RequestEntityTooLarge: The body is longer than ``limit``.
    """
    environ = request.environ
    if "wsgi.input_terminated" not in environ:
        # Without the server's word that the stream ends, reading it could wait forever.
        return
    stream = environ["wsgi.input"]
    # Closed when the request ends (close_spooled_body).
    received = g.spooled_body = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    size = 0
    while size <= limit:
        chunk = stream.read(min(CHUNK_BYTES, limit + 1 - size))
        if not chunk:
            break
        received.write(chunk)
        size += len(chunk)
    if size > limit:
        received.close()
        discard_body(stream, DISCARD_FACTOR * limit, limit)
        raise RequestEntityTooLarge
    received.seek(0)
    environ["wsgi.input"] = received
    environ["CONTENT_LENGTH"] = str(size)


class ClosingRequest(Request):
    """Flask's request, closing every file Werkzeug spools while it parses a multipart body.

    Werkzeug closes the files in ``request.files`` when the request ends, but not the one it
    was writing when a body stopped in the middle of a part (a malformed body, a client gone):
    that one would hold its temporary file until the garbage collector found it.
    """

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        """Werkzeug's spooled file for one part, remembered so that ``close`` can close it."""
        stream = super()._get_file_stream(
            total_content_length, content_type, filename, content_length
        )
        self.__dict__.setdefault("spooled_parts", []).append(stream)
        return stream

    def close(self) -> None:
        """Close what Werkzeug closes, then every part's file (closing twice is harmless)."""
        super().close()
        for stream in self.__dict__.get("spooled_parts", ()):
            stream.close()


def close_spooled_body(_error: BaseException | None) -> None:
    """Close the temporary file :func:`read_chunked_body` kept the body in, if any."""
    spooled = g.pop("spooled_body", None)
    if spooled is not None:
        spooled.close()


def require_the_body_type() -> None:
    """A route that reads a body takes it in the media type its ``@input`` declared.

    Raises:
        UnsupportedMediaType: A ``multipart/form-data`` route got another type.
    """
    if request.method == "OPTIONS":
        return
    view = current_app.view_functions.get(request.endpoint or "")
    declared = getattr(view, "_spec", {}).get("content_type")
    if declared == MULTIPART and request.mimetype != MULTIPART:
        sent = request.mimetype or "no Content-Type"
        raise UnsupportedMediaType(description=f"The body must be {MULTIPART}, not {sent}.")
    require_a_json_body()


def require_a_json_body() -> None:
    """A JSON route needs a body, and one of type ``application/json`` (CONTRACT.md, bodies).

    webargs reads a missing body, and a body of another type, as ``{}``: a ``PATCH`` would
    change nothing and answer 200, a ``POST`` name every required field. The contract says
    what is really wrong instead: no body is a 422 about the whole body (field ``""``), and
    a body of another type a 415. Only ``application/json`` is JSON here, not the ``+json``
    types webargs would also take. APIFlask records the media type a view declared with
    ``@input`` in ``_spec``, the record it builds the OpenAPI document from, so a route that
    takes another type (or no body) is left alone.

    Raises:
        HTTPError: The route reads JSON and the request has no body (422).
        UnsupportedMediaType: The route reads JSON and the body is of another type.
    """
    if request.method == "OPTIONS":
        # Flask answers it itself, without the view, even on a route whose view reads JSON.
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "_spec", {}).get("content_type") != JSON:
        return
    # The chunked reader of start_request has spooled the body already; nothing is read twice.
    if not request.get_data(cache=True):
        raise HTTPError(HTTPStatus.UNPROCESSABLE_ENTITY, detail={"json": {"": [NO_BODY]}})
    if request.mimetype != JSON:
        sent = request.mimetype or "no Content-Type"
        raise UnsupportedMediaType(description=f"The body must be {JSON}, not {sent}.")


def refuse_deep_json() -> None:
    """Refuse a JSON body nested deeper than the contract allows, before a parser recurses.

    Python's JSON parser recurses once per level and exhausts the stack on a few thousand
    ``[``; a body with fewer opening brackets than the limit cannot be too deep, so only
    the rare others are parsed here, with the depth check of :mod:`.json_depth`. Invalid
    JSON is left to the view's parser, which answers 400 with its own message.

    Raises:
        BadRequest: The body is nested too deeply.
    """
    if not request.is_json:
        return
    body = request.get_data(cache=True)
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return
    try:
        loads(body)
    except JsonTooDeepError as error:
        log.warning("request_too_deep", extra={"event": "request_too_deep", "path": request.path})
        raise BadRequest(description=TOO_DEEP) from error
    except ValueError:
        return


def secure_headers(response: Response) -> Response:
    """Add the contract's security headers to every response."""
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    docs = request.blueprint == "docs"
    # A set of pages with a policy of its own (the admin site, when there is one) names it in
    # ``g.content_security_policy``.
    headers["Content-Security-Policy"] = g.get("content_security_policy") or (
        DOCS_CSP if docs else API_CSP
    )
    # CONTRACT.md, section 14.
    if request.endpoint in STATIC_ENDPOINTS and response.status_code == HTTPStatus.OK:
        # The docs page's scripts and styles: the same bytes for everyone until an upgrade.
        headers["Cache-Control"] = STATIC_CACHE
    elif is_revalidated(response):
        # A task read with its ETag: the client keeps it and asks again with the tag.
        headers["Cache-Control"] = REVALIDATE
    else:
        # Answers may carry user data; no cache, shared or private, may keep them.
        headers["Cache-Control"] = "no-store"
    if current_app.config["HTTPS_ENFORCED"]:
        headers["Strict-Transport-Security"] = HSTS
    headers.remove("Server")
    headers["X-Request-ID"] = g.get("request_id", "")
    return response


def answer_options(response: Response) -> Response:
    """Answer a plain ``OPTIONS`` 204, and give every 204 and ``Allow`` the contract's form.

    Flask answers ``OPTIONS`` itself, 200 with an empty body; the contract says 204, which
    tells the client there is no content to read. A CORS preflight is left to flask-cors.
    A 204 then loses the ``Content-Type`` Flask's response classes always set (there is no
    content to have a type), and ``Allow`` is sorted: Werkzeug lists a rule's methods in the
    order of a Python set, which changes from one process to the next.
    """
    if (
        request.method == "OPTIONS"
        and "Access-Control-Request-Method" not in request.headers
        and response.status_code == HTTPStatus.OK
        and "Allow" in response.headers
    ):
        response.status_code = HTTPStatus.NO_CONTENT
    if response.status_code == HTTPStatus.NO_CONTENT:
        response.set_data(b"")
        # RFC 9110 section 8.6: no Content-Length on a 204; CONTRACT.md: no Content-Type.
        del response.headers["Content-Length"]
        del response.headers["Content-Type"]
    if "Allow" in response.headers:
        methods = {method.strip() for method in response.headers["Allow"].split(",")}
        response.headers["Allow"] = ", ".join(sorted(methods))
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
            # The address the login throttle counts, not the proxy's (CONTRACT.md 5).
            "client": client_address(),
        },
    )
    return response


def register_hooks(app: Flask) -> None:
    """Install the hooks on ``app``; ``start_request`` runs before authentication."""
    app.request_class = ClosingRequest
    app.before_request(start_request)
    app.after_request(answer_options)
    app.after_request(secure_headers)
    app.after_request(log_request)
    app.teardown_request(close_spooled_body)


def register_body_checks(app: Flask) -> None:
    """Judge the body's media type, then its depth; installed after authentication.

    CONTRACT.md's order of the checks: the access token first, so a stranger's body is never
    parsed, then 415, then 400, and the fields (422) in the view's ``@input``.
    """
    app.before_request(require_the_body_type)
    app.before_request(refuse_deep_json)
