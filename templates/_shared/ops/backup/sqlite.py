"""SQLite: copies are made with SQLite's online backup API, never by copying the live file.

Copying the file while the application writes can capture a half-written page or miss what
still sits in the write-ahead log; the backup API copies a consistent state page by page.
https://www.sqlite.org/backup.html
"""

from __future__ import annotations

import platform
import sqlite3
import tempfile
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .files import PARTIAL_SUFFIX
from .settings import BackupError, SqliteDatabase
from .snapshot import Snapshot, quote_sqlite, sqlite_snapshot

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator


class SqliteEngine:
    """Backs up, checks and restores one SQLite database file."""

    kind = "sqlite"
    suffix = ".sqlite3"

    def __init__(self, database: SqliteDatabase, tables_without_rows: Collection[str]) -> None:
        """Remember the database file and the tables whose rows are never kept."""
        self.path = database.path
        self.tables_without_rows = tables_without_rows

    def describe(self) -> str:
        """Name the live database for messages."""
        return f"SQLite database {self.path}"

    def check(self) -> str:
        """Say whether the database file exists or the migrations will create it.

        Raises:
            BackupError: The file's folder does not exist, so SQLite could not create it.
        """
        if self.exists():
            return f"ok: {self.describe()} exists"
        if not self.path.parent.is_dir():
            msg = (
                f"the folder of {self.describe()} does not exist; create "
                f"{self.path.parent} or fix DATABASE_URL in .env"
            )
            raise BackupError(msg)
        return f"ok: {self.describe()} does not exist yet; the migrations create it"

    def exists(self) -> bool:
        """Tell whether the live database file exists."""
        return self.path.is_file()

    def tool_versions(self) -> dict[str, str | None]:
        """Return the versions that produced the backup."""
        return {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}

    def live_snapshot(self) -> Snapshot:
        """Snapshot the live database as a backup of it would be described."""
        with closing(_open_read_only(self.path)) as live:
            return sqlite_snapshot(live, without_rows=self.tables_without_rows)

    def dump(self, target: Path) -> Snapshot:
        """Copy the live database into `target`, leaving out rows never kept, and snapshot it.

        The snapshot is taken from the copy, not the live file, so it describes exactly what
        was saved even while the application keeps writing.
        """
        if not self.exists():
            msg = f"database file {self.path} does not exist (run the migrations first)"
            raise BackupError(msg)
        with closing(_open_read_only(self.path)) as live, closing(sqlite3.connect(target)) as copy:
            live.backup(copy)
            if _empty_tables(copy, self.tables_without_rows):
                # VACUUM rewrites the file, so not even a free page keeps the deleted rows.
                copy.execute("VACUUM")
            return sqlite_snapshot(copy)

    @contextmanager
    def restored_copy(self, backup: Path, workdir: Path) -> Iterator[tuple[Snapshot, Path]]:
        """Restore `backup` into a scratch file in a private folder inside `workdir`.

        The folder's name ends in `.partial`, so the next command removes it if this process
        is killed before it can (see leftovers.py).

        Yields:
            The scratch copy's snapshot and its path; the folder is removed afterwards.

        Raises:
            BackupError: The backup is not a sound SQLite database.
        """
        with tempfile.TemporaryDirectory(
            prefix=".scratch-", suffix=PARTIAL_SUFFIX, dir=workdir
        ) as folder:
            scratch = Path(folder) / "scratch.sqlite3"
            try:
                snapshot = _copy_and_check(backup, scratch)
            except sqlite3.DatabaseError as exc:
                msg = f"{backup.name} is not a readable SQLite database ({exc})"
                raise BackupError(msg) from None
            yield snapshot, scratch

    def empty_tables_without_rows(self, scratch: Path) -> None:
        """Empty the tables whose rows are never kept, in a scratch copy about to go live.

        Backups made by this tool hold no such rows; older ones may, and a restore must not
        bring back the sessions that were live when they were made.
        """
        with closing(sqlite3.connect(scratch)) as copy:
            _empty_tables(copy, self.tables_without_rows)

    def recover(self) -> list[str]:
        """Clear the journal a killed write left beside the live database file.

        A process killed while writing (a restore, or the application) leaves a journal. If
        it is "hot", SQLite rolls it back on the next read-write open, but a read-only open,
        which is how backups read the database, fails on it. If it was killed before the
        journal was complete, the file was not changed and the journal is debris.
        https://www.sqlite.org/atomiccommit.html#hot_rollback_journals

        Returns:
            One line per thing done, for the operator.
        """
        journal = self.path.with_name(self.path.name + "-journal")
        if not (self.exists() and journal.exists()):
            return []
        uri = f"{self.path.resolve().as_uri()}?mode=rw"
        with closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as live:
            # Taking the lock rolls back a hot journal first. Holding it exclusively means
            # no other connection is writing, so a journal still there belongs to nobody.
            live.execute("BEGIN EXCLUSIVE")
            try:
                if not journal.exists():
                    return [f"rolled back the unfinished write that {journal} held"]
                journal.unlink()
            finally:
                live.execute("COMMIT")
        return [f"removed {journal}, the unused journal of a killed write"]

    def replace_live(self, scratch: Path) -> None:
        """Overwrite the live database with a checked scratch copy.

        The backup API writes the whole copy in one transaction on the live file, so other
        connections see either the old or the new database, never a mix.
        """
        with (
            closing(_open_read_only(scratch)) as source,
            closing(sqlite3.connect(self.path)) as live,
        ):
            source.backup(live)


def _copy_and_check(backup: Path, scratch: Path) -> Snapshot:
    with closing(_open_read_only(backup)) as source, closing(sqlite3.connect(scratch)) as copy:
        source.backup(copy)
        (result,) = copy.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            msg = f"integrity check failed: {result}"
            raise sqlite3.DatabaseError(msg)
        return sqlite_snapshot(copy)


def _empty_tables(database: sqlite3.Connection, tables: Collection[str]) -> bool:
    # secure_delete overwrites the deleted rows with zeros instead of leaving them in free
    # pages, where they could still be read out of the file.
    present = [
        name
        for name in tables
        if database.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
    ]
    if not present:
        return False
    database.execute("PRAGMA secure_delete = ON")
    for name in present:
        # The name is quoted and comes from the project's settings, not from input.
        database.execute(f"DELETE FROM {quote_sqlite(name)}")  # noqa: S608  # nosec B608
    database.commit()
    return True


def _open_read_only(path: Path) -> sqlite3.Connection:
    # mode=ro: reading a backup or the live database must never create or change it.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
