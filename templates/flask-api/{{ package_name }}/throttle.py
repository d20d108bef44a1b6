"""Login throttling wired into Flask: the app's counters of failed logins and the client address.

The rules (two counters of failed logins in moving windows) live in ``login_throttle.py`` and
the client address behind trusted proxies in ``client_address.py``, the same files in every
framework scaffold offers (CONTRACT.md, login throttling). The login view asks
:meth:`LoginThrottleExtension.retry_after` before checking the password and calls
:meth:`LoginThrottleExtension.record_failure` after a wrong one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app, request
from limits import parse, storage

from .client_address import client_address as shared_client_address
from .login_throttle import LoginThrottle

if TYPE_CHECKING:
    from flask import Flask


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


class LoginThrottleExtension:
    """Flask extension holding the app's counters of failed logins (``login_throttle.py``)."""

    def init_app(self, app: Flask) -> None:
        """Count in memory, or in Redis when ``REDIS_URL`` is set.

        Args:
            app: The app whose ``REDIS_URL``, ``RATELIMIT_KEY_PREFIX`` and ``LOGIN_*_LIMIT``
                settings apply.
        """
        backend = storage.storage_from_string(
            app.config.get("REDIS_URL") or "memory://",
            key_prefix=app.config["RATELIMIT_KEY_PREFIX"],
        )
        if not isinstance(backend, storage.Storage):
            # An ``async+redis://`` URL names a storage for asyncio apps; Flask's views are
            # synchronous, so that would fail on the first login instead of here.
            msg = "REDIS_URL must be a redis:// URL, not an async+ one"
            raise RuntimeError(msg)
        app.extensions["login_throttle"] = LoginThrottle(
            backend,
            parse(app.config["LOGIN_FAILURE_LIMIT"]),
            parse(app.config["LOGIN_EMAIL_FAILURE_LIMIT"]),
        )

    @staticmethod
    def _throttle() -> LoginThrottle:
        throttle: LoginThrottle = current_app.extensions["login_throttle"]
        return throttle

    def retry_after(self, email: str, address: str) -> int | None:
        """Seconds until this email may try again from this address, or ``None`` for now.

        Args:
            email: The address being logged into.
            address: The client's address (:func:`client_address`).

        Returns:
            The wait in whole seconds (at least 1), or ``None`` when neither counter is full.
        """
        return self._throttle().retry_after(email, address)

    def record_failure(self, email: str, address: str) -> None:
        """Count one failed login in both counters.

        Args:
            email: The address being logged into.
            address: The client's address (:func:`client_address`).
        """
        self._throttle().record_failure(email, address)
