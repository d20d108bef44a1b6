"""A real SMTP server on loopback that keeps what it receives, for the mail tests.

The project's mail goes through SMTP in the tests exactly as in production: the app (or its
worker) connects to this server, which is aiosmtpd running in a thread of the test process, and
the tests read what arrived. Nothing is mocked.
"""

from __future__ import annotations

import email.policy
import re
import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

LOOPBACK = "127.0.0.1"
POLICY = email.policy.default
# How long a test waits for a message: a worker polls its queue, so mail is not instant.
WAIT_SECONDS = 15.0
# The token of a link (CONTRACT.md, section 12): 32 random bytes in URL-safe base64.
TOKEN_LENGTH = 43


@dataclass(frozen=True)
class Received:
    """One message as it arrived: the envelope's recipients and the parsed message."""

    recipients: tuple[str, ...]
    message: EmailMessage


class _Keep:
    """The aiosmtpd handler: parse and keep every message."""

    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        """Called by aiosmtpd once a message is complete (its hook's name is fixed)."""
        message = message_from_bytes(envelope.content, policy=POLICY)
        # The default policy makes an EmailMessage, whatever the parser's declared type says.
        assert isinstance(message, EmailMessage)
        recipients = tuple(address.lower() for address in envelope.rcpt_tos)
        self.sink.keep(Received(recipients, message))
        return "250 Message accepted for delivery"


class MailSink:
    """An SMTP server on 127.0.0.1 that keeps every message, and ways to wait for one."""

    def __init__(self, port: int = 0) -> None:
        """Prepare the server; ``port`` 0 picks a free one when it starts."""
        self.port = port or _free_port()
        self._received: list[Received] = []
        self._arrived = threading.Condition()
        self._controller = Controller(_Keep(self), hostname=LOOPBACK, port=self.port)

    def start(self) -> None:
        """Start serving (returns once the server accepts connections)."""
        self._controller.start()

    def stop(self) -> None:
        """Stop serving."""
        self._controller.stop()

    @property
    def url(self) -> str:
        """The `EMAIL_URL` that sends here."""
        return f"smtp://{LOOPBACK}:{self.port}"

    def keep(self, received: Received) -> None:
        """Store a message and wake whoever waits for one."""
        with self._arrived:
            self._received.append(received)
            self._arrived.notify_all()

    def messages_to(self, address: str, page: str | None = None) -> list[EmailMessage]:
        """The messages received so far for ``address``, oldest first.

        Args:
            address: The recipient (any case).
            page: Only messages with a link to this page (``reset-password``,
                ``verify-email``); the mails of one address arrive in no fixed order when a
                worker sends them.
        """
        wanted = address.lower()
        with self._arrived:
            return [
                item.message
                for item in self._received
                if wanted in item.recipients and (page is None or _links_to(item.message, page))
            ]

    def wait_for(
        self, address: str, page: str, *, count: int = 1, timeout: float = WAIT_SECONDS
    ) -> EmailMessage:
        """Wait until ``address`` has ``count`` messages linking to ``page``; the last of them.

        Raises:
            AssertionError: Fewer arrived within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                messages = self.messages_to(address, page)
                if len(messages) >= count:
                    return messages[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    msg = f"{len(messages)}/{count} {page} messages for {address} in {timeout} s"
                    raise AssertionError(msg)
                self._arrived.wait(left)

    def token(
        self, address: str, page: str, *, count: int = 1, timeout: float = WAIT_SECONDS
    ) -> str:
        """The token of the link in ``wait_for(address, page, count=count)``."""
        return link_token(self.wait_for(address, page, count=count, timeout=timeout), page)


def link_token(message: EmailMessage, page: str) -> str:
    """The token of the message's ``page`` link (``reset-password`` or ``verify-email``).

    Raises:
        AssertionError: The message holds no such link, or more than one.
    """
    body = message.get_body(preferencelist=("plain",))
    assert body is not None, "the message has no text/plain part"
    found = re.findall(rf"/{re.escape(page)}#token=([A-Za-z0-9_-]+)", body.get_content())
    assert len(found) == 1, f"expected one {page} link in the message, found {len(found)}"
    assert len(found[0]) == TOKEN_LENGTH, f"a token of {len(found[0])} characters: {found[0]}"
    return str(found[0])


def _links_to(message: EmailMessage, page: str) -> bool:
    body = message.get_body(preferencelist=("plain",))
    return body is not None and f"/{page}#token=" in body.get_content()


def _free_port() -> int:
    # The OS picks a free port; it is released again for aiosmtpd to bind a moment later.
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])
