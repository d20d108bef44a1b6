"""Every error answer, in one place: RFC 9457 ``application/problem+json``.

Three handlers cover everything: Werkzeug's HTTP exceptions (404, 405, 413, 401...),
APIFlask's errors (422 from schema validation), and, as a last resort, any other exception,
which becomes a generic 500 whose error id is logged with the traceback and shown to the
client instead of it.
https://flask.palletsprojects.com/en/stable/errorhandling/
"""

from __future__ import annotations

import json
import logging
import uuid
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from apiflask import HTTPError
from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import IntegerConverter, Map

if TYPE_CHECKING:
    from collections.abc import Iterable

    from flask import Flask

PROBLEM_JSON = "application/problem+json"

log = logging.getLogger(__name__)


def problem(
    status: int,
    detail: str,
    *,
    headers: Iterable[tuple[str, str]] = (),
    **extra: Any,
) -> Response:
    """Build a problem+json response.

    Args:
        status: The HTTP status code.
        detail: A sentence for the client; never internals.
        headers: Extra headers, such as ``Retry-After`` or ``WWW-Authenticate``.
        **extra: Extension members, such as ``errors`` or ``error_id``.

    Returns:
        The response.
    """
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in headers:
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def field_errors(messages: Any, path: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Flatten marshmallow's nested error messages into ``[{field, message}]``.

    Body fields get their dotted path (``items.0.name``); query and path parameters their
    bare name, because webargs already files each location separately.

    Args:
        messages: marshmallow's messages: dicts keyed by field or index, lists of strings.
        path: The path walked so far.

    Returns:
        One entry per message.
    """
    if isinstance(messages, dict):
        found = []
        for key, value in messages.items():
            step = path if key == "_schema" else (*path, str(key))
            found.extend(field_errors(value, step))
        return found
    if isinstance(messages, list):
        return [error for item in messages for error in field_errors(item, path)]
    return [{"field": ".".join(path), "message": str(messages)}]


class AnySegment(IntegerConverter):
    """Stands in for an ``int`` converter: accepts any path segment, whatever its bounds."""

    regex = r"[^/]+"
    part_isolating = True

    def to_python(self, value: str) -> Any:
        """Keep the segment as it is; only whether a route matches matters."""
        return value


def _route_maps(app: Flask) -> tuple[Map, Map]:
    """Two copies of the app's routes, built once.

    Returns:
        The fixed paths alone, and every path with its ``int`` parameters taking any segment.
    """
    maps: tuple[Map, Map] | None = app.extensions.get("route_maps")
    if maps is None:
        rules = list(app.url_map.iter_rules())
        strict, merge = app.url_map.strict_slashes, app.url_map.merge_slashes
        static = Map(
            [rule.empty() for rule in rules if not rule.arguments],
            strict_slashes=strict,
            merge_slashes=merge,
        )
        loose = Map(
            [rule.empty() for rule in rules],
            converters={"int": AnySegment},
            strict_slashes=strict,
            merge_slashes=merge,
        )
        maps = app.extensions["route_maps"] = (static, loose)
    return maps


def judge_method_first(error: HTTPException) -> HTTPException:
    """Answer a routing failure as the contract does: the method is judged before the id.

    Werkzeug checks a path's parameters before, or while, it checks the method: ``PUT
    /tasks/abc`` is a 404 (no route takes ``abc``), and ``DELETE /tasks/0`` a 405 whose
    ``Allow`` misses DELETE (the DELETE route refused ``0``, the others only the method). The
    contract wants the path judged by its shape: a method ``/tasks/{id}`` lacks is a 405 with
    every method of that path, and a method it has, with an id that names no task, a 404.
    A fixed path (``/tasks/export``) keeps Werkzeug's answer, which is right for it.

    Args:
        error: The 404 or 405 of the routing.

    Returns:
        The exception to answer with.
    """
    if request.url_rule is not None:
        # A view raised it (no such task): the route matched, and the answer stands.
        return error
    static, loose = _route_maps(current_app)
    try:
        static.bind_to_environ(request.environ).match(method=request.method)
    except MethodNotAllowed:
        return error
    except HTTPException:
        pass
    try:
        loose.bind_to_environ(request.environ).match(method=request.method)
    except MethodNotAllowed as wrong_method:
        return wrong_method
    except HTTPException:
        return error
    return NotFound()


def handle_http_exception(error: HTTPException) -> Response:
    """Werkzeug's exceptions: routing, size limit, auth, invalid JSON."""
    if isinstance(error, NotFound | MethodNotAllowed):
        error = judge_method_first(error)
    status = error.code or HTTPStatus.INTERNAL_SERVER_ERROR
    detail = error.description or HTTPStatus(status).description
    if status == HTTPStatus.BAD_REQUEST and getattr(error, "data", None):
        # webargs aborts with 400 and this payload when the body is not JSON.
        detail = "The request body is not valid JSON."
    return problem(status, detail, headers=error.get_headers())


def handle_api_error(error: HTTPError) -> Response:
    """APIFlask's errors; a 422 lists the invalid fields."""
    headers = [(str(name), str(value)) for name, value in dict(error.headers or {}).items()]
    if error.status_code == HTTPStatus.UNPROCESSABLE_ENTITY:
        locations = error.detail if isinstance(error.detail, dict) else {}
        errors = [entry for messages in locations.values() for entry in field_errors(messages)]
        return problem(
            error.status_code,
            "The request has invalid fields.",
            headers=headers,
            errors=errors,
        )
    detail = error.message or HTTPStatus(error.status_code).description
    return problem(error.status_code, detail, headers=headers)


def handle_unexpected(error: Exception) -> Response:
    """Last resort: log the traceback under an id and answer a generic 500."""
    error_id = uuid.uuid4().hex
    log.error(
        "unhandled_error",
        exc_info=error,
        extra={"event": "unhandled_error", "error_id": error_id, "path": request.path},
    )
    return problem(
        HTTPStatus.INTERNAL_SERVER_ERROR,
        f"An unexpected error occurred. Quote error id {error_id} when reporting it.",
        error_id=error_id,
    )


def register_errorhandlers(app: Flask) -> None:
    """Install the three handlers; they replace APIFlask's JSON error bodies."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(HTTPError, handle_api_error)
    app.register_error_handler(Exception, handle_unexpected)
