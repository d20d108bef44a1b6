"""Login throttling: failed logins counted per email, in two sliding 15-minute windows.

One counter per (lower-cased email, client address), `LOGIN_FAILURE_LIMIT` (5/15minutes): an
attacker at one address gets five guesses. One counter per email across every address,
`LOGIN_EMAIL_FAILURE_LIMIT` (100/15minutes): an attacker spread over many addresses is still
stopped, while the owner, at another address, keeps logging in below that ceiling. Refused
attempts are not counted and a success does not reset a count. Every login path (the API and
the admin) uses these counters. Storage is memory by default and Redis when REDIS_URL is set.
https://limits.readthedocs.io/en/stable/strategies.html#moving-window
"""

from __future__ import annotations

import ipaddress
import time
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

if TYPE_CHECKING:
    from django.http import HttpRequest

# Longer than any IP address: what a trusted proxy forwards is cut to this for the key.
MAX_ADDRESS_LENGTH = 64


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

    def retry_after(self, email: str, address: str) -> float | None:
        """Seconds until `email` may try again from `address`, or None when it may try now."""
        waits = [
            self._wait(self.pair_limit, "login", email, address),
            self._wait(self.email_limit, "login-email", email),
        ]
        locked = [wait for wait in waits if wait is not None]
        return max(locked) if locked else None

    def record_failure(self, email: str, address: str) -> None:
        """Count one failed login for `email` from `address`, in both counters."""
        self.limiter.hit(self.pair_limit, "login", email, address)
        self.limiter.hit(self.email_limit, "login-email", email)

    def _wait(self, limit: RateLimitItem, *key: str) -> float | None:
        if self.limiter.test(limit, *key):
            return None
        stats = self.limiter.get_window_stats(limit, *key)
        return max(1.0, stats.reset_time - time.time())


def get_login_throttle() -> LoginThrottle:
    """The throttle for the current settings (one per storage and limits, built once)."""
    return _throttle(
        settings.RATE_LIMIT_STORAGE_URL,
        settings.RATE_LIMIT_KEY_PREFIX,
        settings.LOGIN_FAILURE_LIMIT,
        settings.LOGIN_EMAIL_FAILURE_LIMIT,
    )


def reset_login_throttles() -> None:
    """Forget every throttle built so far (tests start each one from empty counters)."""
    _throttle.cache_clear()


@cache
def _throttle(
    storage_url: str, key_prefix: str, pair_limit: str, email_limit: str
) -> LoginThrottle:
    # Keyed by the settings, so changing them (tests do) builds another throttle while the
    # counters of the current one survive for as long as the settings stay the same.
    storage = storage_from_string(storage_url, key_prefix=key_prefix)
    if not isinstance(storage, Storage):
        message = f"{storage_url} names an async storage; use a sync one"
        raise ImproperlyConfigured(message)
    return LoginThrottle(storage, parse(pair_limit), parse(email_limit))


def client_address(request: HttpRequest) -> str:
    """The address a request comes from, as the login throttle counts it.

    The peer of the connection (REMOTE_ADDR), unless that peer is one of TRUSTED_PROXIES:
    then the right-most X-Forwarded-For entry that is not itself a trusted proxy, the one
    the nearest untrusted hop was seen as. Entries to its left are whatever the client wrote.

    Args:
        request: The request.

    Returns:
        The client address.
    """
    peer = str(request.META.get("REMOTE_ADDR", ""))
    if not _is_trusted(peer):
        return peer
    forwarded = [
        entry.strip()
        for entry in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if entry.strip()
    ]
    for entry in reversed(forwarded):
        if not _is_trusted(entry):
            return entry[:MAX_ADDRESS_LENGTH]
    # Every hop is a trusted proxy: the first one is as close to the client as we know.
    return forwarded[0][:MAX_ADDRESS_LENGTH] if forwarded else peer


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXIES)
