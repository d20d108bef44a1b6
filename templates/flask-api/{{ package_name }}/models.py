"""Database models: users, their tasks, and the refresh tokens of their logins.

The schema is made by the Alembic migrations in ``migrations/versions`` only; after changing
a model, run ``flask db migrate -m "..."`` and review the generated file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, Dialect, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import DateTime, TypeDecorator
from typing_extensions import override

from .extensions import db

ROLES = ("user", "admin")
# Ids are INTEGER columns: no row can have a larger one, so a larger id (which the contract
# allows in paths and tokens, up to 2**63 - 1) is looked up as "no such row" without a query,
# instead of a database error on the out-of-range value.
MAX_ROW_ID = 2**31 - 1
STATUSES = ("todo", "in_progress", "done")
PRIORITIES = ("low", "medium", "high")


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that always comes back timezone-aware in UTC.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones and hands back naive values,
    which this type marks as the UTC they were written in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @override
    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Store aware values converted to UTC."""
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value

    @override
    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Load values as aware UTC datetimes."""
        if value is None:
            return None
        stamp: dt.datetime = value
        if stamp.tzinfo is None:
            return stamp.replace(tzinfo=dt.UTC)
        return stamp.astimezone(dt.UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class User(db.Model):  # type: ignore[name-defined,misc]
    """A person who can log in; ``role`` is ``user`` or ``admin``."""

    __tablename__ = "users"
    # AUTOINCREMENT: SQLite never gives a deleted user's id to a later one (CONTRACT.md).
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="user")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    tasks: Mapped[list[Task]] = relationship(
        back_populates="owner", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_admin(self) -> bool:
        """Whether the user has the admin role."""
        return self.role == "admin"


class Task(db.Model):  # type: ignore[name-defined,misc]
    """A to-do item owned by one user."""

    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("priority", PRIORITIES), name="priority"),
        # Serves the list endpoint: one owner's tasks, newest first.
        Index("ix_tasks_owner_id_created_at", "owner_id", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="todo", index=True)
    priority: Mapped[str] = mapped_column(String(8), default="medium")
    due_date: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User] = relationship(back_populates="tasks")


class RefreshToken(db.Model):  # type: ignore[name-defined,misc]
    """One refresh token, stored as its SHA-256 hash, in the family of one login."""

    __tablename__ = "refresh_tokens"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Every token rotated out of the same login shares the family, so a reuse can revoke all.
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    rotated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
