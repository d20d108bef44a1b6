"""Problem details (RFC 9457) for every error the API returns.

https://www.rfc-editor.org/rfc/rfc9457
"""

from __future__ import annotations

import json
import math
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse
from rest_framework import exceptions
from rest_framework.settings import api_settings

from .logging import security_event

if TYPE_CHECKING:
    from collections.abc import Iterator

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_body(
    status: int, detail: str, *, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """Build the JSON body of a problem.

    Args:
        status: The HTTP status code.
        detail: A sentence for a human, without internals.
        errors: Field errors of a 422.

    Returns:
        The problem as a dict.
    """
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """Return a problem+json response.

    Args:
        status: The HTTP status code.
        detail: A sentence for a human, without internals.
        errors: Field errors of a 422.
        headers: Extra headers (Retry-After, WWW-Authenticate, Allow).

    Returns:
        The response.
    """
    body = json.dumps(problem_body(status, detail, errors=errors))
    response = HttpResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def field_errors(detail: Any, path: str = "") -> Iterator[dict[str, str]]:
    """Flatten DRF's nested error detail into `{field, message}` items with dotted paths.

    Args:
        detail: `ValidationError.detail`: a dict, a list or a single message.
        path: The dotted path of `detail` inside the body.

    Yields:
        One item per message; errors about the whole body have the field "".
    """
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key)
            if name == api_settings.NON_FIELD_ERRORS_KEY:
                child = path
            else:
                child = f"{path}.{name}" if path else name
            yield from field_errors(value, child)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                yield from field_errors(item, f"{path}.{index}" if path else str(index))
            else:
                yield {"field": path, "message": str(item)}
    else:
        yield {"field": path, "message": str(detail)}


class UnprocessableEntity(exceptions.ValidationError):
    """A 422 about query or path parameters, raised by views themselves."""

    status_code = HTTPStatus.UNPROCESSABLE_ENTITY


class BadRequest(exceptions.APIException):
    """A 400 for a well-formed request the server cannot act on (wrong current password)."""

    status_code = HTTPStatus.BAD_REQUEST
    default_detail = "The request cannot be processed."


class Conflict(exceptions.APIException):
    """A 409: the resource already exists."""

    status_code = HTTPStatus.CONFLICT
    default_detail = "The resource already exists."


class Unauthorized(exceptions.APIException):
    """A 401 from a public endpoint (login, refresh) that has no authentication scheme.

    DRF turns `AuthenticationFailed` into 403 on views without authenticators, so the public
    auth endpoints raise this instead.
    """

    status_code = HTTPStatus.UNAUTHORIZED
    default_detail = "Invalid credentials."


class TooManyRequests(exceptions.APIException):
    """A 429 carrying the number of seconds the client should wait."""

    status_code = HTTPStatus.TOO_MANY_REQUESTS
    default_detail = "Too many attempts. Try again later."

    def __init__(self, retry_after: float) -> None:
        """Remember the wait.

        Args:
            retry_after: Seconds until an attempt may succeed.
        """
        super().__init__()
        self.retry_after = max(1, math.ceil(retry_after))


def exception_handler(exc: Exception, context: dict[str, Any]) -> HttpResponse | None:
    """Turn every exception DRF sees into problem+json; DRF's `EXCEPTION_HANDLER`.

    Unknown exceptions return None, so they reach the last-resort middleware, which logs them
    with an error id.

    Args:
        exc: The exception raised by the view.
        context: DRF's context (view, request).

    Returns:
        The problem response, or None for an unexpected exception.
    """
    if isinstance(exc, RequestDataTooBig):
        return problem_response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "The body is too large.")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = list(field_errors(exc.detail))
        return problem_response(
            HTTPStatus.UNPROCESSABLE_ENTITY, "The request is not valid.", errors=errors
        )
    headers = {}
    if auth_header := getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = str(auth_header)
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, exceptions.PermissionDenied):
        request = context.get("request")
        security_event("authz_fail", path=getattr(request, "path", ""), reason="forbidden")
    detail = exc.detail if isinstance(exc.detail, str) else "The request failed."
    return problem_response(exc.status_code, str(detail), headers=headers)
