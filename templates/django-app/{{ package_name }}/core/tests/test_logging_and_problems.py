"""The JSON log formatter and the flattening of validation errors."""

from __future__ import annotations

import json
import logging

from ..logging import JsonFormatter
from ..problems import field_errors


def test_extras_named_like_secrets_are_redacted() -> None:
    record = logging.makeLogRecord(
        {"msg": "login with password=hunter2hunter2", "password": "p", "refresh_token": "t"}
    )

    entry = json.loads(JsonFormatter().format(record))

    assert entry["password"] == entry["refresh_token"] == "[REDACTED]"
    assert "hunter2hunter2" not in entry["message"]


def test_nested_errors_get_dotted_paths() -> None:
    detail = {
        "title": ["Too long."],
        "items": [{}, {"name": ["Required."]}],
        "non_field_errors": ["Bad."],
    }

    assert list(field_errors(detail)) == [
        {"field": "title", "message": "Too long."},
        {"field": "items.1.name", "message": "Required."},
        {"field": "", "message": "Bad."},
    ]
