"""Exercise 12: number each user's tasks (a data migration that backfills a new column).

The migration test runs the project's own migration command in a subprocess
(``migration_command`` in ``conftest_framework.py``): down one migration at a time until
``number`` is gone (the learner's migration, and any later exercise's after it), then rows written
with plain SQL as an older release would have left them, then up again, down again and up again.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    Table,
    func,
    inspect,
    select,
)
{%- if with_files %}

from tests.contract.helpers import attach
{%- endif %}

from .conftest_framework import migration_command
from .support import API, expect, expect_field_error, expect_key

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from tests.contract.helpers import Account

    from .schema import StoredSchema

pytestmark = pytest.mark.exercise

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The learner's migration, and the migrations of exercises after it: enough steps down.
MOST_STEPS_DOWN = 4
# How the tests find the tasks table and its owner column whatever the framework names them.
TASK_COLUMNS = {"title", "status", "priority", "due_date", "created_at"}
MARCH = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
# Tasks an older release left behind, in the order they were inserted (so in id order):
# (owner, title, days after 1 March 2024, number the backfill must give).
SEEDED = [
    ("alice", "alice 3 March", 2, 4),
    ("bob", "bob 2 March", 1, 2),
    ("alice", "alice 1 March", 0, 1),
    ("alice", "alice 2 March, first id", 1, 2),
    ("bob", "bob 1 March", 0, 1),
    ("alice", "alice 2 March, second id", 1, 3),
]


def _create(client: httpx.Client, account: Account, title: str = "a task") -> dict[str, Any]:
    response = client.post(f"{API}/tasks", json={"title": title}, headers=account.headers)
    task: dict[str, Any] = expect(response, HTTPStatus.CREATED, f"POST {API}/tasks")
    return task


def _number(task: dict[str, Any], what: str) -> Any:
    return expect_key(task, "number", what)


def _listed_numbers(client: httpx.Client, account: Account) -> dict[str, Any]:
    page = expect(
        client.get(f"{API}/tasks", params={"limit": 100}, headers=account.headers),
        HTTPStatus.OK,
        f"GET {API}/tasks",
    )
    return {item["title"]: _number(item, "a task of the list") for item in page["items"]}


def test_each_owner_numbers_their_tasks_from_one(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice, bob = signed_in(), signed_in()
    first = _create(client, alice, "alice first")
    assert _number(first, "the task POST /tasks created") == 1, "a user's first task is number 1"
    assert _number(_create(client, bob, "bob first"), "bob's first task") == 1, (
        "every owner counts on their own: bob's first task is 1 whatever alice has"
    )
    assert _number(_create(client, alice, "alice second"), "alice's second task") == 2
    assert _number(_create(client, bob, "bob second"), "bob's second task") == 2
    assert _number(_create(client, alice, "alice third"), "alice's third task") == 3

    fetched = expect(
        client.get(f"{API}/tasks/{first['id']}", headers=alice.headers),
        HTTPStatus.OK,
        f"GET {API}/tasks/{first['id']}",
    )
    assert _number(fetched, "the task GET shows") == 1
    assert _listed_numbers(client, alice) == {
        "alice first": 1,
        "alice second": 2,
        "alice third": 3,
    }
    updated = expect(
        client.patch(
            f"{API}/tasks/{first['id']}", json={"title": "renamed"}, headers=alice.headers
        ),
        HTTPStatus.OK,
        f"PATCH {API}/tasks/{first['id']}",
    )
    assert _number(updated, "the task PATCH answers with") == 1, "a change keeps the number"


def test_the_number_is_read_only(client: httpx.Client, signed_in: Callable[..., Account]) -> None:
    alice = signed_in()
    task = _create(client, alice)
    assert _number(task, "the created task") == 1
    expect_field_error(
        client.patch(f"{API}/tasks/{task['id']}", json={"number": 7}, headers=alice.headers),
        "number",
        f"PATCH {API}/tasks/{task['id']} with a number (read-only, like id)",
    )
    expect_field_error(
        client.post(f"{API}/tasks", json={"title": "t", "number": 7}, headers=alice.headers),
        "number",
        f"POST {API}/tasks with a number (read-only, like id)",
    )


def test_a_number_is_never_used_again_after_a_delete(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice, bob = signed_in(), signed_in()
    tasks = [_create(client, alice, f"task {n}") for n in range(3)]
    assert [_number(task, "a created task") for task in tasks] == [1, 2, 3]
    for task in tasks[1:]:
        expect(
            client.delete(f"{API}/tasks/{task['id']}", headers=alice.headers),
            HTTPStatus.NO_CONTENT,
            f"DELETE {API}/tasks/{task['id']}",
        )
    assert _number(_create(client, alice), "the task created after deleting 2 and 3") == 4, (
        "a new task gets the highest number the owner ever had + 1: after deleting tasks 2 and "
        "3, the next one is 4, not 2 (a number, once shown, names one task forever)"
    )
    assert _number(_create(client, bob), "bob's first task") == 1, "bob's numbers are his own"


def _tasks_table(schema: StoredSchema) -> tuple[str, str]:
    """The tasks table's name and its owner column (the foreign key to the users table)."""
    tasks = schema.table_with_columns(TASK_COLUMNS)
    assert tasks, "the database has no tasks table; is it migrated?"
    owners = [
        column
        for column, table in schema.foreign_keys(tasks).items()
        if schema.column(table, "email") is not None
    ]
    assert len(owners) == 1, f"{tasks} should have one foreign key to the users; it has {owners}"
    return tasks, owners[0]


