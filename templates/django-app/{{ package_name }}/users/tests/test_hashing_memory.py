"""How many password hashes one process computes at once (`MAX_CONCURRENT_HASHES`)."""

from __future__ import annotations

import os
import runpy
import threading
from pathlib import Path
from unittest import mock

import pytest
from config.settings import base
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from ..hashers import Argon2idPasswordHasher

PASSWORD = "correct horse battery staple"
# Above glibc's largest mmap threshold (32 MiB), so every hash maps its memory afresh and
# gives it back when done: the peak then counts the hashes that ran at the same time.
MEMORY_KIB = 64 * 1024
# Three passes over that memory: a hash holds all of it for its last two, so hashes that run
# at the same time overlap in full even when a loaded machine starts their threads unevenly
# (with one pass, two overlapping hashes raised the peak by less than one hash's memory).
TIME_COST = 3
# Where the two tests below part: hashes one at a time never raise the peak the first one set,
# two at once raise it by a whole hash's memory.
HALF_A_HASH_KIB = MEMORY_KIB // 2
# Linux's peak resident memory of this process (VmHWM), and the file that resets it.
STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")
HAS_PEAK_MEMORY = STATUS.exists() and CLEAR_REFS.exists()


def bound_from_environment(value: str | None) -> int:
    """MAX_CONCURRENT_HASHES as config/settings/base.py reads it from this environment value.

    The module runs afresh, as at a server's start, with the variable set to `value` or
    absent (`None`) whatever the developer's shell says.
    """
    environment = {key: item for key, item in os.environ.items() if key != "MAX_CONCURRENT_HASHES"}
    if value is not None:
        environment["MAX_CONCURRENT_HASHES"] = value
    with mock.patch.dict(os.environ, environment, clear=True):
        bound: int = runpy.run_path(base.__file__)["MAX_CONCURRENT_HASHES"]
    return bound


def peak_kib() -> int:
    """The highest resident memory of this process since the last reset, in KiB."""
    with STATUS.open() as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def grown_kib(operation: str, bound: int) -> int:
    """How far four logins at once raise this process's peak memory, in KiB.

    With the project's PASSWORD_HASHERS (the test settings use a cheap one) and a pool of
    `bound` threads: one hash (a worker's first login), then four hashes (`make`) or four
    checks (`check`) from four threads at once, through Django's API as a login does. The
    growth is measured from the peak the first hash reached, after a reset of the peak so that
    earlier tests of this process do not count.
    """
    settings = {"PASSWORD_HASHERS": base.PASSWORD_HASHERS, "MAX_CONCURRENT_HASHES": bound}
    with override_settings(**settings):
        hasher = get_hasher()
        assert isinstance(hasher, Argon2idPasswordHasher)
        hasher.memory_cost = MEMORY_KIB
        hasher.time_cost = TIME_COST
        try:
            # Writing 5 resets VmHWM to the current resident size (Linux 4.0 and later).
            CLEAR_REFS.write_text("5")
            encoded = make_password(PASSWORD)
            before = peak_kib()
            start = threading.Barrier(4)
            answers: list[object] = []

            def login() -> None:
                start.wait()
                if operation == "check":
                    answers.append(check_password(PASSWORD, encoded))
                else:
                    answers.append(make_password(PASSWORD))

            threads = [threading.Thread(target=login) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert len(answers) == 4, answers
            assert all(answers), answers
            return peak_kib() - before
        finally:
            hasher.threads.shutdown()


@pytest.mark.long
@pytest.mark.skipif(not HAS_PEAK_MEMORY, reason="reads and resets Linux's VmHWM")
@pytest.mark.parametrize("operation", ["make", "check"])
def test_concurrent_logins_hash_one_at_a_time_by_default(operation: str) -> None:
    # Four hashes at once would have taken four times the memory; one at a time reuses what
    # the first hash took.
    assert grown_kib(operation, bound_from_environment(None)) < HALF_A_HASH_KIB


@pytest.mark.skipif(not HAS_PEAK_MEMORY, reason="reads and resets Linux's VmHWM")
def test_the_bound_is_a_setting() -> None:
    assert grown_kib("make", bound_from_environment("4")) > HALF_A_HASH_KIB


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_a_bound_below_one_is_refused(value: str) -> None:
    with (
        mock.patch.dict(os.environ, {"MAX_CONCURRENT_HASHES": value}),
        pytest.raises(ImproperlyConfigured, match="MAX_CONCURRENT_HASHES"),
    ):
        base.at_least_one("MAX_CONCURRENT_HASHES", default=1)


def test_a_hash_made_on_the_pool_verifies() -> None:
    hasher = Argon2idPasswordHasher()
    encoded = hasher.encode("correct horse battery staple", hasher.salt())

    assert hasher.verify("correct horse battery staple", encoded)
    assert not hasher.verify("wrong horse battery staple", encoded)
