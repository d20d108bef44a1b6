"""Access tokens (PyJWT, HS256) and opaque, rotating refresh tokens.

Access tokens are short-lived and never stored. Refresh tokens are random strings; only their
SHA-256 hash is kept, each use replaces the token, and a token used twice revokes every token
of its login (the attacker or the owner holds a stolen copy; both must log in again).
https://pyjwt.readthedocs.io/en/stable/usage.html
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass

import jwt
from flask import current_app
from sqlalchemy import select, update

from .extensions import db
from .models import RefreshToken, User, utcnow

ALGORITHM = "HS256"
ACCESS = "access"
# A user id as the contract allows it in ``sub``: ASCII digits, no sign, no leading zero...
SUBJECT = re.compile(r"[1-9][0-9]{0,18}")
# ...and within the 64-bit range every database's integer key can hold.
MAX_ID = 2**63 - 1


class InvalidTokenError(Exception):
    """A token that must not be accepted, for whatever reason."""


@dataclass(frozen=True)
class TokenPair:
    """What a successful login or refresh hands back, dumped by ``schemas.TokenOut``."""

    access_token: str
    refresh_token: str
    expires_in: int
    # The OAuth 2 token type (RFC 6749, section 7.1), not a secret.
    token_type: str = "bearer"  # noqa: S105


def create_access_token(user_id: int) -> tuple[str, int]:
    """Sign an access token for a user.

    Args:
        user_id: The user the token speaks for.

    Returns:
        The token and its lifetime in seconds.
    """
    lifetime = dt.timedelta(minutes=current_app.config["ACCESS_TOKEN_MINUTES"])
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
        "type": ACCESS,
    }
    token = jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm=ALGORITHM)
    return token, int(lifetime.total_seconds())


def decode_access_token(token: str) -> int:
    """Check an access token and return its user id.

    Only HS256 is accepted (no ``none``, no RS/HS confusion), and ``exp``, ``iat``, ``jti``
    and ``type`` must be present.

    Args:
        token: The bearer token from the request.

    Returns:
        The id in the ``sub`` claim.

    Raises:
        InvalidTokenError: For any token that must be refused.
    """
    try:
        claims = jwt.decode(
            token,
            current_app.config["SECRET_KEY"],
            algorithms=[ALGORITHM],
            options={"require": ["exp", "iat", "jti", "sub", "type"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidTokenError(str(error)) from error
    if claims["type"] != ACCESS:
        msg = "not an access token"
        raise InvalidTokenError(msg)
    subject = claims["sub"]
    # str.isdigit() would let superscripts and other scripts' digits through; the database must
    # never see anything but an id in range, or a lookup fails with a 500 instead of a 401.
    if not isinstance(subject, str) or not SUBJECT.fullmatch(subject) or int(subject) > MAX_ID:
        msg = "the subject is not a user id"
        raise InvalidTokenError(msg)
    return int(subject)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _new_refresh_token(user_id: int, family_id: str) -> str:
    token = secrets.token_urlsafe(32)  # 256 random bits
    lifetime = dt.timedelta(days=current_app.config["REFRESH_TOKEN_DAYS"])
    db.session.add(
        RefreshToken(
            user_id=user_id,
            token_hash=_digest(token),
            family_id=family_id,
            expires_at=utcnow() + lifetime,
        )
    )
    return token


def issue_tokens(user: User, *, family_id: str | None = None) -> TokenPair:
    """Make a new pair for a user; the caller commits.

    Args:
        user: The user who logged in or refreshed.
        family_id: The login the refresh token belongs to; a new login when omitted.

    Returns:
        The new access and refresh tokens.
    """
    access, lifetime = create_access_token(user.id)
    refresh = _new_refresh_token(user.id, family_id or uuid.uuid4().hex)
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=lifetime)


def rotate_refresh_token(token: str) -> TokenPair:
    """Exchange a refresh token for a new pair (one-time use, reuse detection).

    Args:
        token: The refresh token the client presented.

    Returns:
        The new pair; the session is committed.

    Raises:
        InvalidTokenError: Unknown, expired, revoked or reused token, or inactive user.
    """
    stored = db.session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == _digest(token))
    )
    if stored is None:
        msg = "unknown refresh token"
        raise InvalidTokenError(msg)
    now = utcnow()
    if stored.rotated_at is not None:
        revoke_family(stored.family_id)
        db.session.commit()
        msg = "refresh token reused; its login is revoked"
        raise InvalidTokenError(msg)
    user = db.session.get(User, stored.user_id)
    if stored.revoked_at is not None or stored.expires_at <= now or user is None:
        msg = "refresh token revoked or expired"
        raise InvalidTokenError(msg)
    if not user.is_active:
        msg = "inactive user"
        raise InvalidTokenError(msg)
    stored.rotated_at = now
    pair = issue_tokens(user, family_id=stored.family_id)
    db.session.commit()
    return pair


def revoke_family(family_id: str) -> None:
    """Revoke every live refresh token of one login; the caller commits."""
    db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_refresh_token(token: str, *, user_id: int) -> None:
    """Revoke one refresh token if it belongs to ``user_id``; the caller commits."""
    db.session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == _digest(token),
            RefreshToken.user_id == user_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


def revoke_all_for_user(user_id: int) -> None:
    """Revoke every refresh token of a user (password change); the caller commits."""
    db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
