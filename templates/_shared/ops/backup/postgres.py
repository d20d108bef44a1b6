"""PostgreSQL: pg_dump's custom format out, pg_restore into a fresh database back in.

The password reaches pg_dump and pg_restore through PGPASSWORD in their environment, never in
argv, where every local user could read it in the process list.
https://www.postgresql.org/docs/current/app-pgdump.html
"""

from __future__ import annotations

import os
import platform
import re
import secrets
import sqlite3
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from .settings import BackupError, DatabaseUnreachableError, PostgresDatabase
from .snapshot import Snapshot, postgres_snapshot, postgres_tables

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator
    from pathlib import Path

# Databases that always exist and from which CREATE, RENAME and DROP DATABASE can be issued.
MAINTENANCE_DATABASES = ("postgres", "template1")
SWAP_ATTEMPTS = 50
SWAP_PAUSE_SECONDS = 0.1
# PostgreSQL truncates names at 63 bytes; the live name's first 40 characters leave room for
# the purpose and the token.
SCRATCH_PREFIX_LENGTH = 40
SCRATCH_NAME = re.compile(r"(?P<prefix>.*)_(?P<purpose>restore|replaced)_(?P<token>[0-9a-f]{8})")
# The first key of every advisory lock this tool takes ("opsb"), so its locks cannot be
# mistaken for the application's; the second key is the scratch copy's token.
LOCK_CLASS = 0x6F707362


@dataclass(frozen=True)
class Scratch:
    """The names one restore works with, all sharing one random token.

    Attributes:
        name: The scratch database the backup is restored into.
        retired: The name the replaced live database gets during the swap.
        token: Eight hex digits; also the key of the advisory lock held while in use.
    """

    name: str
    retired: str
    token: str

    @classmethod
    def new(cls, live: str) -> Scratch:
        """Choose fresh names for a restore of the live database `live`."""
        return cls.named(live, secrets.token_hex(4))

    @classmethod
    def named(cls, live: str, token: str) -> Scratch:
        """Return the names of the restore with `token`."""
        prefix = live[:SCRATCH_PREFIX_LENGTH]
        return cls(
            name=f"{prefix}_restore_{token}", retired=f"{prefix}_replaced_{token}", token=token
        )

    @classmethod
    def parse(cls, live: str, name: str) -> Scratch | None:
        """Return the restore a database name belongs to, or None if it is not one of ours."""
        match = SCRATCH_NAME.fullmatch(name)
        if match is None or match["prefix"] != live[:SCRATCH_PREFIX_LENGTH]:
            return None
        return cls.named(live, match["token"])

    @property
    def lock_key(self) -> tuple[int, int]:
        """The two 32-bit keys of the advisory lock (signed, as PostgreSQL takes them)."""
        value = int(self.token, 16)
        return LOCK_CLASS, value - (1 << 32) if value >= 1 << 31 else value


