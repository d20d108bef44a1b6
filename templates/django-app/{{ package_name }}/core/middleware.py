"""Middleware that every answer passes through: request ids, headers, problem+json, size limit.

https://docs.djangoproject.com/en/5.2/topics/http/middleware/
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from http import HTTPStatus
from tempfile import SpooledTemporaryFile
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase

from ..users.throttling import client_address
from .logging import REQUEST_ID
from .problems import PROBLEM_CONTENT_TYPE, problem_response
from .wsgi_body import CHUNK_BYTES, DISCARD_FACTOR, Readable, discard_body

logger = logging.getLogger(__name__)

GetResponse = Callable[[HttpRequest], HttpResponseBase]

# A client may pass its own id for tracing; anything else is replaced by a fresh one.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# API answers load nothing and may not be framed.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI needs its own scripts and styles (served from /static/), its inline <style>,
# data: images, and fetches of /openapi.json.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)
# The Django admin loads its own scripts, styles and images and posts forms to itself.
ADMIN_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# Headers of an error answer that describe its old body; every other one (Allow, Retry-After,
# WWW-Authenticate, CORS, Vary...) still holds for its problem+json version.
BODY_HEADERS = frozenset({"content-type", "content-length", "content-language"})
# Static files are public and change only with a release (CONTRACT.md).
STATIC_CACHE_CONTROL = "public, max-age=86400"


class RequestIdMiddleware:
    """Give each request an id (in the logs and the X-Request-ID header); log one line for it.

    The app writes the access log rather than gunicorn, whose line names the socket's peer:
    behind nginx that is the proxy, not the client the login throttle counts.
    """

    def __init__(self, get_response: GetResponse) -> None:
        """Keep the next handler."""
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """Handle one request inside its request-id context."""
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    # The address the login throttle counts (CONTRACT.md 5).
                    "client": client_address(request),
                },
            )
        finally:
            REQUEST_ID.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SecurityHeadersMiddleware:
    """Add the headers of CONTRACT.md to every answer, errors and static files included."""

    def __init__(self, get_response: GetResponse) -> None:
        """Keep the next handler."""
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL.lstrip("/")
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")
        self.hsts = self._hsts()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """Add the headers the answer does not already carry."""
        response = self.get_response(request)
        path = request.path
        if path == "/docs":
            csp = DOCS_CSP
        elif path.startswith(self.admin_prefix):
            csp = ADMIN_CSP
        else:
            csp = API_CSP
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if self.hsts:
            # Here rather than in Django's SecurityMiddleware, which adds it only to answers of
            # requests it saw as HTTPS and so misses answers made outside it.
            response.headers.setdefault("Strict-Transport-Security", self.hsts)
        # Static files are public and cacheable, and the task reads set their own
        # (core.generics.RevalidatedMixin); every other answer (a failed static request too)
        # may carry user data, so no cache may keep it (CONTRACT.md, section 14).
        found = response.status_code in {HTTPStatus.OK, HTTPStatus.NOT_MODIFIED}
        if path.startswith(self.static_prefix) and found:
            response["Cache-Control"] = STATIC_CACHE_CONTROL
        else:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @staticmethod
    def _hsts() -> str:
        """The Strict-Transport-Security value the settings ask for ("" when off)."""
        if not settings.SECURE_HSTS_SECONDS:
            return ""
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        return value


class ProblemDetailsMiddleware:
    """Make every error answer problem+json, and be the last resort for unhandled exceptions.

    DRF views already answer with problem+json (see `problems.exception_handler`); this turns
    the rest (unknown URLs, the admin's CSRF failure, Django's own 400/404/500 pages) into the
    same shape, whatever DEBUG says.
    """

    def __init__(self, get_response: GetResponse) -> None:
        """Keep the next handler."""
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """Convert an error answer that is not problem+json yet."""
        response = self.get_response(request)
        if response.status_code < HTTPStatus.BAD_REQUEST or self._is_problem(response):
            return response
        if response.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR:
            return self._server_error(None)
        problem = problem_response(response.status_code, self._detail(response.status_code))
        for name, value in response.items():
            if name.lower() not in BODY_HEADERS:
                problem[name] = value
        return problem

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Answer an unhandled exception with a generic 500 and log it under an error id.

        Django's own exceptions (404, 403, 400) are left to Django, whose answer `__call__`
        then converts.
        """
        if isinstance(exception, Http404 | PermissionDenied | SuspiciousOperation | BadRequest):
            return None
        return self._server_error(exception, path=request.path)

    @staticmethod
    def _server_error(exception: Exception | None, path: str = "") -> HttpResponse:
        error_id = uuid.uuid4().hex
        logger.error(
            "unhandled_exception",
            exc_info=exception,
            extra={"error_id": error_id, "path": path},
        )
        detail = f"An unexpected error occurred. Quote error id {error_id} when reporting it."
        response = problem_response(HTTPStatus.INTERNAL_SERVER_ERROR, detail)
        response["X-Error-ID"] = error_id
        return response

    @staticmethod
    def _is_problem(response: HttpResponseBase) -> bool:
        return str(response.get("Content-Type", "")).startswith(PROBLEM_CONTENT_TYPE)

    @staticmethod
    def _detail(status: int) -> str:
        return {
            HTTPStatus.NOT_FOUND: "No resource at this address.",
            HTTPStatus.FORBIDDEN: "You are not allowed to do this.",
            HTTPStatus.METHOD_NOT_ALLOWED: "This method is not allowed here.",
        }.get(HTTPStatus(status), HTTPStatus(status).description)


