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


def _loose_map(app: Flask) -> Map:
    """The app's routes with every ``int`` parameter accepting anything (built once)."""
    loose: Map | None = app.extensions.get("loose_url_map")
    if loose is None:
        loose = Map(
            [rule.empty() for rule in app.url_map.iter_rules()],
            converters={"int": AnySegment},
            strict_slashes=app.url_map.strict_slashes,
            merge_slashes=app.url_map.merge_slashes,
        )
        app.extensions["loose_url_map"] = loose
    return loose


def method_not_allowed_instead(error: NotFound) -> HTTPException:
    """Turn a routing 404 into a 405 when the path exists, only not with this method.

    A path whose id is malformed (``/tasks/abc``) matches no route, so Werkzeug answers 404
    whatever the method. The contract judges the method first: ``PUT /tasks/abc`` is a 405
    with the ``Allow`` of ``/tasks/{id}``, while ``GET /tasks/abc`` stays a 404.

    Args:
        error: The 404 of the routing.

    Returns:
        A :class:`MethodNotAllowed` listing the path's methods, or ``error`` itself.
    """
    if request.url_rule is not None:
        # A view raised the 404 (no such task): the route matched.
        return error
    adapter = _loose_map(current_app).bind_to_environ(request.environ)
    try:
        adapter.match(method=request.method)
    except MethodNotAllowed as wrong_method:
        return wrong_method
    except HTTPException:
        return error
    return error


def handle_http_exception(error: HTTPException) -> Response:
    """Werkzeug's exceptions: routing, size limit, auth, invalid JSON."""
    if isinstance(error, NotFound):
        error = method_not_allowed_instead(error)
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
