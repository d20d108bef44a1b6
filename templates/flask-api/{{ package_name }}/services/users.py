"""Accounts: registration, profile, password change, and the admin's list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db, password_hasher
from ..models import User
from ..tokens import revoke_all_for_user


class EmailTakenError(Exception):
    """Another account already uses this email."""


def create_user(
    *, email: str, password: str, full_name: str, role: str = "user", is_active: bool = True
) -> User:
    """Create and commit a user; the email is stored in lower case.

    Args:
        email: The login address.
        password: The plain password, hashed here with argon2id.
        full_name: The display name.
        role: ``user`` or ``admin``.
        is_active: Whether the account may log in.

    Returns:
        The new user.

    Raises:
        EmailTakenError: When the email is already registered.
    """
    user = User(
        email=email.strip().lower(),
        password_hash=password_hasher.hash(password),
        full_name=full_name,
        role=role,
        is_active=is_active,
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise EmailTakenError(email) from error
    return user


def find_by_email(email: str) -> User | None:
    """The user with this email (any case), if any."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def change_password(*, user: User, new_password: str) -> None:
    """Store a new password and end every login of the user."""
    user.password_hash = password_hasher.hash(new_password)
    revoke_all_for_user(user.id)
    db.session.commit()


def update_profile(*, user: User, changes: dict[str, Any]) -> User:
    """Apply validated profile changes and commit."""
    if "full_name" in changes:
        user.full_name = changes["full_name"]
    db.session.commit()
    return user


def list_users(*, limit: int, offset: int) -> tuple[list[User], int]:
    """One page of users by id, and how many there are."""
    total = db.session.scalar(select(func.count()).select_from(User)) or 0
    page = select(User).order_by(User.id).limit(limit).offset(offset)
    return list(db.session.scalars(page)), total
