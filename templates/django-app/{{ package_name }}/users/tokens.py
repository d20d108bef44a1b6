"""Access tokens (short-lived JWTs) and refresh tokens (opaque, rotating, stored hashed).

JWTs: https://pyjwt.readthedocs.io/en/stable/usage.html
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import RefreshToken, RevokeReason, User

ALGORITHM = "HS256"
# Only this algorithm is accepted: no "none", no RS256 tricks with a public key as secret.
ALLOWED_ALGORITHMS = [ALGORITHM]
REQUIRED_CLAIMS = ["sub", "exp", "iat", "jti", "type"]
# The OAuth 2 name of how the access token is sent: `Authorization: Bearer <token>`.
SCHEME = "bearer"


class InvalidRefreshTokenError(Exception):
    """The refresh token is unknown, expired, revoked or reused."""


@dataclass(frozen=True)
class TokenPair:
    """What login and refresh return."""

    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = SCHEME


def create_access_token(user: User) -> tuple[str, int]:
    """Sign an access token for a user.

    Args:
        user: The token's subject.

    Returns:
        The JWT and its lifetime in seconds.
    """
    lifetime = timedelta(minutes=settings.ACCESS_TOKEN_MINUTES)
    now = timezone.now()
    claims = {
        "sub": str(user.pk),
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
        "type": "access",
    }
    token = jwt.encode(claims, settings.SECRET_KEY, algorithm=ALGORITHM)
    return token, int(lifetime.total_seconds())


def decode_access_token(token: str) -> dict[str, Any]:
    """Verify an access token and return its claims.

    Args:
        token: The JWT from the Authorization header.

    Returns:
        The verified claims.

    Raises:
        jwt.InvalidTokenError: Bad signature, other algorithm, missing or past `exp`, or
            not an access token.
    """
    claims: dict[str, Any] = jwt.decode(
        token,
        settings.SECRET_KEY,
        algorithms=ALLOWED_ALGORITHMS,
        options={"require": REQUIRED_CLAIMS},
    )
    if claims.get("type") != "access":
        message = "not an access token"
        raise jwt.InvalidTokenError(message)
    return claims


def hash_refresh_token(raw: str) -> str:
    """SHA-256 of a refresh token: enough for 256 random bits, and fast to look up."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_refresh_token(user: User, family: uuid.UUID) -> str:
    raw = secrets.token_urlsafe(32)  # 256 bits
    RefreshToken.objects.create(
        user=user,
        token_hash=hash_refresh_token(raw),
        family=family,
        expires_at=timezone.now() + timedelta(days=settings.REFRESH_TOKEN_DAYS),
    )
    return raw


def issue_tokens(user: User, family: uuid.UUID | None = None) -> TokenPair:
    """Issue an access token and a refresh token (a new family for a new login).

    Args:
        user: Who logged in.
        family: The login the refresh token belongs to; None starts a new one.

    Returns:
        The pair.
    """
    access, expires_in = create_access_token(user)
    refresh = _new_refresh_token(user, family or uuid.uuid4())
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=expires_in)


def rotate_refresh_token(raw: str) -> TokenPair:
    """Exchange a refresh token for a new pair; the old one stops working.

    Presenting an already-rotated token again means it was stolen or replayed: every token of
    that login is revoked.

    Args:
        raw: The refresh token the client sent.

    Returns:
        A new pair in the same family.

    Raises:
        InvalidRefreshTokenError: Unknown, expired, revoked, reused, or the user is inactive.
    """
    now = timezone.now()
    with transaction.atomic():
        token = (
            RefreshToken.objects.select_for_update()
            .select_related("user")
            .filter(token_hash=hash_refresh_token(raw))
            .first()
        )
        usable = (
            token is not None
            and token.revoked_at is None
            and token.expires_at > now
            and token.user.is_active
        )
        if token is not None and usable:
            token.revoked_at = now
            token.revoked_reason = RevokeReason.ROTATED
            token.save(update_fields=["revoked_at", "revoked_reason"])
            return issue_tokens(token.user, token.family)
        if token is not None and token.revoked_reason == RevokeReason.ROTATED:
            # Committed with this transaction, before the caller answers 401.
            revoke_family(token.family, RevokeReason.REUSE)
    raise InvalidRefreshTokenError


def revoke_family(family: uuid.UUID, reason: str) -> None:
    """Revoke every live token of one login."""
    RefreshToken.objects.filter(family=family, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def revoke_refresh_token(raw: str, user: User) -> None:
    """Revoke one refresh token if it belongs to `user` (logout); otherwise do nothing."""
    RefreshToken.objects.filter(
        token_hash=hash_refresh_token(raw), user=user, revoked_at__isnull=True
    ).update(revoked_at=timezone.now(), revoked_reason=RevokeReason.LOGOUT)


def revoke_all_refresh_tokens(user: User, reason: str = RevokeReason.PASSWORD_CHANGE) -> None:
    """Revoke every live refresh token of a user (password change, or a logout everywhere)."""
    RefreshToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
