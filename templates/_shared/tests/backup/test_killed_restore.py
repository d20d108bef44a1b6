"""A restore killed at any moment leaves the live database whole (SECURITY.md, "Backups").

The restore runs as the real command, `python -m ops.backup restore FILE --yes`, and is killed
with SIGKILL, as `kill -9` or the out-of-memory killer would: at each step it takes (started,
scratch copy being made, safety copy being written, live file half written, the swap
transaction waiting) and at delays spread over a run. After every kill the live database
must accept connections and hold exactly the old data or exactly the backup's, and the next
command must remove everything the killed run left, saying so.

The steps are reached deterministically, not by polling for signs of them: the command runs
under an observer (`OBSERVER`) that stops its own process (SIGSTOP) when the step begins, and
the test kills the stopped process. The observer only watches Python's audit events, except
at one step: it has SQLite copy into the live file a few pages at a time (still one
transaction, the file locked throughout), so that the process can stop half-way through.
https://docs.python.org/3/library/audit_events.html
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, redirect_stderr, redirect_stdout, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from ops.backup import Settings, create_backup, list_backups, snapshot_live
from ops.backup.__main__ import main as backup_command
from ops.backup.snapshot import sqlite_snapshot

from .conftest import PROJECT_ROOT, run_sql
from .helpers import read_manifest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    import psycopg

# Kills at fractions of the longest run to a step, after the kills at each step.
DELAY_KILLS = 2
POLL_SECONDS = 0.002
RUN_TIMEOUT_SECONDS = 60
SCHEMA = (
    "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)",
    "INSERT INTO alembic_version VALUES ('0001_kill')",
    "CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT, done BOOLEAN)",
    "CREATE INDEX tasks_title ON tasks (title)",
    # A recursive count works on both databases, so both hold the same rows.
    (
        "INSERT INTO tasks (id, title, body, done)"
        " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})"
        " SELECT i, 'task number ' || i, 'a body long enough to make the restore take a while,"
        " one row after another, number ' || i, i % 2 = 0 FROM n"
    ),
)
# Applied to the backed-up data, gives the "old" data the restore replaces; applying it again
# after a finished restore gives the same old data back.
MAKE_OLD = (
    "DELETE FROM tasks WHERE id % 4 = 0",
    "UPDATE tasks SET title = title || ' (edited)' WHERE id % 3 = 0",
)

# What the kill interrupted, as seen from outside before the next command runs.
STARTING = "starting (no scratch copy yet)"
RESTORING = "restoring into the scratch copy"
SAFETY_COPY = "writing the safety copy"
SWAPPING = "inside the swap transaction"
WRITING_LIVE = "writing the live file"
SWAPPED = "after the swap, before the end"
FINISHED = "finished before the kill"
# Listed among the leftovers while the test holds a swap transaction waiting.
SWAP_MARK = "(a swap transaction held waiting)"


@dataclass(frozen=True)
class Step:
    """A step of the restore at which the observer stops the command.

    Attributes:
        name: The step, as `OBSERVER` knows it.
        then: Given, the command goes on from the step and is killed once `then()` holds;
            it is called a first time while the command stands still at the step.
    """

    name: str
    then: Callable[[], bool] | None = None


if TYPE_CHECKING:
    # A step the observer stops the command at, a delay in seconds, or a condition polled
    # until it holds.
    Trigger = Step | float | Callable[[], bool]


# Run with `python -c OBSERVER STEP restore FILE --yes`: the command itself, stopped by its own
# SIGSTOP as STEP begins.
OBSERVER = """
import os, runpy, signal, sqlite3, sys

step = sys.argv.pop(1)
backup_dir = os.path.realpath(os.environ["BACKUP_DIR"])


def stop():
    os.kill(os.getpid(), signal.SIGSTOP)


