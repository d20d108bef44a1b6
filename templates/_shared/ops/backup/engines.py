"""Choose the engine for a `DATABASE_URL`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from .settings import Settings, SqliteDatabase, parse_database_url
from .sqlite import SqliteEngine

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from pathlib import Path

    from .snapshot import Snapshot


class Engine(Protocol):
    """What the commands need from a database kind (see `sqlite.py` and `postgres.py`)."""

    kind: str
    suffix: str

    def describe(self) -> str:
        """Name the live database for messages."""

    def exists(self) -> bool:
        """Tell whether the live database exists."""

    def check(self) -> str:
        """Connect to the live database once; say that it answers, or raise a one-line error."""

    def tool_versions(self) -> dict[str, str | None]:
        """Return the versions of the programs that make the backup."""

    def live_snapshot(self) -> Snapshot:
        """Snapshot the live database as it is now."""

    def dump(self, target: Path) -> Snapshot:
        """Write a backup of the live database into `target` and snapshot it."""

    def restored_copy(
        self, backup: Path, workdir: Path
    ) -> AbstractContextManager[tuple[Snapshot, Any]]:
        """Restore `backup` into a scratch database; yield its snapshot and location.

        Scratch files go into `workdir` (the backup folder) under `.partial` names.
        """

    def empty_tables_without_rows(self, scratch: Any) -> None:
        """Empty the tables whose rows are never kept, in a scratch copy."""

    def replace_live(self, scratch: Any) -> None:
        """Put a checked scratch copy in place of the live database.

        Killed at any moment, it leaves the live database whole: old or new, never a mix.
        """

    def recover(self) -> list[str]:
        """Remove what killed runs left with the database; one line per thing done."""


def engine_for(settings: Settings) -> Engine:
    """Return the engine that handles the settings' `database_url`.

    Raises:
        BackupError: The URL names no database the tool supports.
    """
    database = parse_database_url(settings.database_url)
    if isinstance(database, SqliteDatabase):
        return SqliteEngine(database, settings.tables_without_rows)
    # Imported here so a SQLite project runs the tool without psycopg installed.
    from .postgres import PostgresEngine  # noqa: PLC0415

    return PostgresEngine(database, settings.tables_without_rows)