class BodySizeLimitMiddleware:
    """Refuse bodies over MAX_BODY_BYTES with 413, before anything reads them.

    A view that takes larger bodies (a file upload) names its own limit with a class method
    `max_body_bytes(method)`; the limit is read in `process_view`, once Django has found the
    view, and before the view (and authentication, which DRF does inside it) runs.

    A chunked body (`Transfer-Encoding: chunked`, no Content-Length) has no declared length,
    and Django reads a request without Content-Length as empty: such a body is read here, up
    to the limit, into a temporary file (in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE, on disk
    beyond), and handed to Django as if its length had been declared.
    """

    def __init__(self, get_response: GetResponse) -> None:
        """Keep the next handler."""
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """Let the request through (`process_view` judges its body), then close a spooled body."""
        response = self.get_response(request)
        spooled = getattr(request, "_stream", None)
        if isinstance(spooled, SpooledTemporaryFile):
            spooled.close()
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        _view_args: tuple[Any, ...],
        _view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        """Check the length of the body, declared or read; None lets the view run."""
        limit = self._limit(request, view_func)
        too_large = f"The body is larger than {limit} bytes."
        declared = request.META.get("CONTENT_LENGTH")
        if not declared and self._is_chunked(request):
            stream = request.META["wsgi.input"]
            body, length = self._spool_at_most(stream, limit + 1)
            if length > limit:
                body.close()
                discard_body(stream, DISCARD_FACTOR * limit, limit)
                return problem_response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, too_large)
            request.META["CONTENT_LENGTH"] = str(length)
            # Django made its body stream from the missing Content-Length (an empty one).
            request._stream = cast("BinaryIO", body)  # noqa: SLF001 -- no public way to set it
            return None
        try:
            length = int(declared or 0)
        except ValueError:
            return problem_response(HTTPStatus.BAD_REQUEST, "Content-Length is not a number.")
        if length > limit:
            discard_body(request.META["wsgi.input"], length, limit)
            return problem_response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, too_large)
        return None

    @staticmethod
    def _limit(request: HttpRequest, view_func: Callable[..., HttpResponseBase]) -> int:
        """MAX_BODY_BYTES, unless the view names a limit of its own for this method."""
        view_limit = getattr(getattr(view_func, "view_class", None), "max_body_bytes", None)
        if view_limit is None:
            return int(settings.MAX_BODY_BYTES)
        return int(view_limit(request.method))

    @staticmethod
    def _is_chunked(request: HttpRequest) -> bool:
        codings = request.headers.get("Transfer-Encoding", "").lower().split(",")
        return "chunked" in (coding.strip() for coding in codings)

    @staticmethod
    def _spool_at_most(stream: Readable, size: int) -> tuple[SpooledTemporaryFile[bytes], int]:
        """Copy up to `size` bytes of a WSGI input (which may return fewer per call).

        Returns:
            The copy, at its start, and its length.
        """
        # Closed by __call__ once the answer is made.
        body = SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
        length = 0
        while length < size:
            chunk = stream.read(min(size - length, CHUNK_BYTES))
            if not chunk:
                break
            body.write(chunk)
            length += len(chunk)
        body.seek(0)
        return body, length


