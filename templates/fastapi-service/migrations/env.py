"""Alembic environment: runs migrations against DATABASE_URL.

The URL comes from `-x database_url=...`, from the calling code (the test suite), or from the
app's settings (environment or `.env`). `render_as_batch` makes autogenerate
write `batch_alter_table` blocks, which SQLite needs to alter tables (it copies the table) and
PostgreSQL runs as plain ALTERs. https://alembic.sqlalchemy.org/en/latest/batch.html
"""

from logging.config import fileConfig
from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from app.core.config import get_settings
from app.core.db import create_db_engine
from app.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(
    type_: str, obj: object, _autogen_context: AutogenContext
) -> str | Literal[False]:
    """Write UTCDateTime columns as plain timezone-aware DateTime in new migrations."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        render_item=_render_item,
        compare_type=True,
    )


def _database_url() -> str:
    """`-x database_url=...`, then a URL set by calling code (the tests), then the settings."""
    from_command_line = context.get_x_argument(as_dictionary=True).get("database_url")
    from_caller = config.attributes.get("database_url")
    return str(from_command_line or from_caller or get_settings().database_url)


def run_migrations() -> None:
    """Connect to the database and run the migrations in one transaction."""
    engine = create_db_engine(_database_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if config.config_file_name and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
run_migrations()