def observe(event, args):
    if step == "starting":
        # Reading the manifest of the backup to restore: nothing written yet.
        reached = event == "open" and str(args[0]).endswith(".json") and (
            os.path.dirname(os.path.realpath(str(args[0]))) == backup_dir)
    elif step == "restoring":
        # The scratch copy exists and the backup is about to be copied into it.
        reached = (event == "sqlite3.connect" and ".scratch-" in str(args[0])) or (
            event == "subprocess.Popen" and args[1][0] == "pg_restore")
    elif step == "safety copy":
        # The safety copy's partial file exists and the live database is about to be read.
        reached = (event == "sqlite3.connect" and str(args[0]).endswith(".partial")) or (
            event == "subprocess.Popen" and args[1][0] == "pg_dump"
            and "--version" not in args[1])
    else:
        reached = False
    if reached:
        # Once only: an audit hook cannot be removed.
        globals()["step"] = "done"
        stop()


if step == "writing live":
    live = os.path.realpath(os.environ["DATABASE_URL"].split(":///", 1)[1])
    journal = live + "-journal"
    connect = sqlite3.connect

    class Stepwise(sqlite3.Connection):
        def backup(self, target, **options):
            if getattr(target, "path", None) == live:
                def progress(status, remaining, total):
                    if remaining <= total // 2 and os.path.exists(journal):
                        stop()
                options.update(pages=8, progress=progress)
            return super().backup(target, **options)

    def connect_stepwise(database, *args, **kwargs):
        connection = connect(database, *args, factory=Stepwise, **kwargs)
        if not kwargs.get("uri"):
            connection.path = os.path.realpath(database)
        return connection

    sqlite3.connect = connect_stepwise

