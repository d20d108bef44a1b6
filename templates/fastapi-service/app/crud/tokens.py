"""Refresh tokens: issue, rotate with reuse detection, revoke.

https://datatracker.ietf.org/doc/html/rfc9700#name-refresh-token-protection
"""

from datetime import datetime, timedelta
from enum import Enum, auto

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.core.security import hash_refresh_token
from app.models import RefreshToken, User, utcnow


class RotationResult(Enum):
    """Why a refresh token was or was not accepted."""

    OK = auto()
    UNKNOWN = auto()
    EXPIRED_OR_REVOKED = auto()
    REUSED = auto()


def store_refresh_token(
    session: Session, *, user_id: int, token: str, family_id: str, lifetime: timedelta
) -> RefreshToken:
    """Save the hash of a new refresh token."""
    now = utcnow()
    row = RefreshToken(
        user_id=user_id,
        token_hash=hash_refresh_token(token),
        family_id=family_id,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    session.flush()
    return row


def revoke_family(session: Session, *, family_id: str, now: datetime) -> None:
    """Revoke every token descended from the same login."""
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def rotate_refresh_token(
    session: Session, *, token: str
) -> tuple[RotationResult, RefreshToken | None]:
    """Use `token` once: mark it rotated and return its row, or say why it is refused.

    A token that was already rotated is being replayed (one of two parties holds a stolen
    copy), so its whole family is revoked: the thief and the user both have to log in again.
    """
    row = session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == hash_refresh_token(token))
    )
    now = utcnow()
    if row is None:
        return RotationResult.UNKNOWN, None
    if row.rotated_at is not None:
        revoke_family(session, family_id=row.family_id, now=now)
        return RotationResult.REUSED, row
    if row.revoked_at is not None or row.expires_at <= now:
        return RotationResult.EXPIRED_OR_REVOKED, row
    # The conditional UPDATE makes rotation safe between workers: only one request wins.
    claimed = session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.rotated_at.is_(None))
        .values(rotated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        revoke_family(session, family_id=row.family_id, now=now)
        return RotationResult.REUSED, row
    return RotationResult.OK, row


def revoke_refresh_token(session: Session, *, token: str, user: User) -> None:
    """Revoke `token` if it belongs to `user`; anything else is silently ignored."""
    session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == hash_refresh_token(token),
            RefreshToken.user_id == user.id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


def revoke_all_for_user(session: Session, *, user: User) -> None:
    """Revoke every refresh token of `user` (after a password change)."""
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
