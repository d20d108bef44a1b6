"""Dependencies shared by the routes, as `Annotated` aliases.

A handler that declares `session: SessionDep, user: CurrentUser` gets a database session and
the authenticated user, or the request ends with 401 before the handler runs.
https://fastapi.tiangolo.com/tutorial/dependencies/

Dependencies that touch the database are plain `def`, like the routes: FastAPI runs them in its
thread pool, so a slow query holds one thread, never the event loop. Those that only read
`app.state` are `async def`: they cannot block, and a thread hop would cost more than they do.
https://fastapi.tiangolo.com/async/#dependencies
"""

import logging
import re
from collections.abc import Iterator
from http import HTTPStatus
from typing import Annotated, cast

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.core.login_throttle import LoginThrottle
from app.core.security import InvalidTokenError, PasswordService, TokenService
from app.core.throttle import client_address
from app.crud.users import get_user
from app.models import User

security_logger = logging.getLogger("app.security")
bearer_scheme = HTTPBearer(auto_error=False, description="Access token from /auth/login")


async def get_app_settings(request: Request) -> Settings:
    """The settings this app instance was created with."""
    return cast("Settings", request.app.state.settings)


async def get_passwords(request: Request) -> PasswordService:
    """The argon2 password service."""
    return cast("PasswordService", request.app.state.passwords)


async def get_tokens(request: Request) -> TokenService:
    """The access/refresh token service."""
    return cast("TokenService", request.app.state.tokens)


async def get_throttle(request: Request) -> LoginThrottle:
    """The login throttle."""
    return cast("LoginThrottle", request.app.state.throttle)


async def get_client_address(request: Request) -> str:
    """The client's address: the socket peer, or what a trusted proxy says (TRUSTED_PROXIES)."""
    settings = cast("Settings", request.app.state.settings)
    return client_address(request.scope, settings.trusted_proxies)


def get_session(request: Request) -> Iterator[Session]:
    """A session for one request; handlers commit what they change.

    A plain generator: closing the session hands its connection back to the pool, which may
    talk to the database (a rollback), so FastAPI runs it in its thread pool.
    """
    factory = cast("sessionmaker[Session]", request.app.state.session_factory)
    with factory() as session:
        yield session


# Ids and offsets are 64-bit in the contract (an id beyond the database column's range simply
# does not exist: see app/models.py).
MAX_ID = 2**63 - 1
DECIMAL = re.compile(r"-?[0-9]+")


def decimal_digits(value: object) -> object:
    """Numbers in a URL are plain decimal digits, as the OpenAPI `integer` type says.

    Pydantic's lax mode would read "1.0", "1_000", "+1" or " 1" as numbers; a client that
    sends those has a bug worth hearing about, so they are refused (422, or 404 for an id).
    """
    if isinstance(value, str) and not DECIMAL.fullmatch(value):
        msg = "must be a whole number in decimal digits"
        raise ValueError(msg)
    return value


# Goes after Query() or Path() in an Annotated parameter: `Annotated[int, Query(), DIGITS_ONLY]`.
DIGITS_ONLY = BeforeValidator(decimal_digits)
Limit = Annotated[int, Query(ge=1, le=100, description="Page size"), DIGITS_ONLY]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip"), DIGITS_ONLY]

SettingsDep = Annotated[Settings, Depends(get_app_settings)]
PasswordsDep = Annotated[PasswordService, Depends(get_passwords)]
TokensDep = Annotated[TokenService, Depends(get_tokens)]
ThrottleDep = Annotated[LoginThrottle, Depends(get_throttle)]
ClientAddress = Annotated[str, Depends(get_client_address)]
SessionDep = Annotated[Session, Depends(get_session)]


def unauthorized() -> HTTPException:
    """401 with the challenge header RFC 6750 asks for."""
    return HTTPException(
        HTTPStatus.UNAUTHORIZED,
        "Missing, invalid or expired access token.",
        headers={"WWW-Authenticate": "Bearer"},
    )


def get_current_user(
    session: SessionDep,
    tokens: TokensDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> User:
    """The active user named by a valid bearer access token (a database look-up: plain `def`)."""
    if credentials is None:
        raise unauthorized()
    try:
        user_id = tokens.decode_access_token(credentials.credentials)
    except InvalidTokenError:
        raise unauthorized() from None
    user = get_user(session, user_id=user_id)
    if user is None or not user.is_active:
        raise unauthorized()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_current_admin(user: CurrentUser, request: Request) -> User:
    """The current user, if an admin; 403 (and a security log event) otherwise."""
    if user.role != "admin":
        security_logger.warning("authz_fail", extra={"user_id": user.id, "path": request.url.path})
        raise HTTPException(HTTPStatus.FORBIDDEN, "This needs the admin role.")
    return user


AdminUser = Annotated[User, Depends(get_current_admin)]
