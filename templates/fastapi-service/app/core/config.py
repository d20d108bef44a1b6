"""Settings read from the environment (and a gitignored `.env` file).

Nothing here runs at import time: `get_settings()` builds the settings on first use, and tests
build their own `Settings(...)` and hand it to `create_app()` instead.
https://docs.pydantic.dev/latest/concepts/pydantic_settings/
"""

import logging
import secrets
from functools import lru_cache
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

logger = logging.getLogger(__name__)

# Values that mean "nobody filled this in yet" (see .env.example).
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "please-change-me"})
# HS256 keys shorter than the hash output (32 bytes) weaken the signature (RFC 7518, 3.2).
MIN_SECRET_LENGTH = 32
# OWASP Password Storage Cheat Sheet: argon2id with m=19 MiB, t=2, p=1 at least.
# https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
MIN_ARGON2_MEMORY_KIB = 19_456
MIN_ARGON2_TIME_COST = 2


class Settings(BaseSettings):
    """Every setting of the service; field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    environment: Literal["development", "production", "test"] = "development"
    debug: bool = False
    secret_key: SecretStr = SecretStr("")
    database_url: str = "sqlite:///./app.db"
    # Comma-separated exact origins; NoDecode keeps pydantic-settings from expecting JSON.
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ()
    redis_url: str = ""
    # Keys in Redis start with this, so several apps (or test runs) can share one server.
    rate_limit_key_prefix: str = "login-throttle"
    max_body_bytes: int = Field(default=1_048_576, ge=1)
    access_token_minutes: int = Field(default=15, ge=1)
    refresh_token_days: int = Field(default=14, ge=1)
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=15 * 60, ge=1)
    argon2_memory_kib: int = MIN_ARGON2_MEMORY_KIB
    argon2_time_cost: int = MIN_ARGON2_TIME_COST
    argon2_parallelism: int = 1
    docs_enabled: bool = True
    log_level: str = "INFO"

    @field_validator("cors_origins", mode="before")
    @classmethod
    def split_origins(cls, value: object) -> object:
        """Accept `CORS_ORIGINS=https://a.example,https://b.example` from the environment."""
        if isinstance(value, str):
            return tuple(origin.strip() for origin in value.split(",") if origin.strip())
        return value

    @field_validator("cors_origins")
    @classmethod
    def refuse_wildcard(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """A `*` origin would let any site read answers meant for signed-in users."""
        if "*" in value:
            msg = "CORS_ORIGINS lists exact origins; '*' is not allowed"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def check_security(self) -> Self:
        """Refuse weak settings in production; replace a weak key elsewhere with a random one."""
        weak_key = (
            self.secret_key.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS
            or len(self.secret_key.get_secret_value()) < MIN_SECRET_LENGTH
        )
        if self.environment == "production":
            if weak_key:
                msg = (
                    f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_LENGTH} "
                    'characters in production: python -c "import secrets; '
                    'print(secrets.token_urlsafe(50))"'
                )
                raise ValueError(msg)
            if self.debug:
                msg = "DEBUG must be off in production"
                raise ValueError(msg)
        elif weak_key:
            logger.warning(
                "SECRET_KEY is missing, short or a placeholder: using a random key that "
                "lasts only as long as this process (set SECRET_KEY in .env)"
            )
            object.__setattr__(self, "secret_key", SecretStr(secrets.token_urlsafe(50)))
        too_cheap = (
            self.argon2_memory_kib < MIN_ARGON2_MEMORY_KIB
            or self.argon2_time_cost < MIN_ARGON2_TIME_COST
        )
        if too_cheap and self.environment != "test":
            msg = "argon2 parameters below the OWASP minimum are only allowed in tests"
            raise ValueError(msg)
        return self

    @property
    def is_production(self) -> bool:
        """Production turns on HSTS and the strict start-up checks."""
        return self.environment == "production"


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment and `.env`."""
    return Settings()