sys.addaudithook(observe)
runpy.run_module("ops.backup", run_name="__main__", alter_sys=True)
"""


def _start_restore(
    settings: Settings, backup: Path, step: Step | None = None
) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "BACKUP_DIR": str(settings.backup_dir),
    }
    command = ["restore", backup.name, "--yes"]
    program = ["-m", "ops.backup"] if step is None else ["-c", OBSERVER, step.name]
    # Its own session, so the test can end the pg_restore or pg_dump a kill orphans.
    return subprocess.Popen(  # noqa: S603 (the test's interpreter, fixed arguments, no shell)
        [sys.executable, *program, *command],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _kill(process: subprocess.Popen[bytes], trigger: Trigger) -> bool:
    """Kill the restore at a step, after a delay or once `trigger()` is true.

    Returns:
        False if the restore ended before.
    """
    if isinstance(trigger, Step):
        # Returns when the observer has stopped the command, or when it ended before.
        _, status = os.waitpid(process.pid, os.WUNTRACED)
        if not os.WIFSTOPPED(status):
            process.returncode = os.waitstatus_to_exitcode(status)
            return False
        if trigger.then is None:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=RUN_TIMEOUT_SECONDS)
            return process.returncode == -signal.SIGKILL
        trigger.then()
        process.send_signal(signal.SIGCONT)
        trigger = trigger.then
    started = time.monotonic()
    while process.poll() is None:
        due = time.monotonic() - started >= trigger if isinstance(trigger, float) else trigger()
        if due:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=RUN_TIMEOUT_SECONDS)
            return process.returncode == -signal.SIGKILL
        time.sleep(POLL_SECONDS)
    return False


def _end_orphans(process: subprocess.Popen[bytes]) -> None:
    # A killed restore leaves its pg_restore or pg_dump running; they end here, after the
    # next command has had to cope with them.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _leftover_files(settings: Settings) -> list[str]:
    """Partial files and scratch folders, and backups without a readable manifest."""
    partial = [path.name for path in settings.backup_dir.glob("*.partial")]
    without_manifest = [
        entry.path.name for entry in list_backups(settings) if entry.manifest is None
    ]
    return sorted(partial) + without_manifest


def _next_command(settings: Settings) -> tuple[int, str]:
    """Run `python -m ops.backup backup` in this process, as the next command after a kill.

    What is tested is the killed process; the next command is the same code either way.

    Returns:
        Its exit status and what it wrote on stderr.
    """
    environment = {"DATABASE_URL": settings.database_url, "BACKUP_DIR": str(settings.backup_dir)}
    errors = io.StringIO()
    with (
        pytest.MonkeyPatch.context() as patch,
        redirect_stdout(io.StringIO()),
        redirect_stderr(errors),
    ):
        for name, value in environment.items():
            patch.setenv(name, value)
        patch.delenv("INVOKED_VIA", raising=False)
        status = backup_command(["backup"])
    return status, errors.getvalue()


@dataclass
class Subject:
    """One database under test and how to look at it from outside.

    Attributes:
        settings: The tool's settings for this database.
        old: The tables before the restore (as a manifest describes them).
        new: The tables of the backup being restored.
        backup: The backup being restored.
        leftovers: Lists what a killed run left (databases, files, a journal).
        app_view: Opens the live database as the application would and returns its
            tables; fails if it cannot be opened.
    """

    settings: Settings
    old: dict[str, Any]
    new: dict[str, Any]
    backup: Path
    leftovers: Callable[[], list[str]]
    app_view: Callable[[], dict[str, Any]]


def _prepare(settings: Settings, rows: int) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """Seed `rows` tasks, back them up, then change them; return the backup, old and new tables."""
    run_sql(settings.database_url, *(statement.format(rows=rows) for statement in SCHEMA))
    backup = create_backup(settings)
    _make_old(settings)
    return backup, snapshot_live(settings)["tables"], read_manifest(backup)["tables"]


def _make_old(settings: Settings) -> None:
    run_sql(settings.database_url, *MAKE_OLD)


def _run_kills(
    subject: Subject, plans: list[tuple[str, Trigger]], timings: list[float] | None = None
) -> list[str]:
    """Kill one restore per plan and check what each kill left; return the phases hit.

    Args:
        subject: The database under test.
        plans: What each kill is called and when it happens.
        timings: Given, receives the seconds from each start to its kill.
    """
    phases = []
    for description, trigger in plans:
        started = time.monotonic()
        process = _start_restore(
            subject.settings, subject.backup, trigger if isinstance(trigger, Step) else None
        )
        try:
            killed = _kill(process, trigger)
            if timings is not None:
                timings.append(time.monotonic() - started)
            errors = process.stderr.read().decode() if process.stderr else ""
            assert killed or process.returncode == 0, f"{description}: {errors}"
            left = subject.leftovers()
            live = subject.app_view()
            # What the killed run's last statement on the server had not removed by itself.
            still_left = subject.leftovers()
        finally:
            _end_orphans(process)
            if process.stderr is not None:
                process.stderr.close()
        phase = _phase(subject, killed=killed, left=left, live=live)
        phases.append(phase)
        context = f"killed {description} ({phase}); left: {left}"
        _check_after_kill(subject, live, context, still_left)
        if live == subject.new:
            _make_old(subject.settings)
    return phases


def _phase(subject: Subject, *, killed: bool, left: list[str], live: dict[str, Any]) -> str:
    if not killed:
        return FINISHED
    if live == subject.new:
        return SWAPPED
    signs: list[tuple[Callable[[str], bool], str]] = [
        (lambda name: name == SWAP_MARK, SWAPPING),
        (lambda name: name.endswith("-journal"), WRITING_LIVE),
        (lambda name: name.startswith("backup-"), SAFETY_COPY),
    ]
    for sign, phase in signs:
        if any(sign(name) for name in left):
            return phase
    return RESTORING if left else STARTING


def _check_after_kill(
    subject: Subject, live: dict[str, Any], context: str, left: list[str]
) -> None:
    assert live in (subject.old, subject.new), f"live data is neither old nor new: {context}"
    before = len(list_backups(subject.settings))

    status, errors = _next_command(subject.settings)

    assert status == 0, f"{errors} ({context})"
    assert subject.leftovers() == [], context
    if left:
        assert "recovered: " in errors, context
    for name in left:
        assert name in errors, context
    entries = list_backups(subject.settings)
    assert len(entries) == before + 1, context
    assert entries[0].manifest is not None, context
    # The next backup holds the same whole database the application saw after the kill.
    assert entries[0].manifest["tables"] == live, context


def _delay_plans(timings: list[float]) -> list[tuple[str, Trigger]]:
    """Kill points spread over the longest run the kills at each step timed."""
    duration = max(timings)
    plans: list[tuple[str, Trigger]] = []
    for step in range(1, DELAY_KILLS + 1):
        delay = duration * step / (DELAY_KILLS + 1)
        plans.append((f"after {delay:.2f} s of a {duration:.2f} s run", delay))
    return plans


# The kills at each step, both databases.
STEP_PLANS: list[tuple[str, Trigger]] = [
    ("as it starts, reading the manifest", Step("starting")),
    ("as the backup is copied into the scratch copy", Step("restoring")),
    ("as the safety copy is written", Step("safety copy")),
]


# PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture
def kill_postgres(tmp_path: Path) -> Iterator[tuple[Settings, psycopg.Connection[Any]]]:
    """A fresh PostgreSQL database for the kills, and an autocommit connection to the server."""
    server_url = os.environ.get("TEST_DATABASE_URL", "")
    if not server_url.startswith(("postgresql", "postgres:")):
        pytest.skip("set TEST_DATABASE_URL to a postgresql:// URL to run the PostgreSQL cases")
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql  # noqa: PLC0415 (only once psycopg is known to be installed)

    plain = "postgresql" + server_url[server_url.index("://") :]
    name = f"backup_kill_{secrets.token_hex(6)}"
    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = plain.rsplit("/", 1)[0] + "/" + name
        try:
            yield Settings(database_url=url, backup_dir=tmp_path / "backups"), admin
        finally:
            for (other,) in admin.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", (name,)
            ).fetchall():
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(other)
                    )
                )


def _settle(admin: psycopg.Connection[Any], live_name: str) -> None:
    """Wait until the server has finished the statement a killed restore had sent last.

    The server carries on with a statement whose client died (a DROP DATABASE, say) until
    it ends, so a leftover may still vanish on its own in the first moments after a kill.
    """
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        busy = admin.execute(
            "SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()"
            " AND datname IN ('postgres', 'template1') AND strpos(query, %s) > 0",
            (live_name,),
        ).fetchone()
        if busy is None:
            return
        time.sleep(POLL_SECONDS)


class PostgresWatch:
    """Looks at a PostgreSQL restore from outside: its databases, files and transactions."""

    def __init__(self, settings: Settings, admin: psycopg.Connection[Any]) -> None:
        """Watch the live database of `settings` through the server connection `admin`."""
        self.settings = settings
        self.admin = admin
        self.server_url, _, self.live_name = settings.database_url.rpartition("/")
        # A connection the test holds to the scratch copy, to stop the swap half-way.
        self.holder: psycopg.Connection[Any] | None = None

    def scratch_databases(self) -> list[str]:
        """The databases named after the live one: scratch copies and replaced databases."""
        rows = self.admin.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s) ORDER BY datname",
            (f"{self.live_name}_",),
        ).fetchall()
        return [str(row[0]) for row in rows]

    def leftovers(self) -> list[str]:
        """Everything a killed run may have left."""
        swap = [SWAP_MARK] if self.holder else []
        return self.scratch_databases() + _leftover_files(self.settings) + swap

    def app_view(self) -> dict[str, Any]:
        """Connect to the live name as the application would, once the server has settled."""
        # A swap transaction killed half-way ends when its statement does: let it.
        if self.holder is not None:
            self.holder.close()
            self.holder = None
        _settle(self.admin, self.live_name)
        # Connecting waits while such a transaction still holds the database's lock.
        tables: dict[str, Any] = snapshot_live(self.settings)["tables"]
        return tables

    def swap_waiting(self) -> bool:
        """The swap transaction has begun and waits, because the test holds the scratch copy."""
        import psycopg  # noqa: PLC0415 (the fixture skipped the test without it)

        if self.holder is None:
            scratch = next((n for n in self.scratch_databases() if "_restore_" in n), None)
            if scratch is None:
                return False
            try:
                self.holder = psycopg.connect(f"{self.server_url}/{scratch}", autocommit=True)
            except psycopg.OperationalError:
                return False
        waiting = self.admin.execute(
            "SELECT 1 FROM pg_stat_activity WHERE state = 'active'"
            " AND query ILIKE 'ALTER DATABASE%%RENAME%%' AND strpos(query, %s) > 0",
            (self.live_name,),
        ).fetchone()
        return waiting is not None

    def replaced_left(self) -> bool:
        """The swap has committed and the replaced database is not dropped yet."""
        return any("_replaced_" in name for name in self.scratch_databases())


def test_killed_postgresql_restore_leaves_the_live_database_whole(
    kill_postgres: tuple[Settings, psycopg.Connection[Any]],
) -> None:
    settings, admin = kill_postgres
    # The observer stops the steps, so the size does not matter to reach them.
    backup, old, new = _prepare(settings, rows=2_000)
    watch = PostgresWatch(settings, admin)
    subject = Subject(settings, old, new, backup, watch.leftovers, watch.app_view)
    timings: list[float] = []
    plans = [
        *STEP_PLANS,
        # Held from the safety copy on, the scratch database makes the swap wait.
        ("while the swap transaction waits", Step("safety copy", then=watch.swap_waiting)),
        ("once the replaced database exists", watch.replaced_left),
    ]

    phases = _run_kills(subject, plans, timings)
    _run_kills(subject, _delay_plans(timings))

    # The kills reached every step of the run, the new data included (unless the run had
    # dropped the replaced database before the test saw it).
    assert phases[:4] == [STARTING, RESTORING, SAFETY_COPY, SWAPPING], phases
    assert phases[4] in {SWAPPED, FINISHED}, phases


# SQLite -------------------------------------------------------------------------------------


@pytest.mark.long
def test_killed_sqlite_restore_leaves_the_live_database_whole(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    settings = Settings(database_url=f"sqlite:///{live}", backup_dir=tmp_path / "backups")
    # The observer stops the steps, so the size does not matter to reach them; a copy into the
    # live file still takes some 9 steps of 8 pages.
    backup, old, new = _prepare(settings, rows=2_000)
    journal = live.with_name(live.name + "-journal")

    def leftovers() -> list[str]:
        found = _leftover_files(settings)
        return found + ([journal.name] if journal.exists() else [])

    def app_view() -> dict[str, Any]:
        # The application opens the file read-write, which rolls back a journal a killed
        # write left; it does so here on a copy, so the next command still meets the journal.
        copy = tmp_path / "app-view"
        shutil.rmtree(copy, ignore_errors=True)
        copy.mkdir()
        for path in (live, journal):
            if path.exists():
                shutil.copy(path, copy / path.name)
        with closing(sqlite3.connect(copy / live.name)) as connection:
            tables: dict[str, Any] = sqlite_snapshot(connection)["tables"]
        return tables

    subject = Subject(settings, old, new, backup, leftovers, app_view)
    timings: list[float] = []
    plans = [*STEP_PLANS, ("half-way through writing the live file", Step("writing live"))]

    phases = _run_kills(subject, plans, timings)
    _run_kills(subject, _delay_plans(timings))

    assert phases == [STARTING, RESTORING, SAFETY_COPY, WRITING_LIVE], phases
