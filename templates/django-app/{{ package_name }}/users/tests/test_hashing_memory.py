"""How many password hashes one process computes at once (`MAX_CONCURRENT_HASHES`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from config.settings import base
from django.core.exceptions import ImproperlyConfigured

from ..hashers import Argon2idPasswordHasher

PROJECT_ROOT = Path(__file__).resolve().parents[3]

# With the project's PASSWORD_HASHERS (the test settings use a cheap one): one hash (a
# worker's first login), then four hashes (`make`) or four checks (`check`) from four threads
# at once, through Django's API as a login does; prints how far the four raised the peak
# resident memory (VmHWM) above what the first had reached. A fresh interpreter: the peak of
# the test process is shared by every test it runs.
CONCURRENT_HASHES = """
import sys, threading
import django
from django.conf import settings

django.setup()
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from config.settings import base

settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
hasher = get_hasher()
hasher.memory_cost = int(sys.argv[2])
hasher.time_cost = 1
PASSWORD = "correct horse battery staple"

def peak_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

encoded = make_password(PASSWORD)
before = peak_kib()
start = threading.Barrier(4)
answers = []

def login():
    start.wait()
    if sys.argv[1] == "check":
        answers.append(check_password(PASSWORD, encoded))
    else:
        answers.append(make_password(PASSWORD))

threads = [threading.Thread(target=login) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert len(answers) == 4 and all(answers), answers
print(peak_kib() - before)
"""


def grown_kib(operation: str, memory_kib: int, **settings: str) -> int:
    """Run CONCURRENT_HASHES with the test settings; the growth of the peak, in KiB."""
    environment = {
        key: value for key, value in os.environ.items() if key != "MAX_CONCURRENT_HASHES"
    }
    environment |= {"DJANGO_SETTINGS_MODULE": "config.settings.test", **settings}
    result = subprocess.run(  # noqa: S603 -- our own interpreter running a fixed script
        [sys.executable, "-c", CONCURRENT_HASHES, operation, str(memory_kib)],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's VmHWM")
@pytest.mark.parametrize("operation", ["make", "check"])
def test_concurrent_logins_hash_one_at_a_time_by_default(operation: str) -> None:
    memory_kib = 64 * 1024

    # Four hashes at once would have taken four times the memory; one at a time reuses what
    # the first hash took.
    assert grown_kib(operation, memory_kib) < memory_kib


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's VmHWM")
def test_the_bound_is_a_setting() -> None:
    memory_kib = 64 * 1024

    assert grown_kib("make", memory_kib, MAX_CONCURRENT_HASHES="4") > memory_kib


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
