"""A failed login costs the same password hashing whether or not the email has an account.

Without a dummy hash check an unknown address would answer far sooner than a wrong password
(argon2id takes tens of milliseconds), telling anyone which addresses have accounts. Timing
the two would depend on the machine's load, so this test watches the work itself instead:
every argon2 computation the app runs in this process, with its cost parameters, recorded
through argon2-cffi (the hashing library of every framework here; SECURITY.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import argon2
import pytest

from .helpers import DEFAULT_PASSWORD, login

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

# (time cost, memory cost in KiB, parallelism) of one argon2 computation.
Costs = tuple[int, int, int]


@pytest.fixture
def argon2_runs(monkeypatch: pytest.MonkeyPatch, in_process: None) -> list[Costs]:
    """The argon2 computations run in this process from now on, as their cost parameters.

    argon2-cffi is observed at the two doors every framework here goes through: the
    `PasswordHasher` class (hash and verify) and `argon2.low_level.hash_secret`, which Django's
    hasher calls directly. The real functions still run; only a record is added.
    """
    del in_process
    runs: list[Costs] = []
    real_hash = argon2.PasswordHasher.hash
    real_verify = argon2.PasswordHasher.verify
    real_hash_secret = argon2.low_level.hash_secret

    def hash_(self: argon2.PasswordHasher, password: str | bytes, **options: Any) -> str:
        runs.append((self.time_cost, self.memory_cost, self.parallelism))
        return real_hash(self, password, **options)

    def verify(self: argon2.PasswordHasher, encoded: str | bytes, password: str | bytes) -> bool:
        text = encoded.decode("ascii") if isinstance(encoded, bytes) else encoded
        parameters = argon2.extract_parameters(text)
        runs.append((parameters.time_cost, parameters.memory_cost, parameters.parallelism))
        return real_verify(self, encoded, password)

    def hash_secret(secret: bytes, salt: bytes, **options: Any) -> bytes:
        runs.append((options["time_cost"], options["memory_cost"], options["parallelism"]))
        return real_hash_secret(secret, salt, **options)

    monkeypatch.setattr(argon2.PasswordHasher, "hash", hash_)
    monkeypatch.setattr(argon2.PasswordHasher, "verify", verify)
    monkeypatch.setattr(argon2.low_level, "hash_secret", hash_secret)
    return runs


@pytest.mark.asvs("6.3.8")
def test_login_failures_for_unknown_and_known_email_cost_the_same_hashing(
    client: httpx.Client,
    create_user: Callable[..., Any],
    unique_email: Callable[[str], str],
    argon2_runs: list[Costs],
) -> None:
    known = unique_email("timing")
    create_user(known, DEFAULT_PASSWORD)
    # An app may make its dummy hash on first use: that one-off cost is not what is compared.
    login(client, unique_email("first-ghost"), "not-the-password-1")

    argon2_runs.clear()
    wrong_password = login(client, known, "not-the-password-1")
    wrong_password_work = list(argon2_runs)
    argon2_runs.clear()
    unknown_email = login(client, unique_email("ghost"), "not-the-password-1")
    unknown_email_work = list(argon2_runs)

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert len(wrong_password_work) == 1, (
        f"a wrong password should be checked with one argon2 computation: {wrong_password_work}"
    )
    assert unknown_email_work == wrong_password_work, (
        "an unknown email must cost the same argon2 work as a wrong password "
        f"(a check against a dummy hash): {unknown_email_work} != {wrong_password_work}"
    )
