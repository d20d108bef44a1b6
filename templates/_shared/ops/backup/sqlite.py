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

from .settings import BackupError, SqliteDatabase
from .snapshot import Snapshot, sqlite_snapshot

if TYPE_CHECKING:
    from collections.abc import Iterator


class SqliteEngine:
    """Backs up, checks and restores one SQLite database file."""

    kind = "sqlite"
    suffix = ".sqlite3"

    def __init__(self, database: SqliteDatabase) -> None:
        """Remember the database file; nothing is opened yet."""
        self.path = database.path

    def describe(self) -> str:
        """Name the live database for messages."""
        return f"SQLite database {self.path}"

    def exists(self) -> bool:
        """Tell whether the live database file exists."""
        return self.path.is_file()

    def tool_versions(self) -> dict[str, str | None]:
        """Return the versions that produced the backup."""
        return {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}

    def live_snapshot(self) -> Snapshot:
        """Snapshot the live database as it is now."""
        with closing(_open_read_only(self.path)) as live:
            return sqlite_snapshot(live)

    def dump(self, target: Path) -> Snapshot:
        """Copy the live database into `target` and snapshot the copy.

        The snapshot is taken from the copy, not the live file, so it describes exactly what
        was saved even while the application keeps writing.
        """
        if not self.exists():
            msg = f"database file {self.path} does not exist (run the migrations first)"
            raise BackupError(msg)
        with closing(_open_read_only(self.path)) as live, closing(sqlite3.connect(target)) as copy:
            live.backup(copy)
            return sqlite_snapshot(copy)

    @contextmanager
    def restored_copy(self, backup: Path) -> Iterator[tuple[Snapshot, Path]]:
        """Restore `backup` into a scratch file in a private temporary folder.

        Yields:
            The scratch copy's snapshot and its path; the folder is removed afterwards.

        Raises:
            BackupError: The backup is not a sound SQLite database.
        """
        with tempfile.TemporaryDirectory(prefix="backup-verify-") as folder:
            scratch = Path(folder) / "scratch.sqlite3"
            try:
                snapshot = _copy_and_check(backup, scratch)
            except sqlite3.DatabaseError as exc:
                msg = f"{backup.name} is not a readable SQLite database ({exc})"
                raise BackupError(msg) from None
            yield snapshot, scratch

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


def _open_read_only(path: Path) -> sqlite3.Connection:
    # mode=ro: reading a backup or the live database must never create or change it.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
