"""Logs as one JSON object per line, in UTC, with the request id and secrets redacted.

JSON keeps every record on one line: a `\\r\\n` smuggled into an email address is escaped by
`json.dumps`, so nobody can forge extra log lines (log injection, OWASP ASVS 7.3.1).
"""

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# Set by the request middleware; every log line written while serving a request carries it.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

REDACTED = "[REDACTED]"
# A field whose name contains one of these never reaches the log with its value.
SENSITIVE_WORDS = ("password", "token", "authorization", "cookie", "secret")
# Attributes every LogRecord has; anything else was passed by the caller in `extra=`.
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)


def redact(name: str, value: object) -> object:
    """Replace the value of a sensitive field, recursing into dictionaries."""
    if any(word in name.lower() for word in SENSITIVE_WORDS):
        return REDACTED
    if isinstance(value, dict):
        return {key: redact(str(key), item) for key, item in value.items()}
    return value


class JSONFormatter(logging.Formatter):
    """Formats a record as a single line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as JSON: time, level, logger, message, request id, extras."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRIBUTES and not name.startswith("_"):
                entry[name] = redact(name, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str) -> JSONFormatter:
    """Send the app's and the server's logs to stdout as JSON lines.

    Safe to call more than once (each app instance in the tests calls it): handlers are
    replaced, not added. Records still propagate to the root logger, where pytest's `caplog`
    listens.

    Returns:
        The formatter in use, so tests can check what a line looks like.
    """
    formatter = JSONFormatter()
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    app_logger = logging.getLogger("app")
    app_logger.handlers = [handler]
    app_logger.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        server_logger = logging.getLogger(name)
        server_logger.handlers = [handler]
        server_logger.propagate = False
    return formatter
