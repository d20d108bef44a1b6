"""Constants and small assertions the contract tests share."""

from __future__ import annotations

import re
{%- if with_files %}
import struct
{%- endif %}
import time
import uuid
{%- if with_files %}
import zlib
{%- endif %}
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

API = "/api/v1"

# A password that passes every rule of CONTRACT.md: 12-128 characters, not a common one.
DEFAULT_PASSWORD = "c0ntract-Suite-pass!"

{%- if with_jobs %}
USER_KEYS = frozenset(
    {"id", "email", "full_name", "role", "is_active", "email_verified", "created_at"}
)
{%- else %}
USER_KEYS = frozenset({"id", "email", "full_name", "role", "is_active", "created_at"})
{%- endif %}
TASK_KEYS = frozenset(
    {
        "id",
        "title",
        "description",
        "status",
        "priority",
        "due_date",
        "owner_id",
        "created_at",
        "updated_at",
        "completed_at",
    }
)
PAGE_KEYS = frozenset({"items", "total", "limit", "offset"})
{%- if with_files %}
ATTACHMENT_KEYS = frozenset(
    {"id", "task_id", "filename", "content_type", "size", "sha256", "created_at"}
)
{%- endif %}

# ISO 8601 in UTC with a "Z", to the second or finer (CONTRACT.md, introduction).
TIMESTAMP_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Account:
    """A user that has logged in, with the tokens of that login."""

    user: dict[str, Any]
    email: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        """Authorization header carrying this account's access token."""
        return bearer(self.access_token)


def bearer(token: str) -> dict[str, str]:
    """Build an Authorization header.

    Args:
        token: An access token (or anything to send in its place).

    Returns:
        The header as a dict for httpx.
    """
    return {"Authorization": f"Bearer {token}"}


def login(client: httpx.Client, email: str, password: str, **kwargs: Any) -> httpx.Response:
    """POST /auth/login.

    Args:
        client: The client under test.
        email: The address to log in with.
        password: The password to log in with.
        **kwargs: Passed on to ``client.post`` (headers, for example).

    Returns:
        The raw response, so that callers can assert on failures too.
    """
    return client.post(f"{API}/auth/login", json={"email": email, "password": password}, **kwargs)


def assert_problem(response: httpx.Response, status: HTTPStatus) -> dict[str, Any]:
    """Assert that ``response`` is an RFC 9457 problem with ``status``.

    Args:
        response: The answer to check.
        status: The expected status code.

    Returns:
        The problem document, for further assertions.
    """
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0].strip() == "application/problem+json"
    body = response.json()
    assert isinstance(body.get("type"), str)
    assert body["type"]
    assert isinstance(body.get("title"), str)
    assert body.get("status") == status
    assert isinstance(body.get("detail"), str)
    return body


def assert_validation_error(response: httpx.Response, *fields: str) -> dict[str, Any]:
    """Assert a 422 problem whose ``errors`` name every one of ``fields``.

    Args:
        response: The answer to check.
        *fields: Dotted body paths or parameter names that must appear in ``errors[].field``.

    Returns:
        The problem document.
    """
    body = assert_problem(response, HTTPStatus.UNPROCESSABLE_ENTITY)
    errors = body.get("errors")
    assert isinstance(errors, list)
    assert errors
    for error in errors:
        assert isinstance(error.get("field"), str)
        assert isinstance(error.get("message"), str)
    named = {error["field"] for error in errors}
    for field in fields:
        assert field in named, f"{field!r} not among error fields {sorted(named)}"
    return body


def post_task(client: httpx.Client, account: Account, **fields: Any) -> dict[str, Any]:
    """POST /tasks as ``account`` and return the created Task.

    Args:
        client: The client under test.
        account: The signed-in owner.
        **fields: The request body; a title is supplied when missing.

    Returns:
        The Task JSON of the 201 answer.
    """
    fields.setdefault("title", "Write the report")
    response = client.post(f"{API}/tasks", json=fields, headers=account.headers)
    assert response.status_code == HTTPStatus.CREATED, response.text
    created: dict[str, Any] = response.json()
    return created


def header_tokens(response: httpx.Response, name: str) -> set[str]:
    """The comma-separated tokens of a header (Cache-Control, Vary), lower-cased.

    Args:
        response: Any answer.
        name: The header's name.

    Returns:
        The set of tokens; empty when the header is absent.
    """
    value = response.headers.get(name, "")
    return {part.strip().lower() for part in value.split(",") if part.strip()}


def assert_security_headers(response: httpx.Response) -> None:
    """Assert the headers CONTRACT.md puts on every API answer.

    Args:
        response: Any answer of the API.
    """
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("x-frame-options") == "DENY"
    assert headers.get("referrer-policy") == "no-referrer"
    directives = {
        part.strip().lower() for part in headers.get("content-security-policy", "").split(";")
    }
    assert "default-src 'none'" in directives
    assert "frame-ancestors 'none'" in directives


def access_claims(user_id: int | str, **overrides: Any) -> dict[str, Any]:
    """Claims of a well-formed access token for ``user_id``, with ``overrides`` applied.

    An override of ``None`` drops that claim.

    Args:
        user_id: The ``id`` of the User the token is for.
        **overrides: Claims to replace or (with ``None``) remove.

    Returns:
        The claims dict.
    """
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
        "type": "access",
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}
{%- if with_files %}


def png_bytes(size: int = 0) -> bytes:
    """A valid 1x1 PNG image, padded after its end chunk to ``size`` bytes when larger.

    Image readers stop at IEND, so the padding changes the size without changing the type.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + checksum

    image = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )
    return image + b"\x00" * max(0, size - len(image))


# A one-page PDF as small as readers accept; its first bytes are what identify it.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def attachments_url(task_id: int | str) -> str:
    """The attachments of a task."""
    return f"{API}/tasks/{task_id}/attachments"


def upload(
    client: httpx.Client,
    account: Account,
    task_id: int | str,
    content: bytes,
    filename: str = "picture.png",
    declared_type: str = "image/png",
) -> httpx.Response:
    """POST one file to a task's attachments as ``account`` (``multipart/form-data``)."""
    return client.post(
        attachments_url(task_id),
        files={"file": (filename, content, declared_type)},
        headers=account.headers,
    )


def attach(
    client: httpx.Client,
    account: Account,
    task_id: int | str,
    content: bytes | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """Upload a file (a PNG unless ``content`` says otherwise); the Attachment of the 201."""
    content = png_bytes() if content is None else content
    response = upload(client, account, task_id, content, **kwargs)
    assert response.status_code == HTTPStatus.CREATED, response.text
    created: dict[str, Any] = response.json()
    return created
{%- endif %}