def _assert_numbered(schema: StoredSchema, when: str) -> tuple[str, str]:
    tasks, owner = _tasks_table(schema)
    column = schema.column(tasks, "number")
    assert column is not None, (
        f"Schema check ({when}): the tasks table ({tasks}) has no `number` column; add it with "
        "a migration (the exercise's one migration adds, fills and constrains it)"
    )
    assert isinstance(column["type"], Integer), (
        f"Schema check ({when}): {tasks}.number should be an integer column, not {column['type']}"
    )
    assert not column["nullable"], (
        f"Schema check ({when}): {tasks}.number must be NOT NULL (every task has a number); "
        "the migration makes it NOT NULL once every row has one"
    )
    wanted = frozenset({owner, "number"})
    assert wanted in schema.unique_column_sets(tasks), (
        f"Schema check ({when}): no unique constraint on ({owner}, number) in {tasks}, so the "
        f"database would accept two tasks of one owner with the same number; it has unique "
        f"sets {sorted(sorted(s) for s in schema.unique_column_sets(tasks))}"
    )
    return tasks, owner


def test_the_number_is_not_null_and_unique_per_owner(stored_schema: StoredSchema) -> None:
    _assert_numbered(stored_schema, "after the migrations")


def _migrate(request: pytest.FixtureRequest, direction: str, database_url: str) -> None:
    argv, environment = migration_command(request, direction, database_url)
    done = subprocess.run(  # noqa: S603 - the project's own command, fixed arguments
        argv,
        cwd=PROJECT_ROOT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 0, (
        f"Migrating {direction} with `{' '.join(argv[1:])}` failed (exit {done.returncode}): "
        f"...{output[-1500:]}"
    )


def _migrate_down_past_the_numbers(
    request: pytest.FixtureRequest, schema: StoredSchema, tasks: str, database_url: str
) -> None:
    """Migrate down one migration at a time until the tasks table has no `number` column."""
    for _ in range(MOST_STEPS_DOWN):
        _migrate(request, "down", database_url)
        if schema.column(tasks, "number") is None:
            return
    pytest.fail(
        f"{MOST_STEPS_DOWN} migrations down, the tasks table still has `number`: the migration "
        "that adds the column must also take it away when it is undone"
    )


def _filler(kind: Any, created: dt.datetime) -> Any:
    """A value for a NOT NULL column the seed does not name (columns of other exercises)."""
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, DateTime):
        return created
    if isinstance(kind, Date):
        return created.date()
    if isinstance(kind, (Integer, Numeric)):
        return 0
    return ""


