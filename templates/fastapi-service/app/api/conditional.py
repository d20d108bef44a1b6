"""Conditional GETs: the task reads a client may keep and revalidate (CONTRACT.md, section 14).

FastAPI has no built-in for them, so this module is the one place. `RevalidatedRoute` is the
route class of the tasks router; every `GET` of that router that answers a `response_model`
(the task and the list, not the export, which is a file) is revalidated:

- its 200 gets a strong `ETag` hashed from the body FastAPI serialised, `Cache-Control:
  private, no-cache` and `Vary: Authorization`;
- a request whose `If-None-Match` names the tag gets a 304 with those headers and no body.

The handler runs first, so the token (401), the query (422) and the task (404) are judged
before a tag is looked at: their errors are raised past this code and never become a 304.
Every other answer keeps the `no-store` of `SecurityHeadersMiddleware`. A custom route class
is FastAPI's documented way to act on a route's response:
https://fastapi.tiangolo.com/how-to/custom-request-and-route/
"""

import hashlib
import re
from collections.abc import Callable, Coroutine
from http import HTTPStatus
from typing import Any

from fastapi import Request
from starlette.responses import Response

from app.api.routing import LimitedRoute

# The client may store the answer but must ask again before using it; shared caches may not.
REVALIDATE = "private, no-cache"
NOT_MODIFIED = "Not modified: the If-None-Match tag is the current ETag"
# One entity tag of an If-None-Match list, weak or strong; group 1 is its opaque part.
ENTITY_TAG = re.compile(r'(?:W/)?"([^"]*)"')


def body_etag(body: bytes | memoryview) -> str:
    """A strong entity tag for `body`: the same bytes always get the same tag."""
    return f'"{hashlib.sha256(body).hexdigest()}"'


def none_match(if_none_match: str, etag: str) -> bool:
    """Whether an `If-None-Match` value names `etag`.

    The comparison is weak (RFC 9110, section 13.1.2): `W/"x"` matches `"x"`, which is what a
    client sends back when nginx weakened the tag as it compressed the body. A list matches
    when one of its tags does, and `*` matches any.
    """
    if if_none_match.strip() == "*":
        return True
    return etag.strip('"') in ENTITY_TAG.findall(if_none_match)


class RevalidatedRoute(LimitedRoute):
    """A `LimitedRoute` whose JSON `GET` answers carry an `ETag` and may be a 304."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        """Build the route; a revalidated one documents its 304 in the OpenAPI document."""
        super().__init__(path, endpoint, **kwargs)
        if self.revalidated:
            self.responses = {
                **self.responses,
                HTTPStatus.NOT_MODIFIED.value: {"description": NOT_MODIFIED},
            }

    @property
    def revalidated(self) -> bool:
        """Whether this is a JSON read: a `GET` that answers its `response_model`."""
        return "GET" in (self.methods or ()) and self.response_model is not None

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the handler of a revalidated route in the conditional rules."""
        handler = super().get_route_handler()
        if not self.revalidated:
            return handler

        async def conditional_handler(request: Request) -> Response:
            response = await handler(request)
            if response.status_code != HTTPStatus.OK:
                return response
            # Hashing is CPU work on a body of at most one page (100 tasks): no I/O waits here.
            headers = {
                "etag": body_etag(response.body),
                "cache-control": REVALIDATE,
                # The answer is the token holder's own: a cache keys it by Authorization.
                "vary": "Authorization",
            }
            # If-Modified-Since is ignored: no Last-Modified is sent (CONTRACT.md, section 14).
            sent = ", ".join(request.headers.getlist("if-none-match"))
            if sent and none_match(sent, headers["etag"]):
                return Response(status_code=HTTPStatus.NOT_MODIFIED, headers=headers)
            response.headers.update(headers)
            return response

        return conditional_handler
