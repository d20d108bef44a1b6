"""Conditional GETs: the task reads a client may keep and revalidate (CONTRACT.md, section 14).

A view marked :func:`revalidated` answers its 200 with a strong ``ETag`` made from the body
and a 304 when the request's ``If-None-Match`` names it. Werkzeug does both:
``Response.add_etag`` hashes the body, and ``Response.make_conditional`` compares the tags with
the weak comparison RFC 9110 asks for (``W/"x"`` matches ``"x"``, a list, ``*``) and turns the
answer into a 304, whose body Werkzeug then leaves out.
https://werkzeug.palletsprojects.com/en/stable/wrappers/#werkzeug.wrappers.Response.make_conditional

``Cache-Control`` is chosen with every other answer's, in ``hooks.secure_headers``.
"""

from __future__ import annotations

import functools
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar

from flask import current_app, request

if TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Response

ViewT = TypeVar("ViewT", bound="Callable[..., Any]")

# The client may store the answer but must ask again before using it; shared caches may not.
REVALIDATE = "private, no-cache"


def revalidated(view: ViewT) -> ViewT:
    """Give the 200 of ``view`` an ``ETag``, and answer a matching ``If-None-Match`` with 304.

    Put it under the route decorator, above ``@output``: it sees the answer ``@output`` made,
    so the tag covers the serialised body. Errors (401, 404, 422) are raised before it and
    never become a 304.

    Args:
        view: The view function.

    Returns:
        The view, wrapped and marked ``revalidated`` for ``hooks.secure_headers``.
    """

    @functools.wraps(view)
    def conditional(*args: Any, **kwargs: Any) -> Response:
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code == HTTPStatus.OK:
            response.add_etag()
            # The answer is the token holder's own: a cache keys it by Authorization.
            response.vary.add("Authorization")
            # Without a Last-Modified, If-Modified-Since is ignored, as the contract says.
            response.make_conditional(request)
        return response

    conditional.revalidated = True  # type: ignore[attr-defined]
    return conditional  # type: ignore[return-value]


def is_revalidated(response: Response) -> bool:
    """Whether ``response`` is a 200 or 304 of a :func:`revalidated` view."""
    view = current_app.view_functions.get(request.endpoint or "")
    return (
        getattr(view, "revalidated", False)
        and "ETag" in response.headers
        and response.status_code in {HTTPStatus.OK, HTTPStatus.NOT_MODIFIED}
    )
