"""Failed logins in two sliding windows, with the `limits` package (CONTRACT.md, section 5).

One counter per (lower-cased email, client address), `LOGIN_FAILURE_LIMIT` (5 per 15
minutes): an attacker at one address is stopped there, while the owner elsewhere still logs
in. One counter per email across every address, `LOGIN_EMAIL_FAILURE_LIMIT` (100 per 15
minutes): an attacker spread over many addresses still reaches a ceiling. Only failures are
counted, so a "N requests per client" decorator does not fit: a login view asks
`retry_after` before it checks the password and calls `record_failure` after a wrong one.
https://limits.readthedocs.io/en/stable/strategies.html#moving-window

This module knows no framework: each project builds a `LoginThrottle` from its settings, on
a memory storage or on Redis when REDIS_URL is set.
"""

import hashlib
import math
import time

from limits import RateLimitItem
from limits.storage import Storage
from limits.strategies import MovingWindowRateLimiter


def failed_login_keys(email: str, address: str) -> tuple[str, str]:
    """The keys of the two counters for `email` seen from `address`.

    Hashed, so that neither an email nor an address is written into Redis in clear text, and
    arbitrary client input (spaces, control characters) never shapes a key.

    Args:
        email: the address being logged into, as the client sent it.
        address: the client's address.

    Returns:
        The key of the (email, address) counter and the key of the email counter.
    """
    email_key = hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()
    pair_key = hashlib.sha256(f"{email_key} {address}".encode("utf-8", "replace")).hexdigest()
    return f"login:pair:{pair_key}", f"login:email:{email_key}"


class LoginThrottle:
    """Counts failed logins and says how long an (email, address) must wait."""

    def __init__(
        self, storage: Storage, pair_limit: RateLimitItem, email_limit: RateLimitItem
    ) -> None:
        """Use a storage, the per-(email, address) limit and the per-email ceiling."""
        self.storage = storage
        self.pair_limit = pair_limit
        self.email_limit = email_limit
        self.limiter = MovingWindowRateLimiter(storage)

    def _counters(self, email: str, address: str) -> tuple[tuple[RateLimitItem, str], ...]:
        pair_key, email_key = failed_login_keys(email, address)
        return (self.pair_limit, pair_key), (self.email_limit, email_key)

    def retry_after(self, email: str, address: str) -> int | None:
        """Seconds until `email` may try again from `address`, or None when it may try now.

        Args:
            email: the address being logged into.
            address: the client's address.

        Returns:
            The wait in whole seconds (at least 1), or None when neither counter is full.
        """
        waits = [
            self.limiter.get_window_stats(limit, key).reset_time - time.time()
            for limit, key in self._counters(email, address)
            if not self.limiter.test(limit, key)
        ]
        return max(1, math.ceil(max(waits))) if waits else None

    def record_failure(self, email: str, address: str) -> None:
        """Count one failed login for `email` from `address`, in both counters.

        Args:
            email: the address being logged into.
            address: the client's address.
        """
        for limit, key in self._counters(email, address):
            self.limiter.hit(limit, key)
