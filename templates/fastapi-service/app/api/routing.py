"""The route class of every router: how a JSON body is read, and when it is judged.

Python's `json` parser recurses, so a small body of a few thousand `[` exhausts the stack
before any validation runs; bodies nested deeper than 32 levels are refused with 400 instead
(CONTRACT.md, request bodies), with one short log line. A body that is not `application/json`
is a 415, and one that is not JSON a 400.

FastAPI reads the body before it solves a route's dependencies, so it would answer those 400s
to a caller with no token at all. CONTRACT.md's order of the checks puts the access token
first (a stranger's body is never judged) and the object a path names last, so what reading
the body found is kept on the request and raised by `judge_body`, the route's last
dependency: after authentication, before the fields (FastAPI raises field errors once every
dependency is solved) and before the view looks anything up. FastAPI's documented way to
change how a request is read is a custom `Request` and `APIRoute`:
https://fastapi.tiangolo.com/how-to/custom-request-and-route/
"""

import logging
from collections.abc import Callable, Coroutine, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import Depends, HTTPException, Request, params
from fastapi.routing import APIRoute
from starlette.responses import Response

from app.core.json_depth import JsonTooDeepError, loads

logger = logging.getLogger("app.request")

JSON = "application/json"
NOT_JSON = "The request body is not valid JSON."


def _defer(request: Request, status: HTTPStatus, detail: str) -> None:
    """Keep the first problem found in the body for `judge_body` to raise."""
    if getattr(request.state, "body_problem", None) is None:
        request.state.body_problem = HTTPException(status, detail)


async def judge_body(request: Request) -> None:
    """Raise what reading the body found; the last dependency of every `LimitedRoute`."""
    problem = getattr(request.state, "body_problem", None)
    if problem is not None:
        raise problem


class DepthLimitedRequest(Request):
    """A request whose `json()` refuses documents nested deeper than the limit."""

    async def json(self) -> Any:
        """Parse the body once; a body that is too deep or not JSON is judged later."""
        if not hasattr(self, "_json"):
            self._json = None
            try:
                self._json = loads(await self.body())
            except JsonTooDeepError as error:
                # A warning, not an error: the client sent something silly; nothing failed.
                logger.warning("json_too_deep", extra={"limit": error.limit})
                detail = f"The request body is nested too deeply (over {error.limit} levels)."
                _defer(self, HTTPStatus.BAD_REQUEST, detail)
            except ValueError:  # json.JSONDecodeError, or bytes that are not UTF-8
                _defer(self, HTTPStatus.BAD_REQUEST, NOT_JSON)
        return self._json


class LimitedRoute(APIRoute):
    """An `APIRoute` that reads its body through `DepthLimitedRequest` and judges it last."""

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        dependencies: Sequence[params.Depends] | None = None,
        **kwargs: Any,
    ) -> None:
        """Add `judge_body` after the router's and the route's own dependencies."""
        judged = [*(dependencies or [])]
        if not any(depends.dependency is judge_body for depends in judged):
            judged.append(Depends(judge_body))
        super().__init__(path, endpoint, dependencies=judged, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler so it reads the body through `DepthLimitedRequest`."""
        handler = super().get_route_handler()
        takes_json = self.body_field is not None

        async def limited_handler(request: Request) -> Response:
            limited = DepthLimitedRequest(request.scope, request.receive)
            if takes_json:
                media_type = limited.headers.get("content-type", "").split(";")[0]
                if media_type.strip().lower() != JSON and await limited.body():
                    sent = media_type.strip() or "no Content-Type"
                    detail = f"The body must be {JSON}, not {sent}."
                    _defer(limited, HTTPStatus.UNSUPPORTED_MEDIA_TYPE, detail)
            return await handler(limited)

        return limited_handler
