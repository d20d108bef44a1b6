"""Every error answer is `application/problem+json` (RFC 9457).

https://www.rfc-editor.org/rfc/rfc9457.html
"""

from collections.abc import Sequence
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.core.problems import problem_response


class FieldValidationError(Exception):
    """A 422 raised by code (not by pydantic), e.g. a password equal to the email."""

    def __init__(self, *, field: str, message: str) -> None:
        """Remember which body field is wrong and why."""
        super().__init__(f"{field}: {message}")
        self.errors = [{"field": field, "message": message}]


def field_name(location: Sequence[int | str]) -> str:
    """Name the offending input: a dotted path inside the body, or a parameter's bare name.

    `("body", "items", 0, "name")` becomes `items.0.name`; `("query", "limit")` becomes
    `limit`. An error about the body as a whole has the empty path `""`.
    """
    if location and location[0] == "body":
        return ".".join(str(part) for part in location[1:])
    return ".".join(str(part) for part in location[1:]) or str(location[0])


async def handle_http_exception(_request: Request, exc: Exception) -> Response:
    """401, 403, 404, 405, 409, 429 ... raised anywhere become problem documents."""
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for this type
    status = exc.status_code
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).description
    if status == HTTPStatus.NO_CONTENT or status < HTTPStatus.BAD_REQUEST:
        return Response(status_code=status, headers=exc.headers)
    return problem_response(status, detail, headers=exc.headers)


async def handle_validation_error(_request: Request, exc: Exception) -> Response:
    """Pydantic's errors become a 422 with `errors: [{field, message}]`; bad JSON is a 400.

    A path parameter that is not a valid id (`/tasks/abc`, `/tasks/0`) names no resource, so
    it is a 404 like any id that does not exist, not a 422 (CONTRACT.md, errors).
    """
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for this type
    errors = exc.errors()
    if any(error["loc"] and error["loc"][0] == "path" for error in errors):
        return problem_response(HTTPStatus.NOT_FOUND, "Nothing exists at this path.")
    if any(error["type"] == "json_invalid" for error in errors):
        return problem_response(HTTPStatus.BAD_REQUEST, "The request body is not valid JSON.")
    fields = [
        {"field": field_name(error["loc"]), "message": str(error["msg"])} for error in errors
    ]
    return problem_response(
        HTTPStatus.UNPROCESSABLE_ENTITY, "The request is not valid.", errors=fields
    )


async def handle_field_error(_request: Request, exc: Exception) -> Response:
    """Checks done in code answer exactly like pydantic's."""
    assert isinstance(exc, FieldValidationError)  # noqa: S101 - registered for this type
    return problem_response(
        HTTPStatus.UNPROCESSABLE_ENTITY, "The request is not valid.", errors=exc.errors
    )


def register_error_handlers(app: FastAPI) -> None:
    """Install the handlers above on `app`."""
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(FieldValidationError, handle_field_error)
