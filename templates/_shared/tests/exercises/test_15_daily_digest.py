"""Exercise 15: a daily digest mail, sent by the worker: a scheduled, idempotent job.

The job is run three ways, each through a fixture of this framework's test file (the bottom
of `tests/exercises/test_15_daily_digest.py`): ``run_digests()`` runs it in this process as
the worker runs a job, ``enqueue_digests(**settings)`` puts it on a queue for the real
consumer (``start_worker``), and ``digest_schedule(**settings)`` asks the worker's queue, in
a process of its own as `make worker` starts it, at which minutes of a day (UTC) the job is
due. The mail arrives at the tests' SMTP server (``mail_sink``). These tests need the
in-process app and are skipped under ``--base-url``.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import pytest

from .support import API, expect

if TYPE_CHECKING:
    from collections.abc import Callable
    from email.message import EmailMessage
    from pathlib import Path

    import httpx

    from tests.contract.helpers import Account
    from tests.contract.mail import MailSink

pytestmark = pytest.mark.exercise

# How long a test waits for the worker's digest (a consumer polls its queue).
WORKER_SECONDS = 20.0
# Run in a process of its own after the lines that bind `huey` to the worker's queue (what
# `make worker` consumes): prints the (hour, minute) pairs of one day (UTC) at which that
# queue's periodic `send_daily_digests` is due.
SCHEDULE_PROBE = """
import datetime as dt, json
day = dt.datetime(2026, 1, 5)
moments = [day + dt.timedelta(minutes=m) for m in range(24 * 60)]
due = [
    (moment.hour, moment.minute)
    for moment in moments
    if any(task.name == "send_daily_digests" for task in huey.read_periodic(moment))
]
print(json.dumps(due))
"""


@pytest.fixture(autouse=True)
def _in_process(in_process: None) -> None:
    """The job runs on the app's own database: no live server."""


def _today() -> date:
    return datetime.now(UTC).date()


def _add_task(
    client: httpx.Client, owner: Account, title: str, due: date | None, status: str = "todo"
) -> dict[str, Any]:
    body = {"title": title, "status": status, "due_date": due.isoformat() if due else None}
    created = client.post(f"{API}/tasks", json=body, headers=owner.headers)
    task: dict[str, Any] = expect(created, HTTPStatus.CREATED, f"POST /tasks {title!r}")
    return task


def _digests(mail_sink: MailSink, account: Account) -> list[EmailMessage]:
    """The digests that reached ``account``: its mails whose subject names today."""
    subject = f"Your tasks for {_today().isoformat()}"
    return [m for m in mail_sink.messages_to(account.email) if m["Subject"] == subject]


def _one_digest(mail_sink: MailSink, account: Account) -> EmailMessage:
    found = _digests(mail_sink, account)
    others = [str(m["Subject"]) for m in mail_sink.messages_to(account.email)]
    assert len(found) == 1, (
        f"{account.email} should have received exactly one digest with the subject "
        f"'Your tasks for {_today().isoformat()}'; it received {len(found)} "
        f"(subjects of all its mails: {others})"
    )
    return found[0]


def _task_lines(message: EmailMessage) -> list[str]:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None, "the digest has no text/plain part: it is a plain text mail"
    return [line.strip() for line in body.get_content().splitlines() if line.startswith("- ")]


def _line(title: str, due: date) -> str:
    return f"- {title} (due {due.isoformat()})"


def test_a_digest_lists_the_due_and_overdue_tasks_in_order(
    client: httpx.Client,
    signed_in: Callable[..., Account],
    run_digests: Callable[[], None],
    mail_sink: MailSink,
) -> None:
    user = signed_in(verified=True)
    today = _today()
    due_today = _add_task(client, user, "Pay the rent", today)
    old = _add_task(client, user, "Call the bank", today - timedelta(days=3))
    old_too = _add_task(client, user, "Answer Ana", today - timedelta(days=3))
    started = _add_task(client, user, "Write the report", today - timedelta(days=1), "in_progress")
    _add_task(client, user, "Book the train", today + timedelta(days=1))
    _add_task(client, user, "Water the plants", today - timedelta(days=2), "done")
    _add_task(client, user, "Someday", None)

    run_digests()

    digest = _one_digest(mail_sink, user)
    assert digest.get_content_type() == "text/plain", (
        f"the digest is a plain text mail, not {digest.get_content_type()}"
    )
    expected = [
        _line(old["title"], today - timedelta(days=3)),
        _line(old_too["title"], today - timedelta(days=3)),
        _line(started["title"], today - timedelta(days=1)),
        _line(due_today["title"], today),
    ]
    assert _task_lines(digest) == expected, (
        "the digest lists each task that is not done and due today or earlier, one line "
        "`- TITLE (due YYYY-MM-DD)` each, the most overdue first, then by id; no other line "
        f"starts with '- '. Expected {expected}, the mail has {_task_lines(digest)}"
    )


