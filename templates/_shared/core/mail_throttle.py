"""Requests that make the app send mail, counted per address and per client (CONTRACT.md, 12).

A password reset can be asked for by anyone, for any address, so both counters apply:
`PASSWORD_RESET_LIMIT` per (lower-cased) address and `PASSWORD_RESET_CLIENT_LIMIT` per client
address. A new verification link is asked for by the signed-in owner, so only the address
counter applies, the same counter as the resets of that address.

Unlike the login throttle (`login_throttle.py`), every request counts, whether or not the
address has an account (else the answers would tell which addresses have one), and a request
refused with 429 counts nowhere. The counters live where the login counters live: memory, or
Redis when REDIS_URL is set.

This module knows no framework: each project builds a `MailThrottle` from its settings and
the login throttle's storage.
"""

import hashlib
import math
import time

from limits import RateLimitItem
from limits.storage import Storage
from limits.strategies import MovingWindowRateLimiter


def mail_request_key(kind: str, value: str) -> str:
    """The key of a counter: hashed, as the login counters' keys are.

    Neither an address nor a client is written into Redis in clear text, and client input
    (spaces, control characters) never shapes a key.

    Args:
        kind: ``address`` or ``client``.
        value: The email address (lower-cased by the caller) or the client's address.

    Returns:
        ``mail:<kind>:<sha256 of value>``.
    """
    return f"mail:{kind}:{hashlib.sha256(value.encode('utf-8', 'replace')).hexdigest()}"


class MailThrottle:
    """Counts the requests that send mail and says how long a refused one must wait."""

    def __init__(
        self, storage: Storage, address_limit: RateLimitItem, client_limit: RateLimitItem
    ) -> None:
        """Use a storage, the per-address limit and the per-client limit."""
        self.storage = storage
        self.address_limit = address_limit
        self.client_limit = client_limit
        self.limiter = MovingWindowRateLimiter(storage)

    def _address(self, email: str) -> tuple[RateLimitItem, str]:
        return self.address_limit, mail_request_key("address", email.strip().lower())

    def request_reset(self, email: str, client: str) -> int | None:
        """Count a password reset request for `email` from `client`, unless one is over its limit.

        Args:
            email: The address the reset is for, as the client sent it.
            client: The client's address.

        Returns:
            None when the request may go on (it is counted), else the seconds to wait (at
            least 1), for ``Retry-After``.
        """
        return self._take(
            self._address(email), (self.client_limit, mail_request_key("client", client))
        )

    def request_resend(self, email: str) -> int | None:
        """Count a request for a new verification link to `email` (the address counter only).

        Args:
            email: The signed-in user's address.

        Returns:
            None when the request may go on (it is counted), else the seconds to wait (at
            least 1), for ``Retry-After``.
        """
        return self._take(self._address(email))

    def _take(self, *counters: tuple[RateLimitItem, str]) -> int | None:
        waits = [
            self.limiter.get_window_stats(limit, key).reset_time - time.time()
            for limit, key in counters
            if not self.limiter.test(limit, key)
        ]
        if waits:
            return max(1, math.ceil(max(waits)))
        # Only a request that every counter admits is counted, in all of them.
        for limit, key in counters:
            self.limiter.hit(limit, key)
        return None