class PostgresEngine:
    """Backs up, checks and restores one PostgreSQL database."""

    kind = "postgresql"
    suffix = ".dump"

    def __init__(self, database: PostgresDatabase, tables_without_rows: Collection[str]) -> None:
        """Remember the database and the tables whose rows are never kept."""
        self.database = database
        self.tables_without_rows = tables_without_rows

    def describe(self) -> str:
        """Name the live database for messages (without the password)."""
        return f"PostgreSQL database {self.database.name} ({self.database.url})"

    def exists(self) -> bool:
        """Tell whether the live database exists on the server."""
        with _server_errors(), self._maintenance() as admin:
            return _database_exists(admin, self.database.name)

    def check(self) -> str:
        """Connect to the live database once and say that it answers."""
        with _server_errors(), self._connect(self.database.name):
            return f"ok: {self.describe()} answers"

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
        """Snapshot the live database as a backup of it would be described."""
        with _server_errors(), self._connect(self.database.name) as connection:
            return postgres_snapshot(connection, without_rows=self.tables_without_rows)

    def dump(self, target: Path) -> Snapshot:
        """Dump the live database into `target` and snapshot the same state.

        pg_dump joins an exported snapshot of this connection's transaction, so the dump and
        the manifest's counts describe one moment even while the application keeps writing.
        The tables whose rows are never kept are dumped without their rows.
        https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-SNAPSHOT-SYNCHRONIZATION
        """
        with _server_errors(), self._connect(self.database.name) as connection:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            row = connection.execute("SELECT pg_export_snapshot()").fetchone()
            snapshot_id = str(row[0]) if row else ""
            # Quoted names are taken literally by pg_dump's table patterns.
            excluded = [
                f"--exclude-table-data={sql.Identifier(schema, name).as_string(connection)}"
                for schema, name in postgres_tables(connection)
                if name in self.tables_without_rows
            ]
            argv = [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                *excluded,
                f"--snapshot={snapshot_id}",
                f"--dbname={self._conninfo(self.database.name)}",
            ]
            with target.open("wb") as stream:
                self._run(argv, stdout=stream)
            return postgres_snapshot(connection, without_rows=self.tables_without_rows)

    @contextmanager
    def restored_copy(self, backup: Path, workdir: Path) -> Iterator[tuple[Snapshot, Scratch]]:
        """Restore `backup` into a new database on the same server.

        While the scratch database exists, this process holds an advisory lock named after
        it on the server. The server releases the lock when the process's connection ends,
        however it ends, so `recover` can tell a scratch database still in use from one a
        killed run left behind.
        https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS

        Args:
            backup: The backup file.
            workdir: Unused: the scratch copy lives on the server.

        Yields:
            The new database's snapshot and its names. The database is dropped afterwards
            unless `replace_live` has made it the live one.
        """
        del workdir
        scratch = Scratch.new(self.database.name)
        with _server_errors(), self._maintenance() as guard:
            guard.execute("SELECT pg_advisory_lock(%s, %s)", scratch.lock_key)
            # template0 gives an empty database, whatever was added to template1.
            guard.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(
                    sql.Identifier(scratch.name)
                )
            )
            try:
                argv = [
                    "pg_restore",
                    "--exit-on-error",
                    "--single-transaction",
                    "--no-owner",
                    f"--dbname={self._conninfo(scratch.name)}",
                    str(backup),
                ]
                self._run(argv)
                with self._connect(scratch.name) as connection:
                    snapshot = postgres_snapshot(connection)
                yield snapshot, scratch
            finally:
                guard.execute(_drop(scratch.name))

    def empty_tables_without_rows(self, scratch: Scratch) -> None:
        """Empty the tables whose rows are never kept, in a scratch copy about to go live.

        Backups made by this tool hold no such rows; older ones may, and a restore must not
        bring back the sessions that were live when they were made.
        """
        with _server_errors(), self._connect(scratch.name) as connection:
            for schema, name in postgres_tables(connection):
                if name in self.tables_without_rows:
                    connection.execute(
                        sql.SQL("DELETE FROM {}").format(sql.Identifier(schema, name))
                    )

    def replace_live(self, scratch: Scratch) -> None:
        """Make the restored database the live one by swapping names in one transaction.

        Why a swap rather than `pg_restore --clean` into the live database: `--clean` drops
        only the objects the dump contains, so a table created after the backup (a newer
        migration) would survive next to the restored data.

        Both renames commit together or not at all, so whenever this process is killed the
        live name is on the complete old database or the complete restored one, and it
        accepts connections: nothing here ever refuses them for longer than the transaction.
        What may be left is the scratch copy (before the swap) or the replaced database
        (after it, its data is in the safety backup); `recover` removes either. It needs
        the rights to create and rename databases, and it ends the sessions still connected
        to the old database.
        """
        live = self.database.name
        with _server_errors(), self._maintenance() as admin:
            if not _database_exists(admin, live):
                admin.execute(_rename(scratch.name, live))
                return
            self._swap(admin, scratch)
            admin.execute(_drop(scratch.retired))

    def recover(self) -> list[str]:
        """Drop the scratch and replaced databases that killed runs left on the server.

        A database named like this tool's scratch copies whose advisory lock is free has no
        running command behind it. Runs of older versions of this tool, which disallowed
        connections to the live database during the swap, may have left it refusing every
        connection; that is undone too.

        Returns:
            One line per thing done, for the operator.
        """
        live = self.database.name
        done = []
        with _server_errors(), self._maintenance() as admin:
            names = admin.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s) ORDER BY datname",
                (f"{live[:SCRATCH_PREFIX_LENGTH]}_",),
            ).fetchall()
            live_exists = _database_exists(admin, live)
            for (name,) in names:
                scratch = Scratch.parse(live, str(name))
                if scratch is None:
                    continue
                if name == scratch.retired and not live_exists:
                    done.append(
                        f"left {name} alone: it holds the data a restore replaced and there is "
                        f"no database {live}; rename it back if it should be the live one"
                    )
                    continue
                done.extend(self._drop_if_abandoned(admin, scratch, str(name)))
            refuses = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s AND NOT datallowconn", (live,)
            ).fetchone()
            if done and refuses:
                admin.execute(_allow_connections(live))
                done.append(f"allowed connections to {live} again (a killed restore refused them)")
        return done

    def _drop_if_abandoned(
        self, admin: psycopg.Connection[Any], scratch: Scratch, name: str
    ) -> list[str]:
        row = admin.execute("SELECT pg_try_advisory_lock(%s, %s)", scratch.lock_key).fetchone()
        if not (row and row[0]):
            # A running restore or verify holds it.
            return []
        try:
            admin.execute(_drop(name))
        finally:
            admin.execute("SELECT pg_advisory_unlock(%s, %s)", scratch.lock_key)
        if name == scratch.retired:
            return [f"dropped database {name}: the data a restore replaced (in the safety backup)"]
        return [f"dropped database {name}: a scratch copy left by an interrupted run"]

    def _swap(self, admin: psycopg.Connection[Any], scratch: Scratch) -> None:
        live = self.database.name
        for _ in range(SWAP_ATTEMPTS):
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (live,),
            )
            try:
                # Renaming takes an exclusive lock on the database first, so sessions that
                # try to connect meanwhile wait for the transaction and then find the new
                # database under the name; the server itself waits a few seconds for the
                # ended sessions to go away before it gives up with ObjectInUse.
                with admin.transaction():
                    admin.execute(_rename(live, scratch.retired))
                    admin.execute(_rename(scratch.name, live))
            except psycopg.errors.ObjectInUse:
                # A session connected between ending them and renaming; try again shortly.
                time.sleep(SWAP_PAUSE_SECONDS)
                continue
            return
        msg = f"could not take over {live}: other sessions stay connected to it"
        raise BackupError(msg)

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
            raise DatabaseUnreachableError(_cannot_connect(self.database.url, exc)) from None

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


