"""Alembic environment: run migrations against the Flask app's database.

Flask-Migrate calls this inside an app context (``flask db upgrade``), so the engine and the
models' metadata come from the app. SQLite cannot alter most of a table in place; batch mode
makes Alembic copy the table instead.
https://alembic.sqlalchemy.org/en/latest/batch.html
"""

from __future__ import annotations

import logging
from logging.config import fileConfig
from typing import Any

from alembic import context
from flask import current_app
from sqlalchemy.types import TypeDecorator

config = context.config
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

database = current_app.extensions["migrate"].db
target_metadata = database.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write the models' own column types (``UTCDateTime``) as the SQLAlchemy type they wrap.

    Migrations then never import the app's code, which may change after they are written.
    """
    if type_ == "type" and isinstance(obj, TypeDecorator):
        autogen_context.imports.add("import sqlalchemy as sa")
        return f"sa.{obj.impl!r}"
    return False


def run_migrations_offline() -> None:
    """Write the SQL to stdout instead of running it (``flask db upgrade --sql``)."""
    context.configure(
        url=str(database.engine.url),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a live connection.

    The app turns SQLite's foreign keys on for every connection; a batch migration rebuilds a
    table by dropping it, which with foreign keys on would cascade to every row that points
    at it. So they are off while migrations run, and checked once they are done.
    """
    with database.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            # Ends SQLAlchemy's implicit transaction, so that Alembic commits its own.
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                msg = f"the migrations left {len(broken)} rows pointing at missing rows"
                raise RuntimeError(msg)
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
