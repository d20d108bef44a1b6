"""Login throttling per email address, with the `limits` package.

Failures are counted per lower-cased email (whether or not the account exists) in a moving
window: after `login_max_failures` in `login_window_seconds`, every attempt for that email is
refused with 429 until old failures leave the window. Refused attempts are not counted, and a
success does not wipe the count (otherwise a guesser who knows one password of a shared
account could keep guessing). Counting per email rather than per client address also stops
attackers who rotate addresses. https://limits.readthedocs.io/en/stable/strategies.html
"""

import hashlib
import math
import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool

from app.core.config import Settings


class LoginThrottle:
    """Counts failed logins and says whether another attempt may proceed."""

    def __init__(
        self,
        storage: Storage,
        *,
        max_failures: int,
        window_seconds: int,
        redis_pool: ConnectionPool | None = None,
    ) -> None:
        """Use `storage` (memory or Redis) with the given limit."""
        self.storage = storage
        self.redis_pool = redis_pool
        self.limiter = MovingWindowRateLimiter(storage)
        self.item = RateLimitItemPerSecond(max_failures, window_seconds)

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
            max_failures=settings.login_max_failures,
            window_seconds=settings.login_window_seconds,
            redis_pool=pool,
        )

    @staticmethod
    def _key(email: str) -> str:
        # Hashing keeps arbitrary client input (spaces, control characters) out of the keys.
        return hashlib.sha256(email.strip().lower().encode()).hexdigest()

    async def retry_after(self, email: str) -> int | None:
        """Seconds until the next attempt for `email` may proceed, or None if it may now."""
        key = self._key(email)
        if await self.limiter.test(self.item, key):
            return None
        stats = await self.limiter.get_window_stats(self.item, key)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def record_failure(self, email: str) -> None:
        """Count one failed attempt for `email`."""
        await self.limiter.hit(self.item, self._key(email))

    async def close(self) -> None:
        """Release the storage's connections (Redis) when the app shuts down."""
        if self.redis_pool is not None:
            await self.redis_pool.aclose()
