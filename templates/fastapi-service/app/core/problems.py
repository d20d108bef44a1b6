"""Problem details documents (RFC 9457), the body of every error answer.

https://www.rfc-editor.org/rfc/rfc9457.html
"""

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from starlette.responses import Response

PROBLEM_JSON = "application/problem+json"


def problem_body(status: int, detail: str, **extra: Any) -> bytes:
    """Serialise a problem document with the standard members first."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return json.dumps(body).encode()


def problem_response(
    status: int, detail: str, *, headers: Mapping[str, str] | None = None, **extra: Any
) -> Response:
    """Build a problem+json response."""
    return Response(
        problem_body(status, detail, **extra),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_JSON,
    )