def _drop(name: str) -> sql.Composed:
    # FORCE ends the sessions still connected, such as a pg_restore left running by a
    # killed run.
    return sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))


def _allow_connections(name: str) -> sql.Composed:
    return sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(name))


# libpq's reasons for refusing a connection (it gives no SQLSTATE for them), each with the fix.
ROLE_MISSING = re.compile(r'role "(?P<name>[^"]+)" does not exist')
DATABASE_MISSING = re.compile(r'database "(?P<name>[^"]+)" does not exist')
PASSWORD_REFUSED = "password authentication failed"  # noqa: S105 - libpq's words, no secret
UNREACHABLE = (
    "Connection refused",
    "could not translate host",
    "failed to resolve host",
    "timeout",
)


def _cannot_connect(url: str, exc: psycopg.OperationalError) -> str:
    """One line naming the database (`url` holds no password) and what to do about it."""
    detail = str(exc)
    where = f"cannot connect to PostgreSQL at {url}"
    if role := ROLE_MISSING.search(detail):
        return (
            f"{where}: role {role['name']} does not exist; create it as a PostgreSQL superuser "
            f"(createuser --createdb --pwprompt {role['name']}) or fix DATABASE_URL in .env"
        )
    if database := DATABASE_MISSING.search(detail):
        return (
            f"{where}: database {database['name']} does not exist; create it "
            f"(createdb {database['name']}) and migrate, or fix DATABASE_URL in .env"
        )
    if PASSWORD_REFUSED in detail:
        return f"{where}: the password was refused; fix the password in DATABASE_URL in .env"
    if any(reason in detail for reason in UNREACHABLE):
        return (
            f"{where}: no server answers there; start PostgreSQL, or fix the host and port in "
            "DATABASE_URL in .env"
        )
    return f"{where}: {_first_line(detail)}; check DATABASE_URL in .env"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "no details"


def _last_line(text: str) -> str:
    return text.strip().splitlines()[-1] if text.strip() else "no details"
