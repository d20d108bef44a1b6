"""The route class of every router: JSON bodies are parsed with a nesting limit.

Python's `json` parser recurses, so a small body of a few thousand `[` exhausts the stack
before any validation runs; bodies nested deeper than 32 levels are refused with 400 instead
(CONTRACT.md, request bodies), with one short log line. FastAPI's documented way to change
how a request is read is a custom `Request` and `APIRoute`:
https://fastapi.tiangolo.com/how-to/custom-request-and-route/
"""

import logging
from collections.abc import Callable, Coroutine
from http import HTTPStatus
from typing import Any

from fastapi import HTTPException, Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from app.core.json_depth import JsonTooDeepError, loads

logger = logging.getLogger("app.request")


class DepthLimitedRequest(Request):
    """A request whose `json()` refuses documents nested deeper than the limit."""

    async def json(self) -> Any:
        """Parse the body once, refusing a too-deep document with a 400 problem."""
        if not hasattr(self, "_json"):
            try:
                self._json = loads(await self.body())
            except JsonTooDeepError as error:
                # A warning, not an error: the client sent something silly; nothing failed.
                logger.warning("json_too_deep", extra={"limit": error.limit})
                detail = f"The request body is nested too deeply (over {error.limit} levels)."
                raise HTTPException(HTTPStatus.BAD_REQUEST, detail) from None
        return self._json


class LimitedRoute(APIRoute):
    """An `APIRoute` that hands its handler a `DepthLimitedRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler so it reads the body through `DepthLimitedRequest`."""
        handler = super().get_route_handler()

        async def limited_handler(request: Request) -> Response:
            return await handler(DepthLimitedRequest(request.scope, request.receive))

        return limited_handler
