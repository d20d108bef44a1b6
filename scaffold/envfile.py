"""The generated project's `.env`: `.env.example` with every placeholder made a real secret.

Secrets are made here, at generation time, and written only to `.env` (gitignored, mode
0600): never to the answers file and never to a committed file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PLACEHOLDER = "change-me"
ENV_MODE = 0o600


def fill_placeholders(example: str) -> str:
    """Replace the value of every ``KEY=change-me`` line with a fresh random secret.

    Each key gets its own ``secrets.token_urlsafe(50)`` (about 400 bits); other lines,
    comments included, are kept as they are.
    """
    lines = []
    for line in example.splitlines(keepends=True):
        key, sep, value = line.rstrip("\r\n").partition("=")
        if sep and not key.lstrip().startswith("#") and value.strip() == PLACEHOLDER:
            ending = line[len(line.rstrip("\r\n")) :]
            lines.append(f"{key}={secrets.token_urlsafe(50)}{ending}")
        else:
            lines.append(line)
    return "".join(lines)


def write_env(project: Path) -> Path | None:
    """Write ``project/.env`` from ``project/.env.example`` with mode 0600.

    Returns:
        The path written, or None when the project has no `.env.example`.
    """
    example = project / ".env.example"
    if not example.is_file():
        return None
    target = project / ".env"
    # Created with its final mode, so the secret is never readable by others, not even briefly.
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, ENV_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(fill_placeholders(example.read_text(encoding="utf-8")))
    return target
