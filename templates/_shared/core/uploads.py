"""The rules of an upload, the same in every framework (CONTRACT.md, section 13).

A view hands the uploaded file (a temporary file the framework spooled to disk) to
`inspect_upload`, which reads it once in chunks: its size against `ATTACHMENT_MAX_BYTES`, its
SHA-256, and its type from the first bytes of the content, never from the name or the part's
header. `safe_filename` keeps a displayable original name; `content_disposition` echoes it on
download. OWASP File Upload Cheat Sheet:
https://cheatsheetseries.owasp.org/cheatsheets/File_Upload_Cheat_Sheet.html
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

import puremagic

if TYPE_CHECKING:
    from collections.abc import Collection
    from typing import BinaryIO

# The multipart framing allowed around the file on top of ATTACHMENT_MAX_BYTES.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
# The first bytes are enough for every signature of the allowed types.
SNIFF_BYTES = 8192
CHUNK_BYTES = 64 * 1024
MAX_NAME_BYTES = 255
# RFC 8187's attr-char, the characters a filename* value may carry unencoded.
ATTR_CHARS = "!#$&+-.^_`|~"

NOT_ACCEPTED = "This type of file is not accepted."


def too_large_detail(max_bytes: int) -> str:
    """The 413 detail of a file over `ATTACHMENT_MAX_BYTES`."""
    return f"The file is larger than {max_bytes} bytes."


def over_quota_detail(quota_bytes: int) -> str:
    """The 413 detail of an upload that would pass `ATTACHMENT_QUOTA_BYTES`."""
    return f"The upload would exceed the storage quota of {quota_bytes} bytes."


class UploadRefusedError(Exception):
    """The file breaks a rule; `status` and `detail` are the problem to answer."""

    def __init__(self, status: int, detail: str) -> None:
        """Keep the answer's status and detail."""
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Inspected:
    """What `inspect_upload` read: the size in bytes, the SHA-256 (hex) and the type."""

    size: int
    sha256: str
    content_type: str


def parse_types(setting: str) -> frozenset[str]:
    """`ATTACHMENT_TYPES` as a set of lower-case media types (comma-separated, spaces allowed)."""
    return frozenset(part.strip().lower() for part in setting.split(",") if part.strip())


def sniff(head: bytes) -> str | None:
    """The media type that the content's first bytes show, or None when none is recognised."""
    if not head:
        return None
    try:
        return str(puremagic.from_string(head, mime=True)).lower() or None
    except puremagic.PureError:
        return None


def inspect_upload(file: BinaryIO, *, max_bytes: int, allowed: Collection[str]) -> Inspected:
    """Read an uploaded file once, in chunks, and apply the size and type rules.

    Args:
        file: The spooled upload; read from its start, and left at its start again.
        max_bytes: `ATTACHMENT_MAX_BYTES`.
        allowed: The allowed media types (`parse_types` of `ATTACHMENT_TYPES`).

    Returns:
        The file's size, SHA-256 and type.

    Raises:
        UploadRefusedError: 413 when larger than `max_bytes` (reading stops there), 415 when
            the type is not allowed.
    """
    file.seek(0)
    digest = hashlib.sha256()
    head = b""
    size = 0
    while chunk := file.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise UploadRefusedError(413, too_large_detail(max_bytes))
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        digest.update(chunk)
    file.seek(0)
    content_type = sniff(head)
    if content_type is None or content_type not in allowed:
        raise UploadRefusedError(415, NOT_ACCEPTED)
    return Inspected(size=size, sha256=digest.hexdigest(), content_type=content_type)


def form_filename(raw: str) -> str:
    """The file name a client meant, from the `filename` parameter of a multipart part.

    HTML's form encoding (which browsers and httpx follow) writes `"` as `%22` and line feeds,
    carriage returns and other control characters as `%XX` inside the quoted name, and
    multipart parsers hand that text over as it is. Only those escapes are undone: a `%41` in
    a name stays as typed.
    https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#multipart-form-data
    """
    return re.sub(r"%(22|[01][0-9A-Fa-f]|7[Ff])", lambda match: chr(int(match[1], 16)), raw)


def safe_filename(name: str | None) -> str:
    """The original name as the API keeps it: displayable, never a path.

    First the form encoding is undone (`form_filename`); then the part after the last `/` or
    `\\`, in NFC, without control characters (Unicode category
    C: controls, format characters such as bidirectional overrides, unassigned code points),
    without leading and trailing dots and spaces, cut to 255 UTF-8 bytes at a character
    boundary; `file` when nothing is left.
    """
    base = form_filename(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(char for char in base if not unicodedata.category(char).startswith("C"))
    base = base.strip(". ")
    encoded = base.encode("utf-8")[:MAX_NAME_BYTES]
    base = encoded.decode("utf-8", "ignore").strip(". ")
    return base or "file"


def content_disposition(filename: str) -> str:
    """`Content-Disposition` of a download: an ASCII fallback and the exact UTF-8 name.

    RFC 6266 section 4.3: a `filename` every client reads, then `filename*` (RFC 8187), which
    clients that know it prefer.
    """
    fallback = "".join(
        char if " " <= char <= "~" and char not in '"\\' else "_" for char in filename
    )
    encoded = quote(filename, safe=ATTR_CHARS)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
