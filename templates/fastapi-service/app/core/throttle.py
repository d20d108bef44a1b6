"""Login throttling for FastAPI: async counters of failed logins (CONTRACT.md, auth).

The rules are those of `app/core/login_throttle.py` (shared by every framework scaffold
offers, which the sync frameworks use as it is): a counter per email and client address
(`LOGIN_FAILURE_LIMIT`), a higher one per email from every address
(`LOGIN_EMAIL_FAILURE_LIMIT`), moving windows, the same keys. This app runs on an event loop,
so it counts with the `limits.aio` strategies over the same keys, and the client address
comes from the ASGI scope through `app/core/client_address.py`.
https://limits.readthedocs.io/en/stable/strategies.html
"""

import math
import time
from collections.abc import Sequence

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool
from starlette.types import Scope

from app.core.client_address import Network
from app.core.client_address import client_address as shared_client_address
from app.core.config import Settings
from app.core.login_throttle import failed_login_keys


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


class LoginThrottle:
    """Counts failed logins and says whether another attempt may proceed."""

    def __init__(
        self,
        storage: Storage,
        *,
        pair_limit: RateLimitItem,
        email_limit: RateLimitItem,
        redis_pool: ConnectionPool | None = None,
    ) -> None:
        """Use `storage` (memory or Redis) with the two limits."""
        self.storage = storage
        self.redis_pool = redis_pool
        self.limiter = MovingWindowRateLimiter(storage)
        self.pair_limit = pair_limit
        self.email_limit = email_limit

    @classmethod
    def from_settings(cls, settings: Settings) -> "LoginThrottle":
        """In-memory counts by default; Redis when REDIS_URL is set, so instances share them."""
        pool = None
        storage: Storage
        if settings.redis_url:
            # Our own pool, so shutdown can close its connections (limits offers no close()).
            pool = ConnectionPool.from_url(settings.redis_url)
            storage = RedisStorage(
                "async+" + settings.redis_url,
                implementation="redispy",
                key_prefix=settings.rate_limit_key_prefix,
                connection_pool=pool,  # type: ignore[arg-type]  # handed to redis.asyncio.Redis
            )
        else:
            storage = MemoryStorage()
        return cls(
            storage,
            pair_limit=parse(settings.login_failure_limit),
            email_limit=parse(settings.login_email_failure_limit),
            redis_pool=pool,
        )

    def _checks(self, email: str, address: str) -> tuple[tuple[RateLimitItem, str], ...]:
        pair_key, email_key = failed_login_keys(email, address)
        return (self.pair_limit, pair_key), (self.email_limit, email_key)

    async def retry_after(self, email: str, address: str) -> int | None:
        """Seconds until `email` may try again from `address`, or None if it may now."""
        waits = []
        for item, key in self._checks(email, address):
            if not await self.limiter.test(item, key):
                stats = await self.limiter.get_window_stats(item, key)
                waits.append(max(1, math.ceil(stats.reset_time - time.time())))
        return max(waits) if waits else None

    async def record_failure(self, email: str, address: str) -> None:
        """Count one failed attempt for `email` from `address`, in both counters."""
        for item, key in self._checks(email, address):
            await self.limiter.hit(item, key)

    async def close(self) -> None:
        """Release the storage's connections (Redis) when the app shuts down."""
        if self.redis_pool is not None:
            await self.redis_pool.aclose()
