"""Schema checks: what an exercise asks of the database's design, which HTTP cannot see.

The tables are read through SQLAlchemy's inspector, which reads the tables Django's
migrations make as it reads Alembic's, on SQLite and on PostgreSQL alike; nothing here knows a
framework's table names. A failed check says what was looked for, like any other check.
https://docs.sqlalchemy.org/en/20/core/reflection.html#fine-grained-reflection-with-inspector
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, String, Table, create_engine, inspect, select

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Engine


class StoredSchema:
    """The tables of the app's database under test, and the rows they hold."""

    def __init__(self, database_url: str) -> None:
        """Read the database at ``database_url`` (the project's own form of the URL)."""
        # psycopg (version 3) is the driver every project installs; SQLAlchemy's default for a
        # plain postgresql:// URL would be psycopg2.
        for plain in ("postgresql://", "postgres://"):
            if database_url.startswith(plain):
                database_url = "postgresql+psycopg://" + database_url.removeprefix(plain)
        self.engine: Engine = create_engine(database_url)

    def close(self) -> None:
        """Close the inspector's connections."""
        self.engine.dispose()

    def _text_columns(self) -> Iterator[tuple[str, str]]:
        inspector = inspect(self.engine)
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                if isinstance(column["type"], String):
                    yield table, column["name"]

    def tables_holding_once(self, values: set[str]) -> list[str]:
        """The tables with a text column that holds each of ``values`` in exactly one row."""
        found = []
        with self.engine.connect() as connection:
            for table_name, column_name in self._text_columns():
                table = Table(table_name, MetaData(), autoload_with=connection)
                column = table.c[column_name]
                held = Counter(connection.scalars(select(column).where(column.in_(values))))
                if set(held) == values and set(held.values()) == {1}:
                    found.append(table_name)
        return found

    def linking_tables(self, table: str) -> list[str]:
        """The tables with a foreign key to ``table`` and one to another table (links)."""
        inspector = inspect(self.engine)
        links = []
        for name in inspector.get_table_names():
            referred = {key["referred_table"] for key in inspector.get_foreign_keys(name)}
            if table in referred and referred - {table}:
                links.append(name)
        return links

    def table_with_columns(self, columns: set[str]) -> str | None:
        """The first table (by name) that has every column of ``columns``, or None."""
        inspector = inspect(self.engine)
        for name in sorted(inspector.get_table_names()):
            if columns <= {column["name"] for column in inspector.get_columns(name)}:
                return name
        return None

    def column(self, table: str, name: str) -> dict[str, Any] | None:
        """The inspector's description of column ``name`` of ``table``, or None."""
        found = [c for c in inspect(self.engine).get_columns(table) if c["name"] == name]
        return dict(found[0]) if found else None

    def unique_column_sets(self, table: str) -> list[frozenset[str]]:
        """The column sets of ``table`` that a unique constraint or a unique index covers."""
        inspector = inspect(self.engine)
        sets = [frozenset(u["column_names"]) for u in inspector.get_unique_constraints(table)]
        sets += [
            frozenset(str(name) for name in index["column_names"])
            for index in inspector.get_indexes(table)
            if index["unique"]
        ]
        return sets

    def foreign_keys(self, table: str) -> dict[str, str]:
        """``{column: referred table}`` for the single-column foreign keys of ``table``."""
        return {
            key["constrained_columns"][0]: key["referred_table"]
            for key in inspect(self.engine).get_foreign_keys(table)
            if len(key["constrained_columns"]) == 1
        }
