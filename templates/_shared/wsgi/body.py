"""Reading and dropping an oversized request body before answering 413 (WSGI apps only).

gunicorn drains only a little of a body the app left unread and then closes the connection,
although its answer promised keep-alive: a client still sending sees the connection reset
instead of the 413, and a client that sends its next request on that connection sees it
dropped. Reading a body a few times the limit is cheap and keeps the connection usable. A
larger one is not read at all (gunicorn then closes the connection), so a huge upload never
costs more than ``DISCARD_FACTOR * limit`` of reading. In production nginx refuses such bodies
first (``client_max_body_size``).
"""

from __future__ import annotations

from typing import Protocol

# Bodies up to this many times the limit are read and thrown away before the 413 is sent.
DISCARD_FACTOR = 4
CHUNK_BYTES = 64 * 1024


class Readable(Protocol):
    """The part of a WSGI ``wsgi.input`` stream that is read here."""

    def read(self, size: int, /) -> bytes:
        """Read at most ``size`` bytes; ``b""`` at the end of the body."""
        ...


def discard_body(stream: Readable, length: int, limit: int) -> None:
    """Read and drop a body of ``length`` bytes over ``limit``, unless it is far over it.

    Args:
        stream: The raw WSGI input (``environ["wsgi.input"]``), not a wrapper that would
            itself refuse a body over the limit.
        length: The body's declared ``Content-Length``.
        limit: The largest body the app accepts.
    """
    if length > DISCARD_FACTOR * limit:
        return
    remaining = length
    while remaining > 0:
        chunk = stream.read(min(CHUNK_BYTES, remaining))
        if not chunk:
            return
        remaining -= len(chunk)
