"""Login throttling per email, with the ``limits`` package.

Only failed logins are counted, so the usual "N requests per client" decorator of
Flask-Limiter does not fit: the view asks :meth:`LoginThrottle.retry_after` before checking the
password and calls :meth:`LoginThrottle.record_failure` after a wrong one. The key is the
lower-cased email alone, so changing client address does not help an attacker.
https://limits.readthedocs.io/en/stable/strategies.html#moving-window
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import TYPE_CHECKING

from flask import current_app
from limits import parse, storage, strategies

if TYPE_CHECKING:
    from flask import Flask
    from limits import RateLimitItem


class LoginThrottle:
    """Flask extension holding the app's moving-window limiter for failed logins."""

    def init_app(self, app: Flask) -> None:
        """Connect the limiter to memory, or to Redis when ``REDIS_URL`` is set.

        Args:
            app: The app whose ``REDIS_URL`` and ``LOGIN_ATTEMPTS`` settings apply.
        """
        uri = app.config.get("REDIS_URL") or "memory://"
        backend = storage.storage_from_string(uri)
        limiter = strategies.MovingWindowRateLimiter(backend)
        app.extensions["login_throttle"] = (limiter, parse(app.config["LOGIN_ATTEMPTS"]))

    @staticmethod
    def _state() -> tuple[strategies.MovingWindowRateLimiter, RateLimitItem]:
        state: tuple[strategies.MovingWindowRateLimiter, RateLimitItem]
        state = current_app.extensions["login_throttle"]
        return state

    @staticmethod
    def _key(email: str) -> str:
        # Hashed so that no email address is written into Redis in clear text.
        digest = hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()
        return f"{current_app.config['RATELIMIT_KEY_PREFIX']}:{digest}"

    def retry_after(self, email: str) -> int | None:
        """Seconds until this email may try again, or ``None`` when it may try now."""
        limiter, item = self._state()
        key = self._key(email)
        if limiter.test(item, key):
            return None
        reset_at = limiter.get_window_stats(item, key).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def record_failure(self, email: str) -> None:
        """Count one failed login for this email."""
        limiter, item = self._state()
        limiter.hit(item, self._key(email))
