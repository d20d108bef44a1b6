"""``/api/v1/auth``: register, login, refresh, logout."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from apiflask import APIBlueprint
from werkzeug.exceptions import Conflict, TooManyRequests, Unauthorized

from ..auth import current_user
from ..extensions import db, login_throttle, password_hasher
from ..schemas import LoginIn, RefreshIn, RegisterIn, TokenOut, UserOut
from ..services.users import EmailTakenError, create_user, find_by_email
from ..tokens import InvalidTokenError, issue_tokens, revoke_refresh_token, rotate_refresh_token

bp = APIBlueprint("auth", __name__, tag="Auth")
log = logging.getLogger(__name__)

LOGIN_FAILED = "Incorrect email or password."


@bp.post("/register")
@bp.input(RegisterIn, arg_name="body")
@bp.output(UserOut, status_code=HTTPStatus.CREATED)
@bp.doc(responses=[HTTPStatus.CONFLICT])
def register(body: dict[str, Any]) -> Any:
    """Create an account.

    A taken email is a 409: an accepted enumeration channel, noted in SECURITY.md.
    """
    try:
        return create_user(
            email=body["email"], password=body["password"], full_name=body["full_name"]
        )
    except EmailTakenError as error:
        raise Conflict(description="An account with this email already exists.") from error


@bp.post("/login")
@bp.input(LoginIn, arg_name="body")
@bp.output(TokenOut)
@bp.doc(responses=[HTTPStatus.UNAUTHORIZED, HTTPStatus.TOO_MANY_REQUESTS])
def login(body: dict[str, Any]) -> Any:
    """Exchange email and password for an access and a refresh token.

    Unknown email, wrong password and inactive account give the same 401 after the same
    amount of hashing work. Five failures per email in 15 minutes lock that email (429).
    """
    email = body["email"].strip().lower()
    retry_after = login_throttle.retry_after(email)
    if retry_after is not None:
        log.warning("authn_login_lock", extra={"event": "authn_login_lock", "email": email})
        raise TooManyRequests(
            description="Too many failed logins for this account; try again later.",
            retry_after=retry_after,
        )
    user = find_by_email(email)
    if user is None:
        password_hasher.verify_dummy(body["password"])
    elif password_hasher.verify(user.password_hash, body["password"]) and user.is_active:
        if password_hasher.needs_rehash(user.password_hash):
            user.password_hash = password_hasher.hash(body["password"])
        pair = issue_tokens(user)
        db.session.commit()
        log.info(
            "authn_login_success", extra={"event": "authn_login_success", "user_id": user.id}
        )
        return pair.as_json()
    login_throttle.record_failure(email)
    log.warning("authn_login_fail", extra={"event": "authn_login_fail", "email": email})
    raise Unauthorized(description=LOGIN_FAILED)


@bp.post("/refresh")
@bp.input(RefreshIn, arg_name="body")
@bp.output(TokenOut)
@bp.doc(responses=[HTTPStatus.UNAUTHORIZED])
def refresh(body: dict[str, Any]) -> Any:
    """Trade a refresh token for a new pair; the old refresh token stops working."""
    try:
        return rotate_refresh_token(body["refresh_token"]).as_json()
    except InvalidTokenError as error:
        raise Unauthorized(description="The refresh token is invalid or has expired.") from error


@bp.post("/logout")
@bp.input(RefreshIn, arg_name="body")
@bp.output({}, status_code=HTTPStatus.NO_CONTENT)
def logout(body: dict[str, Any]) -> Any:
    """Revoke the given refresh token if it is the caller's; always 204."""
    revoke_refresh_token(body["refresh_token"], user_id=current_user().id)
    db.session.commit()
    return ""
