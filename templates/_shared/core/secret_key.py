"""The one rule for SECRET_KEY, the key access tokens are signed with (CONTRACT.md).

A key is refused when it is empty, a known placeholder (compared case-insensitively after
trimming), or shorter than 32 characters: an HS256 key shorter than the hash output weakens
the signature (RFC 7518, section 3.2), and a placeholder is public, so anyone could sign
tokens with it. In production such a key stops the start; elsewhere the process runs on a
random key of its own and says so loudly, so a forgotten `.env` never signs tokens with a
public value. The error and the warning name the setting and the rule, never its value.

This module knows no framework: the settings code of each project calls `resolve_secret_key`.
"""

import logging
import secrets

#: Fewer characters than this is refused (32 bytes = the HS256 hash output).
MIN_SECRET_KEY_LENGTH = 32
#: Values that mean "nobody filled this in yet", compared lower-cased after trimming.
PLACEHOLDER_SECRET_KEYS = frozenset(
    {
        "change-me",
        "changeme",
        "change_me",
        "secret",
        "secret-key",
        "your-secret-key",
        "insecure",
    }
)
#: Django's `startproject` writes keys starting with this; they are public too.
PLACEHOLDER_PREFIXES = ("django-insecure",)
#: How to make a good key, quoted in the error message.
GENERATE_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(50))"'

logger = logging.getLogger(__name__)


class SecretKeyError(ValueError):
    """SECRET_KEY is empty, a placeholder or too short where that is not allowed."""


def secret_key_problem(value: str) -> str | None:
    """Say what is wrong with a SECRET_KEY value, without repeating the value.

    Args:
        value: the configured key, exactly as read from the environment.

    Returns:
        `"is empty"`, `"is a placeholder"` or `"is shorter than 32 characters"`, or None
        when the key may be used.
    """
    candidate = value.strip()
    if not candidate:
        return "is empty"
    folded = candidate.lower()
    if folded in PLACEHOLDER_SECRET_KEYS or folded.startswith(PLACEHOLDER_PREFIXES):
        return "is a placeholder"
    if len(candidate) < MIN_SECRET_KEY_LENGTH:
        return f"is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    return None


def resolve_secret_key(value: str, *, production: bool, log: logging.Logger | None = None) -> str:
    """Return the key to sign with: `value` when it is good enough, else refuse or replace it.

    Args:
        value: the configured SECRET_KEY.
        production: True when ENVIRONMENT is `production`.
        log: where the warning goes (defaults to this module's logger).

    Returns:
        `value` itself when it passes the rule; outside production, a random key made for
        this process (`secrets.token_urlsafe(50)`) when it does not.

    Raises:
        SecretKeyError: in production, when the key is empty, a placeholder or too short.
            The message names SECRET_KEY and the rule, never the value.
    """
    problem = secret_key_problem(value)
    if problem is None:
        return value
    if production:
        msg = (
            f"SECRET_KEY {problem}: production needs a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters that is not a placeholder; make one with "
            f"{GENERATE_HINT}"
        )
        raise SecretKeyError(msg)
    (log or logger).warning(
        "SECRET_KEY %s: using a random key for this process only, so tokens will not survive "
        "a restart; set SECRET_KEY in .env (%s)",
        problem,
        GENERATE_HINT,
    )
    return secrets.token_urlsafe(50)
