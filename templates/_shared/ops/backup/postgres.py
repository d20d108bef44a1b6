"""PostgreSQL: pg_dump's custom format out, pg_restore into a fresh database back in.

The password reaches pg_dump and pg_restore through PGPASSWORD in their environment, never in
argv, where every local user could read it in the process list.
https://www.postgresql.org/docs/current/app-pgdump.html
"""

from __future__ import annotations

import os
import platform
import secrets
import sqlite3
import subprocess
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from .settings import BackupError, PostgresDatabase
from .snapshot import Snapshot, postgres_snapshot

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

# Databases that always exist and from which CREATE, RENAME and DROP DATABASE can be issued.
MAINTENANCE_DATABASES = ("postgres", "template1")
SWAP_ATTEMPTS = 50
SWAP_PAUSE_SECONDS = 0.1


class PostgresEngine:
    """Backs up, checks and restores one PostgreSQL database."""

    kind = "postgresql"
    suffix = ".dump"

    def __init__(self, database: PostgresDatabase) -> None:
        """Remember the database; nothing is opened yet."""
        self.database = database

    def describe(self) -> str:
        """Name the live database for messages (without the password)."""
        return f"PostgreSQL database {self.database.name} ({self.database.url})"

    def exists(self) -> bool:
        """Tell whether the live database exists on the server."""
        with _server_errors(), self._maintenance() as admin:
            return _database_exists(admin, self.database.name)

    def tool_versions(self) -> dict[str, str | None]:
        """Return the versions that produced the backup."""
        with _server_errors(), self._connect(self.database.name) as connection:
            server = connection.execute("SHOW server_version").fetchone()
        return {
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "pg_dump": self._run(["pg_dump", "--version"]).decode().strip(),
            "postgresql": str(server[0]) if server else None,
        }

    def live_snapshot(self) -> Snapshot:
        """Snapshot the live database as it is now."""
        with _server_errors(), self._connect(self.database.name) as connection:
            return postgres_snapshot(connection)

    def dump(self, target: Path) -> Snapshot:
        """Dump the live database into `target` and snapshot the same state.

        pg_dump joins an exported snapshot of this connection's transaction, so the dump and
        the manifest's counts describe one moment even while the application keeps writing.
        https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-SNAPSHOT-SYNCHRONIZATION
        """
        with _server_errors(), self._connect(self.database.name) as connection:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            row = connection.execute("SELECT pg_export_snapshot()").fetchone()
            snapshot_id = str(row[0]) if row else ""
            argv = [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
                f"--dbname={self._conninfo(self.database.name)}",
            ]
            with target.open("wb") as stream:
                self._run(argv, stdout=stream)
            return postgres_snapshot(connection)

    @contextmanager
    def restored_copy(self, backup: Path) -> Iterator[tuple[Snapshot, str]]:
        """Restore `backup` into a new database on the same server.

        Yields:
            The new database's snapshot and its name. The database is dropped afterwards
            unless `replace_live` has made it the live one.
        """
        name = self._new_name("restore")
        with _server_errors(), self._maintenance() as admin:
            # template0 gives an empty database, whatever was added to template1.
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
            )
        try:
            argv = [
                "pg_restore",
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                f"--dbname={self._conninfo(name)}",
                str(backup),
            ]
            self._run(argv)
            with _server_errors(), self._connect(name) as connection:
                snapshot = postgres_snapshot(connection)
            yield snapshot, name
        finally:
            with _server_errors(), self._maintenance() as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )

    def replace_live(self, restored: str) -> None:
        """Make the restored database the live one by swapping names.

        Why a swap rather than `pg_restore --clean` into the live database: `--clean` drops
        only the objects the dump contains, so a table created after the backup (a newer
        migration) would survive next to the restored data. The swap leaves the live name on
        either the complete old database or the complete restored one; if anything fails
        before the swap, the live database has not been touched. It needs the rights to
        create and rename databases, and it ends the sessions still connected to the old one.
        """
        live = self.database.name
        retired = self._new_name("replaced")
        with _server_errors(), self._maintenance() as admin:
            if not _database_exists(admin, live):
                admin.execute(_rename(restored, live))
                return
            # Refuse new sessions first, so none can slip in between ending them and renaming.
            admin.execute(_allow_connections(live, allow=False))
            try:
                self._swap(admin, restored, retired)
            except BaseException:
                admin.execute(_allow_connections(live, allow=True))
                raise
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(retired)))

    def _swap(self, admin: psycopg.Connection[Any], restored: str, retired: str) -> None:
        live = self.database.name
        for _ in range(SWAP_ATTEMPTS):
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (live,),
            )
            try:
                # Both renames in one transaction: the live name is never missing.
                with admin.transaction():
                    admin.execute(_rename(live, retired))
                    admin.execute(_rename(restored, live))
            except psycopg.errors.ObjectInUse:
                # Ended sessions take a moment to go away; try again shortly.
                time.sleep(SWAP_PAUSE_SECONDS)
                continue
            return
        msg = f"could not take over {live}: other sessions stay connected to it"
        raise BackupError(msg)

    def _new_name(self, purpose: str) -> str:
        # PostgreSQL truncates names at 63 bytes; keep the random part inside that limit.
        return f"{self.database.name[:40]}_{purpose}_{secrets.token_hex(4)}"

    def _conninfo(self, name: str) -> str:
        return make_conninfo(self.database.url, dbname=name)

    def _connect(self, name: str, *, autocommit: bool = False) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(
                self.database.url,
                dbname=name,
                password=self.database.password,
                autocommit=autocommit,
            )
        except psycopg.OperationalError as exc:
            msg = f"cannot connect to PostgreSQL database {name}: {_first_line(str(exc))}"
            raise BackupError(msg) from None

    @contextmanager
    def _maintenance(self) -> Iterator[psycopg.Connection[Any]]:
        # CREATE/DROP DATABASE cannot run inside a transaction, hence autocommit.
        problem = None
        for name in MAINTENANCE_DATABASES:
            try:
                connection = self._connect(name, autocommit=True)
            except BackupError as exc:
                problem = exc
                continue
            with connection:
                yield connection
            return
        raise problem or BackupError("no maintenance database")

    def _run(self, argv: list[str], *, stdout: Any = subprocess.PIPE) -> bytes:
        environment = dict(os.environ)
        if self.database.password is not None:
            environment["PGPASSWORD"] = self.database.password
        # The program is one of pg_dump and pg_restore, given as an argument list without a
        # shell, so no value in argv can be read as a command.
        try:
            result = subprocess.run(  # noqa: S603
                argv, stdout=stdout, stderr=subprocess.PIPE, env=environment, check=False
            )
        except FileNotFoundError:
            msg = f"{argv[0]} not found: install the PostgreSQL client programs"
            raise BackupError(msg) from None
        if result.returncode != 0:
            detail = _last_line(result.stderr.decode(errors="replace"))
            msg = f"{argv[0]} failed (exit {result.returncode}): {detail}"
            raise BackupError(msg)
        return result.stdout or b""


@contextmanager
def _server_errors() -> Iterator[None]:
    # Refused permissions, a full disk or a lost connection are the operator's to fix: they
    # end as one clear line, not as a traceback.
    try:
        yield
    except psycopg.Error as exc:
        msg = f"PostgreSQL: {_first_line(str(exc))}"
        raise BackupError(msg) from None


def _database_exists(admin: psycopg.Connection[Any], name: str) -> bool:
    found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return found is not None


def _rename(old: str, new: str) -> sql.Composed:
    return sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
        sql.Identifier(old), sql.Identifier(new)
    )


def _allow_connections(name: str, *, allow: bool) -> sql.Composed:
    return sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}").format(
        sql.Identifier(name), sql.Literal(allow)
    )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "no details"


def _last_line(text: str) -> str:
    return text.strip().splitlines()[-1] if text.strip() else "no details"