def _seed(schema: StoredSchema, tasks: str, owner: str, owners: dict[str, int]) -> None:
    """Insert SEEDED through SQLAlchemy Core on the reflected table, as the old release did."""
    with schema.engine.begin() as connection:
        table = Table(tasks, MetaData(), autoload_with=connection)
        for name, title, days, _ in SEEDED:
            created = MARCH + dt.timedelta(days=days)
            if not table.c.created_at.type.timezone:  # type: ignore[attr-defined]
                created = created.replace(tzinfo=None)  # naive columns hold UTC
            row: dict[str, Any] = {
                owner: owners[name],
                "title": title,
                "description": "",
                "status": "todo",
                "priority": "medium",
                "due_date": None,
                "created_at": created,
            }
            for column in table.columns:
                needed = not (column.nullable or column.primary_key or column.server_default)
                if needed and column.name not in row:
                    row[column.name] = _filler(column.type, created)
            connection.execute(table.insert().values(**row))


def _stored_numbers(schema: StoredSchema, tasks: str) -> dict[str, Any]:
    with schema.engine.connect() as connection:
        table = Table(tasks, MetaData(), autoload_with=connection)
        return dict(connection.execute(select(table.c.title, table.c.number)).all())


def test_the_migration_numbers_existing_tasks_and_goes_down_and_up(
    request: pytest.FixtureRequest,
    client: httpx.Client,
    signed_in: Callable[..., Account],
    stored_schema: StoredSchema,
    database_url: str,
) -> None:
    tasks, owner = _assert_numbered(stored_schema, "after the migrations")
    alice, bob = signed_in(), signed_in()
    signed_in()  # a user without tasks
    owners = {"alice": alice.user["id"], "bob": bob.user["id"]}

    _migrate_down_past_the_numbers(request, stored_schema, tasks, database_url)
    _seed(stored_schema, tasks, owner, owners)
    _migrate(request, "up", database_url)

    expected = {title: number for _, title, _, number in SEEDED}
    assert _stored_numbers(stored_schema, tasks) == expected, (
        "the migration numbers each owner's existing tasks 1, 2, 3... by created_at, ties by "
        f"id; expected {expected} in the database"
    )
    _assert_numbered(stored_schema, "after migrating down and up")
    assert _listed_numbers(client, alice) == {
        title: number for name, title, _, number in SEEDED if name == "alice"
    }, "GET /tasks shows the numbers the migration gave"
    newest = _create(client, alice, "alice new")
    assert _number(newest, "alice's task made after the migration") == 5, (
        "after the migration, alice's highest number is 4, so her next task is 5"
    )
    assert _number(_create(client, bob, "bob new"), "bob's task made after the migration") == 3
{%- if with_files %}
    attach(client, alice, newest["id"])
{%- endif %}
    pointing = _rows_pointing_at(stored_schema, tasks)

    _migrate_down_past_the_numbers(request, stored_schema, tasks, database_url)
    assert not [s for s in stored_schema.unique_column_sets(tasks) if "number" in s]
    titles = sorted(_stored_titles(stored_schema, tasks))
    assert titles == sorted([*expected, "alice new", "bob new"]), (
        "migrating down keeps every task; it only removes the numbers"
    )
    assert _rows_pointing_at(stored_schema, tasks) == pointing, (
        "migrating down keeps the rows that refer to tasks (attachments, tags, shares): on "
        "SQLite, rebuilding a table with foreign keys on deletes them in cascade"
    )

    _migrate(request, "up", database_url)
    assert _stored_numbers(stored_schema, tasks) == {**expected, "alice new": 5, "bob new": 3}, (
        "migrating up again numbers the tasks again, the same way"
    )
    assert _rows_pointing_at(stored_schema, tasks) == pointing, (
        "migrating up keeps the rows that refer to tasks (attachments, tags, shares): on "
        "SQLite, rebuilding a table with foreign keys on deletes them in cascade"
    )
    assert _number(_create(client, alice, "alice newer"), "alice's next task") == 6


def _stored_titles(schema: StoredSchema, tasks: str) -> list[str]:
    with schema.engine.connect() as connection:
        table = Table(tasks, MetaData(), autoload_with=connection)
        return list(connection.scalars(select(table.c.title)))


def _rows_pointing_at(schema: StoredSchema, tasks: str) -> dict[str, int]:
    """How many rows each table with a foreign key to the tasks table holds."""
    counts = {}
    with schema.engine.connect() as connection:
        for name in sorted(inspect(schema.engine).get_table_names()):
            if name != tasks and tasks in schema.foreign_keys(name).values():
                table = Table(name, MetaData(), autoload_with=connection)
                rows = connection.execute(select(func.count()).select_from(table))
                counts[name] = rows.scalar_one()
    return counts
