"""Settings read from the environment (and a gitignored `.env` file).

Nothing here runs at import time: `get_settings()` builds the settings on first use, and tests
build their own `Settings(...)` and hand it to `create_app()` instead.
https://docs.pydantic.dev/latest/concepts/pydantic_settings/

A refused setting is reported by name and rule only (`SettingsError`): pydantic's own error
text repeats the input, which for a mistyped line of `.env` can be a password.
"""

from functools import lru_cache
from typing import Annotated, Literal, Self

from limits import parse
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.core.client_address import Network, parse_trusted_proxies
from app.core.secret_key import resolve_secret_key

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
    # Failed logins allowed per (email, client address), then per email from everywhere, in
    # the `limits` notation ("5/15minutes"); see app/core/throttle.py.
    login_failure_limit: str = "5/15minutes"
    login_email_failure_limit: str = "100/15minutes"
    # Proxies whose X-Forwarded-For is believed (IPs or CIDR networks, comma-separated).
    trusted_proxies: Annotated[tuple[Network, ...], NoDecode] = ()
    argon2_memory_kib: int = MIN_ARGON2_MEMORY_KIB
    argon2_time_cost: int = MIN_ARGON2_TIME_COST
    argon2_parallelism: int = 1
    # Hashes one worker process runs at once, each holding ARGON2_MEMORY_KIB (see
    # PasswordService); the rest queue. One per process suits one worker per CPU core.
    max_concurrent_hashes: int = Field(default=1, ge=1)
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

    @field_validator("login_failure_limit", "login_email_failure_limit")
    @classmethod
    def check_limit(cls, value: str) -> str:
        """A limit must parse now, not on the first failed login."""
        try:
            parse(value)
        except ValueError:
            msg = 'must look like "5/15minutes" (count/period)'
            raise ValueError(msg) from None
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def split_proxies(cls, value: object) -> object:
        """Accept `TRUSTED_PROXIES=10.0.0.1,192.168.0.0/16` from the environment."""
        if isinstance(value, str):
            return parse_trusted_proxies(value)
        return value

    @model_validator(mode="after")
    def check_security(self) -> Self:
        """Refuse weak settings in production.

        Outside production a weak SECRET_KEY is kept here and replaced, with a warning, when
        the token service is built (`TokenService.from_settings`), after logging is set up.
        """
        if self.environment == "production":
            resolve_secret_key(self.secret_key.get_secret_value(), production=True)
            if self.debug:
                msg = "DEBUG must be off in production"
                raise ValueError(msg)
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


class SettingsError(Exception):
    """Settings were refused; the message names each setting and rule, never a value."""


def describe_errors(error: ValidationError) -> str:
    """One line naming each refused setting and why, without the values pydantic quotes.

    Args:
        error: what `Settings()` raised.

    Returns:
        For example `SECRET_KEY is a placeholder: ...; MAX_BODY_BYTES: Input should be ...`.
    """
    parts = []
    for item in error.errors(include_input=False, include_url=False, include_context=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        name = ".".join(str(part) for part in item["loc"]).upper()
        parts.append(f"{name}: {message}" if name else message)
    return "; ".join(parts)


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment and `.env`.

    Raises:
        SettingsError: when a setting is refused (no value is quoted in the message).
    """
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(describe_errors(error)) from None
