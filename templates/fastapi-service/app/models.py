"""Database schema: users, their tasks, and refresh tokens.

Alembic migrations in `migrations/versions/` are the only way this schema reaches a database;
after changing a model, run `make migration MESSAGE="..."` and review the generated file.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints let Alembic's batch mode (used for SQLite) find and alter them later.
# https://alembic.sqlalchemy.org/en/latest/naming.html
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Ids are `integer` columns (32-bit on PostgreSQL). A larger id cannot exist, so look-ups
# answer "not found" without asking the database, which would refuse the value with an error.
MAX_ID = 2**31 - 1
# SQLite reuses the rowid of a deleted last row unless a table is AUTOINCREMENT; a token or a
# link that outlived its row must never point at a new one. PostgreSQL sequences never reuse.
SQLITE_NO_REUSE = {"sqlite_autoincrement": True}
ROLES = ("user", "admin")
TASK_STATUSES = ("todo", "in_progress", "done")
TASK_PRIORITIES = ("low", "medium", "high")


def utcnow() -> datetime:
    """Timestamps are always aware and in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and read back time-zone aware, on SQLite as on PostgreSQL.

    SQLite has no time-zone type: values are stored as UTC text and the offset is put back on
    reading. Reading is on the hot path (three timestamps per task, a hundred tasks a page), so
    it is one C-level `fromisoformat` call per value rather than SQLAlchemy's parser plus a
    `replace()`. PostgreSQL returns aware values already (sessions run in UTC, see
    `core/db.py`), so there is nothing to do there.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002 - signature set by SQLAlchemy
        """Refuse naive datetimes, which would silently mean local time."""
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetime; use datetime.now(UTC)"
            raise ValueError(msg)
        return value.astimezone(UTC)

    def result_processor(
        self,
        dialect: Dialect,
        coltype: object,  # noqa: ARG002 - signature set by SQLAlchemy
    ) -> Callable[[Any], datetime | None] | None:
        """How to turn a database value into an aware datetime (None: leave it as it is)."""
        if dialect.name != "sqlite":
            return None

        def from_sqlite_text(value: str | None) -> datetime | None:
            return None if value is None else datetime.fromisoformat(value + "+00:00")

        return from_sqlite_text


def _one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK constraint that limits a text column to a closed set."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({allowed})"


class Base(DeclarativeBase):
    """Base class of every model; shares the naming convention above."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """A person who can sign in. `email` is stored lower-cased."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"), SQLITE_NO_REUSE)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="user")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    tasks: Mapped[list["Task"]] = relationship(back_populates="owner", passive_deletes=True)


class Task(Base):
    """A to-do item owned by one user."""

    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(_one_of("status", TASK_STATUSES), name="status"),
        CheckConstraint(_one_of("priority", TASK_PRIORITIES), name="priority"),
        # Lists are "my tasks, newest first": this index serves that query directly.
        Index("ix_tasks_owner_id_created_at", "owner_id", "created_at"),
        SQLITE_NO_REUSE,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="todo")
    priority: Mapped[str] = mapped_column(String(16), default="medium")
    due_date: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    owner: Mapped[User] = relationship(back_populates="tasks")


class RefreshToken(Base):
    """One refresh token, stored only as the SHA-256 hex digest of the opaque value.

    Every token issued from one login shares a `family_id`. A token is used once: refreshing
    sets `rotated_at`. Presenting a rotated token again means it was stolen, so the whole
    family is revoked (`revoked_at`). Logout and password changes also set `revoked_at`.
    """

    __tablename__ = "refresh_tokens"
    __table_args__ = SQLITE_NO_REUSE

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
