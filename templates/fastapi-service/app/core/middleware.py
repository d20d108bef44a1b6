"""Pure ASGI middleware: security headers, request ids and logs, the 500 boundary, body limit,
and the HTTP method rules (HEAD, OPTIONS, 405 with Allow).

Written against the ASGI interface rather than Starlette's `BaseHTTPMiddleware`, which wraps
every request in extra tasks and streams and costs a large share of throughput.
https://www.starlette.io/middleware/#pure-asgi-middleware
"""

import logging
import re
import time
import uuid
from http import HTTPStatus

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.routing import Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import Settings
from app.core.logging import request_id_var
from app.core.problems import PROBLEM_JSON, problem_body

logger = logging.getLogger("app.request")

# OWASP Secure Headers Project values; the docs page sets its own, looser CSP.
# https://owasp.org/www-project-secure-headers/
API_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"
BASE_HEADERS = (
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("content-security-policy", API_CSP),
    # Answers may carry personal data; no browser or proxy should keep a copy.
    ("cache-control", "no-store"),
)
# A client-supplied request id is reused only if it is short and harmless in a log line.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class SecurityHeadersMiddleware:
    """Adds the CONTRACT.md headers to every HTTP answer (errors included) unless already set."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        """Wrap `app`; `hsts` adds Strict-Transport-Security (production, behind HTTPS)."""
        self.app = app
        self.headers = (
            (*BASE_HEADERS, ("strict-transport-security", HSTS)) if hsts else BASE_HEADERS
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add headers to the response start message."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestContextMiddleware:
    """Gives each request an id, logs one line per request, and is the last-resort 500 handler.

    Unhandled exceptions are caught here rather than in Starlette's ServerErrorMiddleware so
    the generic answer still passes through the security-headers middleware, and the traceback
    goes to the log (with an error id the client also sees) but never to the client.
    """

    def __init__(self, app: ASGIApp) -> None:
        """Wrap `app`."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request inside a logging context."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self._request_id(scope)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = HTTPStatus.INTERNAL_SERVER_ERROR.value
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message).append("x-request-id", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_id = uuid.uuid4().hex
            logger.exception("unhandled_error", extra={"error_id": error_id})
            if not response_started:
                await self._send_500(send_with_id, error_id)
        finally:
            logger.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id_var.reset(token)

    @staticmethod
    def _request_id(scope: Scope) -> str:
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                candidate: str = value.decode("latin-1")
                if _SAFE_REQUEST_ID.fullmatch(candidate):
                    return candidate
        return uuid.uuid4().hex

    @staticmethod
    async def _send_500(send: Send, error_id: str) -> None:
        status = HTTPStatus.INTERNAL_SERVER_ERROR
        body = problem_body(
            status,
            f"An unexpected error occurred. Quote error id {error_id} when reporting it.",
            error_id=error_id,
        )
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", b"%d" % len(body)),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class BodySizeLimitMiddleware:
    """Answers 413 to request bodies larger than `max_bytes` before the app parses them."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        """Wrap `app` with a limit of `max_bytes` per request body."""
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check Content-Length up front, and count streamed bytes for chunked bodies."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._send_413(send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI lets HTTPException raised while reading the body through to the
                    # problem+json handler.
                    raise HTTPException(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, self._detail())
            return message

        await self.app(scope, limited_receive, send)

    def _detail(self) -> str:
        return f"The request body is larger than {self.max_bytes} bytes."

    async def _send_413(self, send: Send) -> None:
        body = problem_body(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, self._detail())
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", b"%d" % len(body)),
        ]
        start = {"type": "http.response.start", "status": 413, "headers": headers}
        await send(start)
        await send({"type": "http.response.body", "body": body})


class MethodsMiddleware:
    """HEAD, OPTIONS and 405 the same way on every route (CONTRACT.md, HTTP; RFC 9110, 9.3).

    FastAPI routes answer only the methods they declare, each method being its own route, so
    out of the box HEAD and OPTIONS are 405 and a 405's `Allow` names one route's method,
    not the path's. Here, for a request whose path belongs to a route (the first route
    template that matches, as the router dispatches):

    - a method the path lacks is 405 problem+json with `Allow` listing all the path's methods,
      even when a parameter in the path is malformed;
    - OPTIONS is 204 with that `Allow` (CORS preflights are answered before this, by the CORS
      middleware, when CORS_ORIGINS is set);
    - HEAD is served by the GET route, with the GET's status and headers and no body.

    Paths no route knows, and mounted apps (the docs' static files), pass through untouched.
    """

    def __init__(self, app: ASGIApp, *, router: Router) -> None:
        """Wrap `app`; the routes of `router` are read on the first request (all added by then)."""
        self.app = app
        self.router = router
        self._templates: list[tuple[re.Pattern[str], frozenset[str] | None]] | None = None

    def _route_templates(self) -> list[tuple[re.Pattern[str], frozenset[str] | None]]:
        """Each path template once, in dispatch order, with the methods of all its routes.

        Mounted apps get None: they answer every method themselves. FastAPI keeps included
        routers as nested objects; `iter_route_contexts` walks them as the OpenAPI code does.
        """
        if self._templates is None:
            regexes: dict[str, re.Pattern[str]] = {}
            methods: dict[str, set[str]] = {}
            mounted: set[str] = set()
            for route in iter_route_contexts(self.router.routes):
                if route.path is None:
                    continue
                regexes.setdefault(route.path, route.path_regex)
                if route.methods is None:
                    mounted.add(route.path)
                else:
                    methods.setdefault(route.path, set()).update(route.methods)
            self._templates = [
                (regex, None if path in mounted else self._allow(methods[path]))
                for path, regex in regexes.items()
            ]
        return self._templates

    @staticmethod
    def _allow(methods: set[str]) -> frozenset[str]:
        allowed = set(methods) | {"OPTIONS"}
        if "GET" in allowed:
            allowed.add("HEAD")
        return frozenset(allowed)

    def allowed_methods(self, path: str) -> frozenset[str] | None:
        """The methods of the route template `path` falls under, or None (unknown, mounted)."""
        for regex, methods in self._route_templates():
            if regex.match(path):
                return methods
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer OPTIONS and 405 here; serve HEAD with the GET route; pass the rest on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        allowed = self.allowed_methods(scope["path"])
        method = scope["method"]
        if allowed is None or (method in allowed and method not in {"OPTIONS", "HEAD"}):
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(allowed))
        if method == "OPTIONS":
            await send(
                {
                    "type": "http.response.start",
                    "status": HTTPStatus.NO_CONTENT,
                    "headers": [(b"allow", allow.encode())],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        if method not in allowed:
            await self._send_405(send, method, allow)
            return
        await self.app({**scope, "method": "GET"}, receive, self._without_body(send))

    @staticmethod
    def _without_body(send: Send) -> Send:
        """Pass the GET's status and headers (Content-Length included) on, drop its body."""

        async def send_head(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        return send_head

    @staticmethod
    async def _send_405(send: Send, method: str, allow: str) -> None:
        body = problem_body(
            HTTPStatus.METHOD_NOT_ALLOWED,
            f"This path does not accept {method}; the Allow header lists what it accepts.",
        )
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", b"%d" % len(body)),
            (b"allow", allow.encode()),
        ]
        await send({"type": "http.response.start", "status": 405, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class StrictCORSMiddleware(CORSMiddleware):
    """Starlette's CORS middleware, minus the grant headers on a refused preflight.

    Starlette answers a preflight from an unlisted origin with 400 but still lists the allowed
    methods and headers; CONTRACT.md wants no `Access-Control-Allow-*` header at all then.
    """

    def preflight_response(self, request_headers: Headers) -> Response:
        """Answer the preflight; strip every grant header when the origin was refused."""
        response = super().preflight_response(request_headers)
        if response.status_code != HTTPStatus.OK:
            for name in [key for key in response.headers if key.startswith("access-control-")]:
                del response.headers[name]
        return response


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Add the middleware stack. Each `add_middleware` wraps the previous ones, so the last
    one added sees a request first: security headers, then request context, CORS, the method
    rules, body limit.
    """
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(MethodsMiddleware, router=app.router)
    if settings.cors_origins:
        # Exact origins only and no credentials: the API uses bearer tokens, not cookies.
        app.add_middleware(
            StrictCORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["Location", "Retry-After", "X-Request-ID", "Content-Disposition"],
            max_age=600,
        )
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.is_production)
