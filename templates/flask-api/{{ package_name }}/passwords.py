"""Password hashing (argon2id) and the password rules of the API contract.

Hashing is argon2-cffi's job; this module only picks its parameters from the app's settings,
so tests can run with cheap ones while production keeps the OWASP minimum, and bounds how many
hashes one process computes at once (``MAX_CONCURRENT_HASHES``).
https://argon2-cffi.readthedocs.io/en/stable/api.html
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

if TYPE_CHECKING:
    from flask import Flask

MIN_LENGTH = 12
MAX_LENGTH = 128


class _Hashing(NamedTuple):
    hasher: Argon2Hasher
    dummy_hash: str
    threads: ThreadPoolExecutor


class PasswordHasher:
    """Flask extension around argon2-cffi's hasher, configured per app.

    Every hash and verification runs on a pool of ``MAX_CONCURRENT_HASHES`` threads (one by
    default) that belongs to the hasher, however many requests the process serves at once.
    argon2id holds ``ARGON2_MEMORY_COST`` (19 MiB) for each hash in progress, and the C
    allocator keeps a freed block for the next hash of the same thread; with hashing confined
    to the pool, a process never holds more than that many blocks. Without it, each request
    thread that ever hashed would keep one: concurrent logins took a 78 MiB worker to 153 MiB.
    """

    def init_app(self, app: Flask) -> None:
        """Build the app's argon2id hasher, its dummy hash and its hashing threads.

        Args:
            app: The app whose ``ARGON2_*`` settings pick the parameters and whose
                ``MAX_CONCURRENT_HASHES`` sizes the pool.
        """
        hasher = Argon2Hasher(
            time_cost=app.config["ARGON2_TIME_COST"],
            memory_cost=app.config["ARGON2_MEMORY_COST"],
            parallelism=app.config["ARGON2_PARALLELISM"],
            type=Type.ID,
        )
        # Checked against when the email is unknown, so that a failed login costs the same
        # time whether or not the account exists (no enumeration by timing).
        dummy_hash = hasher.hash("dummy password for timing")
        # The pool starts its threads at its first task, so in each worker: gunicorn builds
        # the app before forking (preload_app), and threads do not survive a fork.
        threads = ThreadPoolExecutor(
            max_workers=app.config["MAX_CONCURRENT_HASHES"], thread_name_prefix="argon2"
        )
        app.extensions["password_hasher"] = _Hashing(hasher, dummy_hash, threads)

    @staticmethod
    def _state() -> _Hashing:
        state: _Hashing = current_app.extensions["password_hasher"]
        return state

    def hash(self, password: str) -> str:
        """Return the argon2id hash of ``password`` (salt and parameters included)."""
        state = self._state()
        return state.threads.submit(state.hasher.hash, password).result()

    def verify(self, stored_hash: str, password: str) -> bool:
        """Tell whether ``password`` matches ``stored_hash``, never raising on a mismatch."""
        state = self._state()
        try:
            return state.threads.submit(state.hasher.verify, stored_hash, password).result()
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """Tell whether the hash was made with other parameters than today's."""
        return self._state().hasher.check_needs_rehash(stored_hash)

    def verify_dummy(self, password: str) -> None:
        """Spend the time of one verification, for an email that has no account."""
        self.verify(self._state().dummy_hash, password)


@cache
def common_passwords() -> frozenset[str]:
    """Load the shipped list of common passwords (lower case), once per process.

    The list is the one every project of this kind ships (CONTRACT.md), one password a line.
    """
    resource = Path(__file__).parent / "data" / "common-passwords.txt"
    text = resource.read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """Check a new password against the rules of the contract.

    Any Unicode character is allowed and nothing is truncated; only the length, the common
    list and the email are checked (NIST SP 800-63B section 5.1.1.2).

    Args:
        password: The candidate password.
        email: The account's email, which the password must not equal.

    Returns:
        Human-readable problems; empty when the password is acceptable.
    """
    if len(password) < MIN_LENGTH:
        return [f"Must be at least {MIN_LENGTH} characters long."]
    if len(password) > MAX_LENGTH:
        return [f"Must be at most {MAX_LENGTH} characters long."]
    problems = []
    if password.lower() in common_passwords():
        problems.append("This password is too common.")
    if email is not None and password.strip().lower() == email.strip().lower():
        problems.append("The password must not be the email address.")
    return problems
