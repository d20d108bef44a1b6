"""One JSON object per log line, in UTC, with the request id and secrets redacted.

JSON keeps every record on one line whatever a client puts in a field (a ``\\r\\n`` in an
email cannot forge a second record), and log shippers parse it without regular expressions.
https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import TYPE_CHECKING, Any

from flask import g, has_request_context

if TYPE_CHECKING:
    from flask import Flask

REDACTED = "[redacted]"
# A key containing any of these words has its value replaced, wherever it appears.
SENSITIVE_WORDS = ("password", "token", "authorization", "cookie", "secret")

# Attributes every LogRecord has; anything else was passed in `extra=` and is logged.
_STANDARD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys() | {"message", "asctime"}
)


def redact(value: Any, key: str = "") -> Any:
    """Replace sensitive values, looking into nested dicts and lists.

    Args:
        value: What is about to be logged.
        key: The name it is logged under.

    Returns:
        The value, with sensitive entries replaced by ``[redacted]``.
    """
    if any(word in key.lower() for word in SENSITIVE_WORDS):
        return REDACTED
    if isinstance(value, dict):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a JSON object on one line."""
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is None and has_request_context():
            request_id = g.get("request_id")
        if request_id is not None:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRIBUTES and key not in entry:
                entry[key] = redact(value, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(app: Flask) -> None:
    """Send the app's and this package's logs to stderr as JSON lines.

    Args:
        app: The app whose ``LOG_LEVEL`` applies.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    # Flask's `app.logger` and every module logger of this package share the package's name.
    logger = logging.getLogger(app.import_name)
    logger.handlers = [handler]
    logger.setLevel(app.config["LOG_LEVEL"])
    # Stop at our handler, but let pytest's caplog (on the root logger) see records in tests.
    logger.propagate = app.config["TESTING"]
