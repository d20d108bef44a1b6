"""Users: create, find, list, update."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import MAX_ID, User


def create_user(
    session: Session,
    *,
    email: str,
    password_hash: str,
    full_name: str = "",
    role: str = "user",
    is_active: bool = True,
) -> User:
    """Add a user; `email` must already be normalised (lower case)."""
    user = User(
        email=email,
        password_hash=password_hash,
        full_name=full_name,
        role=role,
        is_active=is_active,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, *, user_id: int) -> User | None:
    """Find a user by id; an id outside the column's range finds nobody."""
    if not 1 <= user_id <= MAX_ID:
        return None
    return session.get(User, user_id)


def get_user_by_email(session: Session, *, email: str) -> User | None:
    """Find a user by email, compared in lower case."""
    return session.scalar(select(User).where(User.email == email.lower()))


def list_users(session: Session, *, limit: int, offset: int) -> tuple[list[User], int]:
    """One page of users by id, and the total count."""
    total = session.scalar(select(func.count()).select_from(User)) or 0
    users = session.scalars(select(User).order_by(User.id).limit(limit).offset(offset))
    return list(users), total


def update_user(
    session: Session,
    user: User,
    *,
    full_name: str | None = None,
    password_hash: str | None = None,
    is_active: bool | None = None,
) -> User:
    """Change the given fields of `user`; None leaves a field as it is."""
    if full_name is not None:
        user.full_name = full_name
    if password_hash is not None:
        user.password_hash = password_hash
    if is_active is not None:
        user.is_active = is_active
    session.flush()
    return user
