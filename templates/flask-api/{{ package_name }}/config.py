"""Settings, read from the environment (and a gitignored ``.env`` file).

Every value has a safe default except ``SECRET_KEY`` in production, where a missing,
placeholder or short key stops the app at start-up instead of signing tokens with a guessable
key (the rule of :mod:`.secret_key`, CONTRACT.md). Flask keeps settings in ``app.config``;
this module only builds the mapping. Error messages name a setting and its rule, never its
value: they end up in logs that more people read than the ``.env`` file.
https://flask.palletsprojects.com/en/stable/config/
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from limits import parse

from .client_address import parse_trusted_proxies
from .secret_key import SecretKeyError, resolve_secret_key

if TYPE_CHECKING:
    from collections.abc import Mapping

ENVIRONMENTS = ("development", "production", "test")

log = logging.getLogger(__name__)

# argon2id as OWASP recommends it for argon2-cffi: 19 MiB, two passes, one lane.
# https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html
ARGON2_TIME_COST = 2
ARGON2_MEMORY_COST = 19456
ARGON2_PARALLELISM = 1
# Hashes one process computes at once (the rest wait their turn): each holds ARGON2_MEMORY_COST
# while it runs, and the process keeps that much memory for the next one (passwords.py).
MAX_CONCURRENT_HASHES = 1


class ConfigError(RuntimeError):
    """The settings are unsafe or inconsistent; the app refuses to start."""


def database_url(raw: str) -> str:
    """Return a SQLAlchemy URL for the ``DATABASE_URL`` a person wrote.

    ``postgresql://`` (and Heroku-style ``postgres://``) URLs get the psycopg 3 driver, the one
    PostgreSQL driver this project installs. A relative SQLite path is made absolute against
    the working directory, because Flask-SQLAlchemy would otherwise resolve it against the
    instance folder and the backup tool would look in another place.

    Args:
        raw: The URL from the environment.

    Returns:
        The URL to hand to SQLAlchemy.
    """
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw.removeprefix(prefix)
    if raw.startswith("sqlite:///") and not raw.startswith("sqlite:////"):
        path = raw.removeprefix("sqlite:///")
        if path and not path.startswith(":memory:"):
            return "sqlite:///" + str(Path(path).resolve())
    return raw


def _flag(value: str | None, *, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _integer(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        msg = f"{name} must be a whole number"
        raise ConfigError(msg) from None


def _origins(value: str | None) -> list[str]:
    return [origin.strip() for origin in (value or "").split(",") if origin.strip()]


def load_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from environment variables.

    Args:
        environ: The variables to read; ``os.environ`` when omitted.

    Returns:
        Upper-case settings ready for ``app.config.from_mapping``.
    """
    env = os.environ if environ is None else environ
    environment = env.get("ENVIRONMENT", "development").strip().lower() or "development"
    production = environment == "production"
    return {
        "ENVIRONMENT": environment,
        # Off unless asked for; production refuses it (check_settings). Even on, errors are
        # answered by errors.py, never by Werkzeug's debugger page.
        "DEBUG": _flag(env.get("DEBUG"), default=False),
        "TESTING": environment == "test",
        "SECRET_KEY": env.get("SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL", "sqlite:///./app.db")),
        "CORS_ORIGINS": _origins(env.get("CORS_ORIGINS")),
        "REDIS_URL": env.get("REDIS_URL", "").strip() or None,
        "MAX_CONTENT_LENGTH": _integer(env, "MAX_BODY_BYTES", 1048576),
        "ACCESS_TOKEN_MINUTES": _integer(env, "ACCESS_TOKEN_MINUTES", 15),
        "REFRESH_TOKEN_DAYS": _integer(env, "REFRESH_TOKEN_DAYS", 14),
        "BACKUP_DIR": env.get("BACKUP_DIR", "./backups"),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
        "DOCS_ENABLED": _flag(env.get("DOCS_ENABLED"), default=True),
        # Failed logins per (email, client address), and per email from every address.
        "LOGIN_FAILURE_LIMIT": env.get("LOGIN_FAILURE_LIMIT", "").strip() or "5/15minutes",
        "LOGIN_EMAIL_FAILURE_LIMIT": (
            env.get("LOGIN_EMAIL_FAILURE_LIMIT", "").strip() or "100/15minutes"
        ),
        # Proxies whose X-Forwarded-For names the client (comma-separated IPs or networks).
        "TRUSTED_PROXIES": env.get("TRUSTED_PROXIES", ""),
        "RATELIMIT_KEY_PREFIX": "login",
        "ARGON2_TIME_COST": ARGON2_TIME_COST,
        "ARGON2_MEMORY_COST": ARGON2_MEMORY_COST,
        "ARGON2_PARALLELISM": ARGON2_PARALLELISM,
        "MAX_CONCURRENT_HASHES": _integer(env, "MAX_CONCURRENT_HASHES", MAX_CONCURRENT_HASHES),
        # HTTPS is enforced by the proxy in production; the app then adds HSTS.
        "HTTPS_ENFORCED": production,
        # Only the docs page and tests use the session cookie, but its flags are set anyway.
        # https://flask.palletsprojects.com/en/stable/web-security/#set-cookie-options
        "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
    }


def check_settings(config: dict[str, Any]) -> None:
    """Refuse unsafe settings, filling in what development may leave out.

    Args:
        config: The app's config, changed in place.

    Raises:
        ConfigError: On an unknown environment, unreadable limits or proxies, or in
            production on debug mode or an empty, placeholder or short ``SECRET_KEY``.
    """
    environment = config["ENVIRONMENT"]
    if environment not in ENVIRONMENTS:
        msg = f"ENVIRONMENT must be one of {', '.join(ENVIRONMENTS)}"
        raise ConfigError(msg)
    production = environment == "production"
    if config["DEBUG"] and production:
        msg = "DEBUG must be off in production"
        raise ConfigError(msg)
    try:
        # Outside production a weak key is replaced by a random one, with a WARNING.
        config["SECRET_KEY"] = resolve_secret_key(
            config.get("SECRET_KEY") or "", production=production, log=log
        )
    except SecretKeyError as error:
        raise ConfigError(str(error)) from None
    if config["MAX_CONTENT_LENGTH"] < 1:
        msg = "MAX_BODY_BYTES must be a positive number of bytes"
        raise ConfigError(msg)
    if config["MAX_CONCURRENT_HASHES"] < 1:
        msg = "MAX_CONCURRENT_HASHES must be at least 1"
        raise ConfigError(msg)
    for name in ("LOGIN_FAILURE_LIMIT", "LOGIN_EMAIL_FAILURE_LIMIT"):
        try:
            parse(config[name])
        except ValueError:
            msg = f"{name} must be a rate such as 5/15minutes"
            raise ConfigError(msg) from None
    proxies = config["TRUSTED_PROXIES"]
    if isinstance(proxies, str):
        try:
            config["TRUSTED_PROXIES"] = parse_trusted_proxies(proxies)
        except ValueError as error:
            raise ConfigError(str(error)) from None
