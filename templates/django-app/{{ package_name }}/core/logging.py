"""One JSON object per line, with the request id, and secrets redacted.

Security events (`authn_login_success`, `authn_login_fail`, `authn_login_lock`, `authz_fail`)
are logged with the event name as the message, so log searches and tests find them by name.
"""

from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)

SECURITY_LOGGER = logging.getLogger("security")

REDACTED = "[REDACTED]"
# A key whose name contains one of these words never has its value logged.
SENSITIVE_KEY = re.compile(
    r"password|passwd|token|secret|authorization|cookie|session|api_?key", re.I
)
# The same values when they appear inside free text: "password=...", "Bearer ...".
SENSITIVE_TEXT = re.compile(
    r"(?P<key>(?:password|passwd|token|secret|authorization|cookie|api_?key)\w*[\"']?\s*[:=]\s*)"
    r"[\"']?[^\s,;&\"'}]+"
    r"|(?P<scheme>Bearer\s+)[A-Za-z0-9._~+/=-]+",
    re.I,
)

# Attributes every LogRecord has; anything else came in through `extra=`.
STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def redact_text(text: str) -> str:
    """Mask secret values that appear inside free text.

    Args:
        text: A log message.

    Returns:
        The message with values after sensitive keys and bearer tokens masked.
    """

    def mask(match: re.Match[str]) -> str:
        return (match.group("key") or match.group("scheme")) + REDACTED

    return SENSITIVE_TEXT.sub(mask, text)


def redact(value: Any, key: str = "") -> Any:
    """Mask sensitive values in structured data, recursively.

    Args:
        value: A value passed through `extra=`.
        key: The name it was passed under.

    Returns:
        The value, or REDACTED when the key names a secret.
    """
    if key and SENSITIVE_KEY.search(key):
        return REDACTED
    if isinstance(value, dict):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


class JsonFormatter(logging.Formatter):
    """Format each record as one JSON object on one line (newlines inside are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise the record.

        Args:
            record: The log record.

        Returns:
            A single line of JSON.
        """
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_text(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRIBUTES and key not in payload:
                payload[key] = redact(value, key)
        if record.exc_info:
            payload["exception"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(payload, default=str)


def security_event(event: str, **fields: Any) -> None:
    """Log a security event with its name as the message.

    Args:
        event: One of authn_login_success, authn_login_fail, authn_login_lock, authz_fail...
        **fields: Context (user id, email, reason). Sensitive names are redacted anyway.
    """
    level = logging.INFO if event.endswith("success") else logging.WARNING
    extra = {"event": event, "request_id": REQUEST_ID.get(), **fields}
    SECURITY_LOGGER.log(level, event, extra=extra)