class MethodsMiddleware:
    """HEAD, OPTIONS and 405 the same on every route of a class-based view (CONTRACT.md).

    - A method the path's view lacks is a 405 with `Allow`, before the view runs (so before
      authentication, which DRF does inside the view).
    - OPTIONS that is not a CORS preflight is 204 with `Allow` and no body.
    - HEAD runs the GET (Django's views do that) and drops the body, keeping its headers.
    - `Allow` names its methods in alphabetical order, on a 405 or an OPTIONS answer only
      (DRF adds one to each answer of its views), no 204 has a `Content-Type` and no 304 a
      `Content-Length`.
    Paths that do not resolve (404) and function views (the admin) are left alone.

    The view is read in `process_view`, from the resolution Django makes for every request
    anyway: resolving the path a second time here cost more than the rest of this class.
    https://docs.djangoproject.com/en/5.2/topics/http/middleware/#process-view
    """

    def __init__(self, get_response: GetResponse) -> None:
        """Keep the next handler."""
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """Strip the body of the answer to a HEAD its view allows, keeping its headers."""
        response = self.get_response(request)
        if response.status_code != HTTPStatus.METHOD_NOT_ALLOWED and request.method != "OPTIONS":
            # DRF adds Allow to every answer of its views; the contract keeps it for these two.
            del response["Allow"]
        elif "Allow" in response:
            methods = {method.strip() for method in response["Allow"].split(",")}
            response["Allow"] = ", ".join(sorted(methods))
        if response.status_code == HTTPStatus.NO_CONTENT:
            del response["Content-Type"]
        if response.status_code == HTTPStatus.NOT_MODIFIED:
            # CommonMiddleware measured the 304's empty body; RFC 9110 (8.6) allows a 304 only
            # the length of the 200 it stands for, so it gets none (CONTRACT.md, section 14).
            del response["Content-Length"]
            return response
        if request.method == "HEAD" and isinstance(response, HttpResponse):
            match = request.resolver_match
            allowed = self._allowed_methods(match.func) if match else None
            if allowed and "HEAD" in allowed:
                # The headers of the GET, Content-Length included, and no body (RFC 9110, 9.3.2).
                response.headers.setdefault("Content-Length", str(len(response.content)))
                response.content = b""
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        _view_args: tuple[Any, ...],
        _view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        """Answer OPTIONS and methods the view lacks; None lets the view answer."""
        allowed = self._allowed_methods(view_func)
        if allowed is None or self._is_preflight(request):
            return None
        allow = ", ".join(allowed)
        if request.method not in allowed:
            detail = "This method is not allowed here."
            return problem_response(
                HTTPStatus.METHOD_NOT_ALLOWED, detail, headers={"Allow": allow}
            )
        if request.method == "OPTIONS":
            options = HttpResponse(status=HTTPStatus.NO_CONTENT)
            options["Allow"] = allow
            return options
        return None

    @staticmethod
    def _allowed_methods(view_func: Callable[..., HttpResponseBase]) -> list[str] | None:
        """The methods of a class-based view, or None for a function view."""
        view_class = getattr(view_func, "view_class", None)
        if view_class is None:
            return None
        methods = {
            name.upper() for name in view_class.http_method_names if hasattr(view_class, name)
        }
        if "GET" in methods:
            methods.add("HEAD")
        methods.add("OPTIONS")
        return sorted(methods)

    @staticmethod
    def _is_preflight(request: HttpRequest) -> bool:
        return (
            request.method == "OPTIONS"
            and "Origin" in request.headers
            and "Access-Control-Request-Method" in request.headers
        )
