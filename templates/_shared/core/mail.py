"""The project's mail: where `EMAIL_URL` points, the two messages it sends, and delivery.

One source for the text of every message, whatever the framework. Messages are only ever sent
from background jobs (CONTRACT.md, section 12), so delivery may block on the mail server.

`EMAIL_URL` forms (the password and user name percent-encoded):

- empty: no server; each message is written to a file of its own in a folder (development);
- ``smtp://host:25``: plain SMTP, for a relay on the same machine;
- ``smtp+tls://user:password@host:587``: STARTTLS before logging in;
- ``smtp+ssl://user:password@host:465``: TLS from the first byte.

``smtps://`` is refused on purpose: tools disagree on whether it means STARTTLS or TLS.
"""

from __future__ import annotations

import functools
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from pathlib import Path

Security = Literal["plain", "tls", "ssl"]

SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("plain", 25),
    "smtp+tls": ("tls", 587),
    "smtp+ssl": ("ssl", 465),
}
# Where a password may travel unencrypted: it never leaves the machine.
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
# Seconds to wait for the mail server before the job fails and is retried.
TIMEOUT_SECONDS = 30


@dataclass(frozen=True, kw_only=True)
class MailServer:
    """An SMTP server to send through, read from `EMAIL_URL`."""

    host: str
    port: int
    security: Security
    username: str = ""
    password: str = ""

    def __repr__(self) -> str:
        """Name the server without its password, so a log line never carries it."""
        user = f"{self.username}@" if self.username else ""
        return f"MailServer({self.security} {user}{self.host}:{self.port})"


def parse_email_url(url: str) -> MailServer | None:
    """Read `EMAIL_URL`.

    Args:
        url: The setting's value; empty (or only spaces) means "no server".

    Returns:
        The server, or None when messages go to files instead.

    Raises:
        ValueError: The URL cannot be used; the message names the rule and never the password.
    """
    url = url.strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        known = ", ".join(f"{scheme}://" for scheme in SCHEMES)
        msg = f"EMAIL_URL must start with one of {known} (got {parts.scheme or 'no'} scheme)"
        raise ValueError(msg)
    if not parts.hostname:
        msg = "EMAIL_URL names no host, e.g. smtp+tls://user:password@mail.example.com:587"
        raise ValueError(msg)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        msg = "EMAIL_URL takes no path, query or fragment: scheme://user:password@host:port"
        raise ValueError(msg)
    try:
        port = parts.port
    except ValueError:
        msg = "EMAIL_URL has a port that is not a number from 1 to 65535"
        raise ValueError(msg) from None
    security, default_port = SCHEMES[parts.scheme]
    if parts.password and security == "plain" and parts.hostname not in LOOPBACK:
        msg = "EMAIL_URL would send a password unencrypted: use smtp+tls:// or smtp+ssl://"
        raise ValueError(msg)
    return MailServer(
        host=parts.hostname,
        port=port or default_port,
        security=security,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def _message(*, to: str, sender: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    # Plain 7-bit text when it can be, so the link reads as it is in a saved message; quoted-
    # printable would show `#token=` as `#token=3D`.
    message.set_content(body, cte="7bit" if body.isascii() else "quoted-printable")
    return message


def link(frontend_url: str, page: str, token: str) -> str:
    """The link a message carries: the token in the fragment, which no browser sends on."""
    return f"{frontend_url.rstrip('/')}/{page}#token={token}"


def password_reset_message(
    *, to: str, sender: str, frontend_url: str, token: str, minutes: int, project: str
) -> EmailMessage:
    """The message that carries a password reset link.

    Args:
        to: The account's address.
        sender: `EMAIL_FROM`.
        frontend_url: `FRONTEND_URL`, where the link points.
        token: The reset token (only its hash is stored).
        minutes: How long the link works (`PASSWORD_RESET_MINUTES`).
        project: The project's name, for the subject.

    Returns:
        The message, ready for `deliver` (or a framework's own mail API).
    """
    body = (
        f"Someone asked to reset the password of your {project} account.\n\n"
        f"To choose a new password, open this link within {minutes} minutes:\n\n"
        f"{link(frontend_url, 'reset-password', token)}\n\n"
        "The link works once. Setting a new password signs out every session.\n"
        "If you did not ask for this, ignore this message: your password stays as it is.\n"
    )
    return _message(to=to, sender=sender, subject=f"Reset your {project} password", body=body)


def verification_message(
    *, to: str, sender: str, frontend_url: str, token: str, hours: int, project: str
) -> EmailMessage:
    """The message that carries an email verification link.

    Args:
        to: The address to verify.
        sender: `EMAIL_FROM`.
        frontend_url: `FRONTEND_URL`, where the link points.
        token: The verification token (only its hash is stored).
        hours: How long the link works (`EMAIL_VERIFICATION_HOURS`).
        project: The project's name, for the subject.

    Returns:
        The message, ready for `deliver` (or a framework's own mail API).
    """
    body = (
        f"Welcome to {project}.\n\n"
        f"To confirm that this address is yours, open this link within {hours} hours:\n\n"
        f"{link(frontend_url, 'verify-email', token)}\n\n"
        "If you did not make an account, ignore this message.\n"
    )
    return _message(to=to, sender=sender, subject=f"Verify your {project} address", body=body)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The context that verifies mail servers' certificates, made once per process.

    Making one reads the system's certificate authorities, about 10 ms each time; a context is
    meant to be shared by many connections, and a plain server never needs one.
    """
    return ssl.create_default_context()


def deliver(message: EmailMessage, server: MailServer | None, folder: Path) -> str:
    """Send a message through the server, or write it to a file when there is none.

    Args:
        message: What to send.
        server: From `parse_email_url`; None writes ``folder/<time>-<id>.eml``.
        folder: Where messages go without a server (created, owner-only, when missing).

    Returns:
        Where the message went, for the job's log line (never the password).

    Raises:
        OSError: The server could not be reached or refused the message (`smtplib`'s errors
            are OSErrors); the job retries.
    """
    if server is None:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = folder / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
        # The message holds a live token: readable by its owner only, as the database is.
        path.touch(mode=0o600)
        path.write_bytes(message.as_bytes())
        return str(path)
    if server.security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            server.host, server.port, timeout=TIMEOUT_SECONDS, context=_tls_context()
        )
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
    with smtp:
        if server.security == "tls":
            smtp.starttls(context=_tls_context())
        if server.username:
            smtp.login(server.username, server.password)
        smtp.send_message(message)
    return f"{server.host}:{server.port}"
