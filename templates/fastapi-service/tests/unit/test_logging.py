"""The JSON log formatter."""

import json
import logging

from app.core.logging import REDACTED, JSONFormatter


def make_record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("app.test", logging.INFO, __file__, 1, message, None, None)
    for name, value in extra.items():
        setattr(record, name, value)
    return record


def test_a_record_is_one_line_of_json_in_utc() -> None:
    line = JSONFormatter().format(make_record("hello", email="a\r\nb@example.com"))

    assert "\n" not in line
    assert "\r" not in line
    entry = json.loads(line)
    assert entry["message"] == "hello"
    assert entry["email"] == "a\r\nb@example.com"
    assert entry["time"].endswith("Z")


def test_sensitive_fields_are_redacted() -> None:
    record = make_record(
        "event",
        password="hunter2-hunter2",
        refresh_token="abc",
        headers={"Authorization": "Bearer xyz", "Accept": "*/*"},
    )

    entry = json.loads(JSONFormatter().format(record))

    assert entry["password"] == REDACTED
    assert entry["refresh_token"] == REDACTED
    assert entry["headers"] == {"Authorization": REDACTED, "Accept": "*/*"}
