"""The login throttle, on its own (memory storage)."""

from __future__ import annotations

from limits import parse
from limits.storage import MemoryStorage

from ..throttling import LoginThrottle


def make_throttle() -> LoginThrottle:
    """A throttle of 5 failures per 15 minutes in a private memory store."""
    return LoginThrottle(MemoryStorage(), parse("5/15minutes"))


def test_five_failures_lock_the_email_for_about_fifteen_minutes() -> None:
    throttle = make_throttle()
    for _ in range(5):
        assert throttle.retry_after("a@example.com") is None
        throttle.record_failure("a@example.com")

    wait = throttle.retry_after("a@example.com")

    assert wait is not None
    assert 14 * 60 < wait <= 15 * 60


def test_the_count_is_per_email() -> None:
    throttle = make_throttle()
    for _ in range(5):
        throttle.record_failure("a@example.com")

    assert throttle.retry_after("b@example.com") is None
