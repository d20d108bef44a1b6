"""Login throttling in two counters of failed logins, with the ``limits`` package.

Both counters are per lower-cased email (CONTRACT.md, login throttling):

- per (email, client address), ``LOGIN_FAILURE_LIMIT`` (5 per 15 minutes): an attacker at one
  address is stopped there, while the owner elsewhere still logs in;
- per email across every address, ``LOGIN_EMAIL_FAILURE_LIMIT`` (100 per 15 minutes): an
  attacker spread over many addresses still reaches a ceiling.

Only failed logins are counted, so the usual "N requests per client" decorator of
Flask-Limiter does not fit: the view asks :meth:`LoginThrottle.retry_after` before checking the
password and calls :meth:`LoginThrottle.record_failure` after a wrong one. The client address
is the peer of the connection, or, when that peer is one of ``TRUSTED_PROXIES``, the address
the proxies saw (:func:`client_address`).
https://limits.readthedocs.io/en/stable/strategies.html#moving-window
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app, request
from limits import parse, storage, strategies

from .client_address import client_address as shared_client_address

if TYPE_CHECKING:
    from flask import Flask
    from limits import RateLimitItem


def client_address() -> str:
    """The address of the client this request comes from (``client_address.py``).

    Returns:
        The peer of the connection, or what the trusted proxies in front of it saw.
    """
    return shared_client_address(
        request.remote_addr or "",
        request.headers.getlist("X-Forwarded-For"),
        current_app.config["TRUSTED_PROXIES"],
    )


@dataclass(frozen=True)
class _Limits:
    limiter: strategies.MovingWindowRateLimiter
    per_address: RateLimitItem
    per_email: RateLimitItem


class LoginThrottle:
    """Flask extension holding the app's moving-window limiter for failed logins."""

    def init_app(self, app: Flask) -> None:
        """Connect the limiter to memory, or to Redis when ``REDIS_URL`` is set.

        Args:
            app: The app whose ``REDIS_URL`` and ``LOGIN_*_LIMIT`` settings apply.
        """
        uri = app.config.get("REDIS_URL") or "memory://"
        backend = storage.storage_from_string(uri)
        app.extensions["login_throttle"] = _Limits(
            limiter=strategies.MovingWindowRateLimiter(backend),
            per_address=parse(app.config["LOGIN_FAILURE_LIMIT"]),
            per_email=parse(app.config["LOGIN_EMAIL_FAILURE_LIMIT"]),
        )

    @staticmethod
    def _limits() -> _Limits:
        limits: _Limits = current_app.extensions["login_throttle"]
        return limits

    @staticmethod
    def _keys(email: str, address: str) -> tuple[str, str]:
        # Hashed so that no email or address is written into Redis in clear text.
        folded = email.strip().lower()
        prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
        pair = hashlib.sha256(f"{folded}\n{address}".encode("utf-8", "replace")).hexdigest()
        alone = hashlib.sha256(folded.encode("utf-8", "replace")).hexdigest()
        return f"{prefix}:pair:{pair}", f"{prefix}:email:{alone}"

    def retry_after(self, email: str, address: str) -> int | None:
        """Seconds until this email may try again from this address, or ``None`` for now.

        Args:
            email: The address being logged into.
            address: The client's address (:func:`client_address`).

        Returns:
            The wait in whole seconds (at least 1), or ``None`` when neither counter is full.
        """
        limits = self._limits()
        pair_key, email_key = self._keys(email, address)
        waits = [
            limits.limiter.get_window_stats(item, key).reset_time - time.time()
            for item, key in ((limits.per_address, pair_key), (limits.per_email, email_key))
            if not limits.limiter.test(item, key)
        ]
        if not waits:
            return None
        return max(1, math.ceil(max(waits)))

    def record_failure(self, email: str, address: str) -> None:
        """Count one failed login in both counters.

        Args:
            email: The address being logged into.
            address: The client's address (:func:`client_address`).
        """
        limits = self._limits()
        pair_key, email_key = self._keys(email, address)
        limits.limiter.hit(limits.per_address, pair_key)
        limits.limiter.hit(limits.per_email, email_key)
