"""Registration, login, token refresh and logout (public endpoints, except logout).

Plain `def` routes: FastAPI runs them in its thread pool, where argon2 hashing (tens of
milliseconds of CPU by design), the queries and the login throttle's Redis round trips hold one
thread and never the event loop.
"""

import logging
from http import HTTPStatus

from fastapi import APIRouter, Depends, HTTPException, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.api.deps import (
    ClientAddress,
    CurrentUser,
    PasswordsDep,
    SessionDep,
    ThrottleDep,
    TokensDep,
    get_current_user,
)
from app.api.errors import FieldValidationError
from app.api.openapi import problems
from app.api.routing import LimitedRoute
from app.core.passwords import password_problem
from app.core.security import TokenService
from app.crud import tokens as token_crud
from app.crud.users import create_user, get_user, get_user_by_email, update_user
from app.models import User
from app.schemas import LoginRequest, RefreshRequest, TokenPair, UserOut, UserRegister

router = APIRouter(prefix="/auth", tags=["auth"], route_class=LimitedRoute)
security_logger = logging.getLogger("app.security")

LOGIN_FAILED = "Incorrect email or password."
REFRESH_FAILED = "Invalid or expired refresh token."
EMAIL_TAKEN = "An account with this email already exists."


def _issue_pair(
    session: Session, tokens: TokenService, *, user: User, family_id: str
) -> TokenPair:
    """Store a new refresh token of `family_id`, commit, and answer with the token pair."""
    refresh_token = tokens.new_refresh_token()
    token_crud.store_refresh_token(
        session,
        user_id=user.id,
        token=refresh_token,
        family_id=family_id,
        lifetime=tokens.refresh_lifetime,
    )
    session.commit()
    return TokenPair(
        access_token=tokens.create_access_token(user.id),
        refresh_token=refresh_token,
        expires_in=int(tokens.access_lifetime.total_seconds()),
    )


@router.post(
    "/register",
    status_code=HTTPStatus.CREATED,
    response_model=UserOut,
    responses=problems(400, 409, 413, 415, 422),
)
def register(body: UserRegister, session: SessionDep, passwords: PasswordsDep) -> User:
    """Create an account with the `user` role."""
    if problem := password_problem(body.password, email=body.email):
        raise FieldValidationError(field="password", message=problem)
    if get_user_by_email(session, email=body.email) is not None:
        raise HTTPException(HTTPStatus.CONFLICT, EMAIL_TAKEN)
    password_hash = passwords.hash(body.password)
    try:
        user = create_user(
            session, email=body.email, password_hash=password_hash, full_name=body.full_name
        )
        session.commit()
    except IntegrityError:
        # Two registrations raced past the look-up above; the unique index decided.
        session.rollback()
        raise HTTPException(HTTPStatus.CONFLICT, EMAIL_TAKEN) from None
    return user


@router.post("/login", responses=problems(400, 401, 413, 415, 422, 429))
def login(
    body: LoginRequest,
    *,
    session: SessionDep,
    passwords: PasswordsDep,
    tokens: TokensDep,
    throttle: ThrottleDep,
    address: ClientAddress,
) -> TokenPair:
    """Exchange email and password for an access token and a refresh token.

    Failures are counted per (email, client address) and per email (app/core/login_throttle.py).
    """
    email = body.email.strip().lower()
    if (retry_after := throttle.retry_after(email, address)) is not None:
        security_logger.warning("authn_login_lock", extra={"email": email, "client": address})
        raise HTTPException(
            HTTPStatus.TOO_MANY_REQUESTS,
            "Too many failed logins for this account; try again later.",
            headers={"Retry-After": str(retry_after)},
        )
    user = get_user_by_email(session, email=email)
    # Unknown emails are checked against a dummy hash so they take as long as wrong passwords.
    stored_hash = user.password_hash if user is not None else passwords.dummy_hash
    password_ok = passwords.verify(stored_hash, body.password)
    if user is None or not password_ok or not user.is_active:
        throttle.record_failure(email, address)
        security_logger.warning("authn_login_fail", extra={"email": email, "client": address})
        raise HTTPException(HTTPStatus.UNAUTHORIZED, LOGIN_FAILED)
    if passwords.needs_rehash(user.password_hash):
        update_user(session, user, password_hash=passwords.hash(body.password))
    security_logger.info("authn_login_success", extra={"user_id": user.id})
    return _issue_pair(session, tokens, user=user, family_id=tokens.new_token_family())


@router.post("/refresh", responses=problems(400, 401, 413, 415, 422))
def refresh(body: RefreshRequest, session: SessionDep, tokens: TokensDep) -> TokenPair:
    """Trade a refresh token (used once) for a new pair."""
    result, row = token_crud.rotate_refresh_token(session, token=body.refresh_token)
    if result is token_crud.RotationResult.REUSED:
        session.commit()
        security_logger.warning(
            "refresh_token_reuse", extra={"user_id": row.user_id if row else None}
        )
    if result is not token_crud.RotationResult.OK or row is None:
        raise HTTPException(HTTPStatus.UNAUTHORIZED, REFRESH_FAILED)
    user = get_user(session, user_id=row.user_id)
    if user is None or not user.is_active:
        session.rollback()
        raise HTTPException(HTTPStatus.UNAUTHORIZED, REFRESH_FAILED)
    return _issue_pair(session, tokens, user=user, family_id=row.family_id)


@router.post(
    "/logout",
    status_code=HTTPStatus.NO_CONTENT,
    response_class=Response,
    responses=problems(400, 401, 413, 415, 422),
    # Listed here, not only as a parameter: route dependencies run before the parameters',
    # and the token is judged before the body (LimitedRoute's judge_body).
    dependencies=[Depends(get_current_user)],
)
def logout(body: RefreshRequest, session: SessionDep, user: CurrentUser) -> None:
    """Revoke the given refresh token if it belongs to the caller; always 204."""
    token_crud.revoke_refresh_token(session, token=body.refresh_token, user=user)
    session.commit()