def test_only_active_verified_users_with_something_due_get_a_digest(
    client: httpx.Client,
    signed_in: Callable[..., Account],
    set_user_active: Callable[[int, bool], None],
    run_digests: Callable[[], None],
    mail_sink: MailSink,
) -> None:
    today = _today()
    due = signed_in(verified=True)
    _add_task(client, due, "Due today", today)
    later = signed_in(verified=True)
    _add_task(client, later, "Next week", today + timedelta(days=7))
    _add_task(client, later, "Finished", today - timedelta(days=1), "done")
    unverified = signed_in(verified=False)
    _add_task(client, unverified, "Overdue", today - timedelta(days=1))
    inactive = signed_in(verified=True)
    _add_task(client, inactive, "Overdue", today - timedelta(days=1))
    active = False
    set_user_active(inactive.user["id"], active)

    run_digests()

    _one_digest(mail_sink, due)
    for account, who in [
        (later, "a user with nothing due today or earlier (only a later task and a done one)"),
        (unverified, "a user whose address is not verified"),
        (inactive, "an inactive user"),
    ]:
        assert mail_sink.messages_to(account.email) == [], f"{who} gets no digest"


def test_running_the_job_again_the_same_day_sends_no_second_digest(
    client: httpx.Client,
    signed_in: Callable[..., Account],
    run_digests: Callable[[], None],
    mail_sink: MailSink,
) -> None:
    user = signed_in(verified=True)
    _add_task(client, user, "First", _today())
    run_digests()
    _one_digest(mail_sink, user)

    _add_task(client, user, "Added after the digest", _today())
    run_digests()

    assert len(_digests(mail_sink, user)) == 1, (
        "the job ran twice on one day and the user got two digests: record what was sent "
        "(in the database, so that every worker process sees it) and send each user at most "
        "one digest a day"
    )


def test_two_workers_running_it_at_once_send_one_digest_each(
    client: httpx.Client,
    signed_in: Callable[..., Account],
    run_digests: Callable[[], None],
    mail_sink: MailSink,
) -> None:
    users = [signed_in(verified=True) for _ in range(3)]
    for user in users:
        _add_task(client, user, "Due", _today())
    together = threading.Barrier(4)
    failures: list[BaseException] = []

    def worker() -> None:
        together.wait()
        try:
            run_digests()
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(together.parties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, f"the job failed when run by several workers at once: {failures[0]!r}"
    counts = [len(_digests(mail_sink, user)) for user in users]
    assert counts == [1, 1, 1], (
        f"four runs at the same moment sent {counts} digests to three users: checking "
        "'already sent?' and then recording it lets two workers both send. Claim the digest "
        "atomically before sending (an INSERT that a unique constraint refuses the second "
        "time, or one UPDATE ... WHERE not sent today), then send"
    )


def test_the_worker_sends_the_digest_and_the_next_run_sends_none(
    client: httpx.Client,
    signed_in: Callable[..., Account],
    enqueue_digests: Callable[..., None],
    start_worker: Callable[..., object],
    run_digests: Callable[[], None],
    mail_sink: MailSink,
    tmp_path: Path,
) -> None:
    user = signed_in(verified=True)
    task = _add_task(client, user, "Renew the passport", _today() - timedelta(days=10))
    settings = {"JOBS_PATH": str(tmp_path / "jobs.db"), "EMAIL_URL": mail_sink.url}

    enqueue_digests(**settings)
    assert _digests(mail_sink, user) == [], "enqueueing only queues: the worker sends"
    start_worker(**settings)
    deadline = time.monotonic() + WORKER_SECONDS
    while not _digests(mail_sink, user) and time.monotonic() < deadline:
        time.sleep(0.2)

    digest = _one_digest(mail_sink, user)
    assert _task_lines(digest) == [_line(task["title"], _today() - timedelta(days=10))]
    run_digests()
    assert len(_digests(mail_sink, user)) == 1, (
        "the worker sent today's digest, then the job ran again in another process and sent "
        "a second one: what was sent must be recorded in the database"
    )


@pytest.mark.parametrize(
    ("settings", "hour"),
    [pytest.param({}, 7, id="default"), pytest.param({"DIGEST_HOUR": "13"}, 13, id="13")],
)
def test_the_worker_runs_it_once_a_day_at_digest_hour(
    digest_schedule: Callable[..., list[tuple[int, int]]], settings: dict[str, str], hour: int
) -> None:
    due = digest_schedule(**settings)
    assert due == [(hour, 0)], (
        f"with {settings or 'no DIGEST_HOUR'}, the worker's queue should run "
        f"send_daily_digests once a day at {hour:02d}:00 UTC; it is due at "
        f"{[f'{h:02d}:{m:02d}' for h, m in due] or 'no minute of the day'}"
    )
