"""Login throttling wired into FastAPI: the app's counters of failed logins and the client address.

The rules (two counters of failed logins in moving windows, their hashed keys, `Retry-After`
in whole seconds) live in `app/core/login_throttle.py`, and the client address behind trusted
proxies in `app/core/client_address.py`: the same files in every framework scaffold offers
(CONTRACT.md, auth). This module only builds the throttle from the settings and reads the
client address from the ASGI scope.

The counters use the synchronous `limits` storage: the login route is a plain `def`, so
FastAPI runs it in its thread pool, where a round trip to Redis blocks nobody else.
https://limits.readthedocs.io/en/stable/storage.html
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from limits import parse
from limits.storage import MemoryStorage, RedisStorage, Storage
from starlette.types import Scope

from app.core.client_address import Network
from app.core.client_address import client_address as shared_client_address
from app.core.config import Settings
from app.core.login_throttle import LoginThrottle

if TYPE_CHECKING:
    import redis


def client_address(scope: Scope, trusted_proxies: Sequence[Network]) -> str:
    """The address an ASGI request comes from, as the login throttle counts it.

    Args:
        scope: the ASGI scope of the request.
        trusted_proxies: the TRUSTED_PROXIES setting.

    Returns:
        The socket peer ("unknown" if the server gave none), or what the trusted proxies in
        front of it saw (`app/core/client_address.py`).
    """
    peer = scope.get("client")
    forwarded = [
        value.decode("latin-1") for name, value in scope["headers"] if name == b"x-forwarded-for"
    ]
    return shared_client_address(peer[0] if peer else "unknown", forwarded, trusted_proxies)


def login_throttle(settings: Settings) -> tuple[LoginThrottle, "redis.ConnectionPool | None"]:
    """The app's login throttle: counts in memory, or in Redis when REDIS_URL is set.

    Args:
        settings: the app's settings (REDIS_URL, RATE_LIMIT_KEY_PREFIX and the two limits).

    Returns:
        The throttle, and the Redis connection pool it uses (None in memory), which the app
        closes when it shuts down: `limits` itself offers no way to close its connections.
    """
    pool = None
    storage: Storage
    if settings.redis_url:
        # Imported only when used: the Redis client adds about 6 MiB to every worker's memory.
        import redis  # noqa: PLC0415 - most projects count in memory and never need it

        pool = redis.ConnectionPool.from_url(settings.redis_url)
        storage = RedisStorage(
            settings.redis_url, connection_pool=pool, key_prefix=settings.rate_limit_key_prefix
        )
    else:
        storage = MemoryStorage()
    throttle = LoginThrottle(
        storage, parse(settings.login_failure_limit), parse(settings.login_email_failure_limit)
    )
    return throttle, pool
