"""Password hashing, access tokens and refresh tokens.

Each job uses a well-kept library: argon2-cffi for hashing, PyJWT for tokens, `secrets` and
`hashlib` for opaque refresh tokens. Nothing here is hand-rolled cryptography.
"""

import hashlib
import re
import secrets
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

import jwt
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from app.core.config import Settings
from app.core.secret_key import resolve_secret_key

# The only algorithm accepted when decoding: a token that names another one (`none`, RS256
# with our secret as a "public key", ...) is refused before its signature is looked at.
# https://pyjwt.readthedocs.io/en/stable/algorithms.html
JWT_ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - a claim value, not a password
REQUIRED_CLAIMS = ["sub", "exp", "iat", "jti", "type"]
# A user id: ASCII digits without a leading zero, at most 2**63 - 1.
SUBJECT = re.compile(r"[1-9][0-9]{0,18}")
MAX_SUBJECT = 2**63 - 1


class InvalidTokenError(Exception):
    """The access token is missing a claim, expired, forged or of the wrong type."""


@dataclass(frozen=True)
class PasswordService:
    """Hashes and checks passwords with argon2id using the parameters from settings.

    Each hash holds `memory_kib` of memory while it runs, and the C allocator keeps that block
    in the memory arena of the thread that hashed. FastAPI runs the login route in a pool of
    up to 40 threads, so a burst of logins could leave one block behind per thread (measured:
    about 900 MiB for 40 threads at 19 MiB). Every hash and check therefore runs on this
    service's own pool of `max_concurrent` threads: a process never holds more than that many
    blocks, and further logins wait their turn (they are CPU-bound anyway).
    """

    memory_kib: int
    time_cost: int
    parallelism: int
    max_concurrent: int = 1
    _hasher: PasswordHasher = field(init=False, repr=False)
    _pool: ThreadPoolExecutor = field(init=False, repr=False)

    def __post_init__(self) -> None:
        hasher = PasswordHasher(
            time_cost=self.time_cost,
            memory_cost=self.memory_kib,
            parallelism=self.parallelism,
            type=Type.ID,
        )
        object.__setattr__(self, "_hasher", hasher)
        # Threads start on first use and end when the service is closed or collected.
        pool = ThreadPoolExecutor(self.max_concurrent, thread_name_prefix="argon2")
        object.__setattr__(self, "_pool", pool)

    @classmethod
    def from_settings(cls, settings: Settings) -> "PasswordService":
        """Build the service with the argon2 parameters of `settings`."""
        return cls(
            memory_kib=settings.argon2_memory_kib,
            time_cost=settings.argon2_time_cost,
            parallelism=settings.argon2_parallelism,
            max_concurrent=settings.max_concurrent_hashes,
        )

    @cached_property
    def dummy_hash(self) -> str:
        """A hash of a random password, checked when the email is unknown.

        Verifying against it makes a login for an unknown email cost as much as one with a
        wrong password, so response timing does not reveal which emails have accounts.
        """
        return self.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        """Return an encoded `$argon2id$...` hash of `password`."""
        return self._pool.submit(self._hasher.hash, password).result()

    def verify(self, password_hash: str, password: str) -> bool:
        """Check `password` against `password_hash` without raising on a mismatch."""
        return self._pool.submit(self._verify, password_hash, password).result()

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than the current ones."""
        return self._hasher.check_needs_rehash(password_hash)

    def close(self) -> None:
        """Stop the hashing threads once the hashes in progress are done."""
        self._pool.shutdown()


@dataclass(frozen=True, kw_only=True)
class TokenService:
    """Issues and checks access tokens (JWT) and makes opaque refresh tokens."""

    secret_key: str
    access_lifetime: timedelta
    refresh_lifetime: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> "TokenService":
        """Build the service from the secret and lifetimes in `settings`.

        A weak SECRET_KEY outside production is swapped for a random one here, with a
        warning, so a token signed with a public placeholder is never accepted.
        """
        return cls(
            secret_key=resolve_secret_key(
                settings.secret_key.get_secret_value(), production=settings.is_production
            ),
            access_lifetime=timedelta(minutes=settings.access_token_minutes),
            refresh_lifetime=timedelta(days=settings.refresh_token_days),
        )

    def create_access_token(self, user_id: int) -> str:
        """Sign a short-lived access token for `user_id`."""
        now = datetime.now(UTC)
        claims = {
            "sub": str(user_id),
            "iat": now,
            "exp": now + self.access_lifetime,
            "jti": uuid.uuid4().hex,
            "type": ACCESS_TOKEN_TYPE,
        }
        return jwt.encode(claims, self.secret_key, algorithm=JWT_ALGORITHM)

    def decode_access_token(self, token: str) -> int:
        """Return the user id of a valid access token.

        Raises:
            InvalidTokenError: for any token that is not a current, well-formed access token.
        """
        try:
            claims = jwt.decode(
                token,
                self.secret_key,
                algorithms=[JWT_ALGORITHM],
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise InvalidTokenError(str(error)) from error
        subject = claims["sub"]
        # Only a decimal integer in the range of a 64-bit id: "٣", "²", " 1" or 2**63 are
        # refused here rather than failing deeper down (CONTRACT.md, auth).
        if (
            claims["type"] != ACCESS_TOKEN_TYPE
            or not isinstance(subject, str)
            or not SUBJECT.fullmatch(subject)
            or int(subject) > MAX_SUBJECT
        ):
            msg = "not an access token"
            raise InvalidTokenError(msg)
        return int(subject)

    @staticmethod
    def new_refresh_token() -> str:
        """An opaque refresh token: 32 random bytes (256 bits), URL-safe."""
        return secrets.token_urlsafe(32)

    @staticmethod
    def new_token_family() -> str:
        """An id shared by every refresh token descended from one login."""
        return uuid.uuid4().hex


def hash_refresh_token(token: str) -> str:
    """Refresh tokens are stored as SHA-256 digests, so a database leak yields no usable token.

    A fast hash is right here (unlike for passwords): the token has 256 random bits, so there is
    nothing to guess.
    """
    return hashlib.sha256(token.encode()).hexdigest()
