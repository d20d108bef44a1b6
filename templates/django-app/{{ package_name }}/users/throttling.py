"""Login throttling: 5 failures per lower-cased email in a sliding 15 minutes.

The key is the email alone, so switching client address does not help an attacker. Refused
attempts are not counted and a success does not reset the count. Storage is memory by default
and Redis when REDIS_URL is set. https://limits.readthedocs.io/en/stable/strategies.html#moving-window
"""

from __future__ import annotations

import time
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter


class LoginThrottle:
    """Counts failed logins per email and says how long a locked email must wait."""

    def __init__(self, storage: Storage, limit: RateLimitItem) -> None:
        """Use a storage and a limit such as "5/15minutes"."""
        self.storage = storage
        self.limit = limit
        self.limiter = MovingWindowRateLimiter(storage)

    def retry_after(self, email: str) -> float | None:
        """Seconds until `email` may try again, or None when it may try now."""
        if self.limiter.test(self.limit, "login", email):
            return None
        stats = self.limiter.get_window_stats(self.limit, "login", email)
        return max(1.0, stats.reset_time - time.time())

    def record_failure(self, email: str) -> None:
        """Count one failed login for `email`."""
        self.limiter.hit(self.limit, "login", email)


@cache
def get_login_throttle() -> LoginThrottle:
    """The process-wide throttle, built from settings on first use."""
    storage = storage_from_string(
        settings.RATE_LIMIT_STORAGE_URL, key_prefix=settings.RATE_LIMIT_KEY_PREFIX
    )
    if not isinstance(storage, Storage):
        message = f"{settings.RATE_LIMIT_STORAGE_URL} names an async storage; use a sync one"
        raise ImproperlyConfigured(message)
    return LoginThrottle(storage, parse(settings.LOGIN_FAILURE_LIMIT))


@receiver(setting_changed)
def _rebuild_on_settings_change(*, setting: str, **_: object) -> None:
    """Tests that switch storage (override_settings) get a throttle built for it."""
    if setting in {"RATE_LIMIT_STORAGE_URL", "LOGIN_FAILURE_LIMIT", "RATE_LIMIT_KEY_PREFIX"}:
        get_login_throttle.cache_clear()
