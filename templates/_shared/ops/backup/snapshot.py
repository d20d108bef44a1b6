"""What a database holds, in a form a manifest can record and a restore can be checked against.

A snapshot is `{"tables": {name: {"rows": int, "sha256": str}}, "migration_head": {...}}`{% if with_files %},
plus `"files"` when the database has the attachments table: the `[storage_key, size, sha256]`
of every attachment row, the stored files a backup of this state must hold (CONTRACT.md,
section 13){% endif %}.
Each table's checksum hashes its rows ordered by all columns, every value written as text
(bytes as `\\x` and hex, NULL as JSON null), one JSON array per row. The same content therefore
gives the same checksum whatever order the rows are stored or restored in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

    import psycopg

Snapshot = dict[str, Any]
Fetch = Callable[[str], list[tuple[Any, ...]]]
MigrationQueries = dict[str, tuple[str, str]]

SQLITE_MIGRATIONS: MigrationQueries = {
    "alembic": ("alembic_version", "SELECT version_num FROM alembic_version"),
    "django": ("django_migrations", "SELECT app, name FROM django_migrations ORDER BY id"),
}
SESSION_SETTINGS = (
    "SET TimeZone TO 'UTC'",
    "SET DateStyle TO 'ISO, YMD'",
    "SET IntervalStyle TO 'iso_8601'",
    "SET extra_float_digits TO 1",
    "SET bytea_output TO 'hex'",
)
POSTGRES_MIGRATIONS: MigrationQueries = {
    "alembic": ("public.alembic_version", "SELECT version_num FROM public.alembic_version"),
    "django": (
        "public.django_migrations",
        "SELECT app, name FROM public.django_migrations ORDER BY id",
    ),
}


def digest_rows(rows: Iterable[Sequence[Any]]) -> dict[str, Any]:
    """Count and hash rows that arrive in a deterministic order.

    Args:
        rows: The rows of one table, ordered by all columns.

    Returns:
        `{"rows": count, "sha256": hex digest}`.
    """
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        line = json.dumps([_as_text(value) for value in row], ensure_ascii=False)
        digest.update(line.encode("utf-8") + b"\n")
        count += 1
    return {"rows": count, "sha256": digest.hexdigest()}


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (bytes, memoryview)):
        return "\\x" + bytes(value).hex()
    return str(value)


def migration_head(
    fetch: Fetch, tables: Iterable[str], queries: MigrationQueries
) -> dict[str, Any]:
    """Read which migrations the database says are applied, from whichever tables exist.

    Args:
        fetch: Runs one of the fixed queries and returns all rows.
        tables: The table names in the snapshot.
        queries: For `alembic` and `django`, the table's name and the query that reads it.

    Returns:
        `{"alembic": [revision, ...]}` and/or `{"django": {app: latest migration}}`; empty
        when the database has neither table.
    """
    names = set(tables)
    head: dict[str, Any] = {}
    alembic_table, alembic_query = queries["alembic"]
    if alembic_table in names:
        head["alembic"] = sorted(str(version) for (version,) in fetch(alembic_query))
    django_table, django_query = queries["django"]
    if django_table in names:
        # Rows come in the order they were applied, so the last one per app is its head.
        head["django"] = {str(app): str(name) for app, name in fetch(django_query)}
    return head


def compare(expected: Snapshot, actual: Snapshot) -> list[str]:
    """List every way a restored database differs from its manifest.

    Args:
        expected: The snapshot recorded in the manifest.
        actual: The snapshot of the restored copy.

    Returns:
        One human-readable line per difference; empty when they match.
    """
    problems = []
    wanted, found = expected["tables"], actual["tables"]
    for name in sorted(wanted.keys() | found.keys()):
        want, got = wanted.get(name), found.get(name)
        if want is None:
            problems.append(f"table {name} is in the backup but not in the manifest")
        elif got is None:
            problems.append(f"table {name} is in the manifest but not in the backup")
        elif want.get("rows") != got["rows"]:
            problems.append(
                f"table {name}: manifest says {want.get('rows')} rows, found {got['rows']}"
            )
        elif want.get("sha256") != got["sha256"]:
            problems.append(f"table {name}: content checksum differs from the manifest")
    if expected["migration_head"] != actual["migration_head"]:
        problems.append(
            f"migration head differs: manifest {expected['migration_head']}, "
            f"backup {actual['migration_head']}"
        )
    return problems


{%- if with_files %}


def add_files(snapshot: Snapshot, fetch: Fetch, tables: Iterable[str], table: str) -> Snapshot:
    """Add `files` to a snapshot: `[storage_key, size, sha256]` of every attachment, by key.

    A database without the attachments table (one made before it, or not the project's)
    gets no `files` at all, so the tool never touches a storage on its behalf.

    Args:
        snapshot: The tables and migration head.
        fetch: Runs a fixed query and returns all rows.
        tables: The table names in the snapshot.
        table: The attachments table's name as the snapshot writes it.
    """
    if table not in set(tables):
        return snapshot
    query = f"SELECT storage_key, size, sha256 FROM {table} ORDER BY storage_key"  # noqa: S608  # nosec B608
    rows = [[str(key), int(size), str(digest)] for key, size, digest in fetch(query)]
    return {**snapshot, "files": rows}
{%- endif %}


def quote_sqlite(name: str) -> str:
    """Quote a SQLite identifier (double quotes, inner quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def sqlite_snapshot(
    connection: sqlite3.Connection, *, without_rows: Collection[str] = ()
) -> Snapshot:
    """Snapshot every table of a SQLite database (its internal `sqlite_` tables excluded).

    Args:
        connection: The database to describe.
        without_rows: Tables described as empty, as a backup keeps them
            (`Settings.tables_without_rows`).
    """
    names = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
        if not name.startswith("sqlite_")
    ]
    tables = {
        name: digest_rows(() if name in without_rows else _sqlite_rows(connection, name))
        for name in names
    }

    def fetch(query: str) -> list[tuple[Any, ...]]:
        return connection.execute(query).fetchall()
{% if with_files %}
    head = migration_head(fetch, names, SQLITE_MIGRATIONS)
    return add_files({"tables": tables, "migration_head": head}, fetch, names, "attachments")
{%- else %}
    return {"tables": tables, "migration_head": migration_head(fetch, names, SQLITE_MIGRATIONS)}
{%- endif %}


def _sqlite_rows(connection: sqlite3.Connection, table: str) -> sqlite3.Cursor:
    columns = [
        quote_sqlite(name)
        for (name,) in connection.execute(
            "SELECT name FROM pragma_table_info(?) ORDER BY cid", (table,)
        )
    ]
    # BINARY collation so a column declared NOCASE cannot leave ties in an undefined order.
    order = ", ".join(f"{column} COLLATE BINARY" for column in columns)
    # Only quoted identifiers read from the schema itself are put into the query text.
    names = ", ".join(columns)
    query = f"SELECT {names} FROM {quote_sqlite(table)} ORDER BY {order}"  # noqa: S608  # nosec B608
    return connection.execute(query)


def postgres_snapshot(
    connection: psycopg.Connection[Any], *, without_rows: Collection[str] = ()
) -> Snapshot:
    """Snapshot every table outside the system schemas of a PostgreSQL database.

    Runs in the connection's current transaction, so it sees the same data as a pg_dump that
    shares that transaction's snapshot.

    Args:
        connection: The database to describe.
        without_rows: Bare table names (in any schema) described as empty, as a backup keeps
            them (`Settings.tables_without_rows`).
    """
    # Text forms of dates, times, intervals, floats and bytes depend on session settings,
    # which a database can set for itself (ALTER DATABASE ... SET) and a scratch copy would
    # not share; fixing them makes the checksums depend on the data alone.
    for setting in SESSION_SETTINGS:
        connection.execute(setting)
    tables = {
        f"{schema}.{name}": (
            digest_rows(()) if name in without_rows else _postgres_digest(connection, schema, name)
        )
        for schema, name in postgres_tables(connection)
    }

    def fetch(query: str) -> list[tuple[Any, ...]]:
        return connection.execute(query.encode()).fetchall()
{% if with_files %}
    head = migration_head(fetch, tables, POSTGRES_MIGRATIONS)
    snapshot = {"tables": tables, "migration_head": head}
    return add_files(snapshot, fetch, tables, "public.attachments")
{%- else %}
    return {"tables": tables, "migration_head": migration_head(fetch, tables, POSTGRES_MIGRATIONS)}
{%- endif %}


def postgres_tables(connection: psycopg.Connection[Any]) -> list[tuple[str, str]]:
    """List the (schema, name) of every table outside the system schemas, in a fixed order."""
    rows = connection.execute(
        "SELECT table_schema, table_name FROM information_schema.tables"
        " WHERE table_type = 'BASE TABLE'"
        " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        " ORDER BY table_schema, table_name"
    ).fetchall()
    return [(str(schema), str(name)) for schema, name in rows]


def _postgres_digest(
    connection: psycopg.Connection[Any], schema: str, table: str
) -> dict[str, Any]:
    from psycopg import sql  # noqa: PLC0415 (psycopg is only needed for PostgreSQL projects)

    names = connection.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
        (schema, table),
    ).fetchall()
    # Every type has a text form; ordering that text under the "C" collation makes the order
    # independent of the database's locale.
    texts = [sql.SQL("{}::text").format(sql.Identifier(name)) for (name,) in names]
    query = sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
        sql.SQL(", ").join(texts),
        sql.Identifier(schema, table),
        sql.SQL(", ").join(sql.SQL('{} COLLATE "C"').format(text) for text in texts),
    )
    # A server-side cursor streams the rows, so a large table is not held in memory.
    with connection.cursor(name="snapshot_rows") as cursor:
        cursor.execute(query)
        return digest_rows(cursor)
