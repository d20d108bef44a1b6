"""Password hashing (argon2id) and the password rules of the API contract.

Hashing is argon2-cffi's job; this module only picks its parameters from the app's settings,
so tests can run with cheap ones while production keeps the OWASP minimum.
https://argon2-cffi.readthedocs.io/en/stable/api.html
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

if TYPE_CHECKING:
    from flask import Flask

MIN_LENGTH = 12
MAX_LENGTH = 128


class PasswordHasher:
    """Flask extension around argon2-cffi's hasher, configured per app."""

    def init_app(self, app: Flask) -> None:
        """Build the app's argon2id hasher and its dummy hash.

        Args:
            app: The app whose ``ARGON2_*`` settings pick the parameters.
        """
        hasher = Argon2Hasher(
            time_cost=app.config["ARGON2_TIME_COST"],
            memory_cost=app.config["ARGON2_MEMORY_COST"],
            parallelism=app.config["ARGON2_PARALLELISM"],
            type=Type.ID,
        )
        # Checked against when the email is unknown, so that a failed login costs the same
        # time whether or not the account exists (no enumeration by timing).
        app.extensions["password_hasher"] = (hasher, hasher.hash("dummy password for timing"))

    @staticmethod
    def _state() -> tuple[Argon2Hasher, str]:
        state: tuple[Argon2Hasher, str] = current_app.extensions["password_hasher"]
        return state

    def hash(self, password: str) -> str:
        """Return the argon2id hash of ``password`` (salt and parameters included)."""
        hasher, _ = self._state()
        return hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """Tell whether ``password`` matches ``stored_hash``, never raising on a mismatch."""
        hasher, _ = self._state()
        try:
            return hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """Tell whether the hash was made with other parameters than today's."""
        hasher, _ = self._state()
        return hasher.check_needs_rehash(stored_hash)

    def verify_dummy(self, password: str) -> None:
        """Spend the time of one verification, for an email that has no account."""
        _, dummy = self._state()
        self.verify(dummy, password)


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
