"""Who is calling: bearer authentication, deny by default, and roles.

Every endpoint needs a valid access token unless it is named in :data:`PUBLIC_ENDPOINTS`.
Forgetting a decorator therefore locks a new endpoint instead of opening it (OWASP API5).
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from flask import current_app, g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from .extensions import db
from .models import MAX_ROW_ID, User
from .tokens import InvalidTokenError, decode_access_token

if TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger(__name__)

# The only endpoints reachable without a token. `static` and `openapi.spec` belong to Flask
# and APIFlask; the rest are this project's blueprints.
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.register",
        "auth.login",
        "auth.refresh",
        "health.live",
        "health.ready",
        "docs.page",
        "docs.asset",
        "openapi.spec",
        "static",
    }
)

ACCESS_REFUSED = "The access token is invalid or has expired."


def _unauthorized(detail: str) -> Unauthorized:
    challenge = WWWAuthenticate("bearer", {"realm": "api"})
    return Unauthorized(description=detail, www_authenticate=challenge)


def _bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        detail = "A bearer access token is required."
        raise _unauthorized(detail)
    return token.strip()


def authenticate() -> None:
    """Require a valid access token for every non-public endpoint (a ``before_request``).

    Raises:
        Unauthorized: Missing, invalid or expired token, or an inactive user.
    """
    if request.endpoint is None or request.method == "OPTIONS":
        # No route matched (the 404/405 follows), or a CORS preflight, which never carries
        # credentials and is answered by flask-cors.
        return
    view = current_app.view_functions.get(request.endpoint)
    if request.endpoint in PUBLIC_ENDPOINTS or getattr(view, "public", False):
        return
    try:
        user_id = decode_access_token(_bearer_token())
    except InvalidTokenError as error:
        raise _unauthorized(ACCESS_REFUSED) from error
    user = db.session.get(User, user_id) if user_id <= MAX_ROW_ID else None
    if user is None or not user.is_active:
        raise _unauthorized(ACCESS_REFUSED)
    g.current_user = user


def current_user() -> User:
    """The authenticated user of this request."""
    user: User = g.current_user
    return user


def admin_required(view: Callable[P, R]) -> Callable[P, R]:
    """Refuse with 403 unless the caller has the admin role."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        user = current_user()
        if not user.is_admin:
            log.warning(
                "authz_fail",
                extra={"event": "authz_fail", "user_id": user.id, "path": request.path},
            )
            raise Forbidden(description="This operation needs the admin role.")
        return view(*args, **kwargs)

    wrapper.admin_only = True  # type: ignore[attr-defined]
    return wrapper


def public(view: Callable[P, R]) -> Callable[P, R]:
    """Open one more endpoint to anonymous callers (the project's tests use it).

    Prefer adding the endpoint to :data:`PUBLIC_ENDPOINTS`, where reviewers look for it.
    """
    view.public = True  # type: ignore[attr-defined]
    return view


def init_app(app: Flask) -> None:
    """Install deny-by-default authentication on every request of ``app``."""
    app.before_request(authenticate)


def is_admin_only(view: Any) -> bool:
    """Tell whether a view function is wrapped by :func:`admin_required`."""
    while view is not None:
        if getattr(view, "admin_only", False):
            return True
        view = getattr(view, "__wrapped__", None)
    return False
