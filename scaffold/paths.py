"""Checks on the destination folder, made before anything is written."""

from __future__ import annotations

import os
from pathlib import Path

from scaffold.errors import DestinationError


def check_destination(raw: str | os.PathLike[str]) -> Path:
    """Validate where a new project should go and return it as an absolute path.

    Refused: NUL bytes, `..` parts, a symlink, an existing file, an existing non-empty
    folder, and a parent folder that does not exist.

    Raises:
        DestinationError: With the reason and what to do instead.
    """
    text = os.fspath(raw)
    if "\x00" in text:
        raise DestinationError("The destination path contains a NUL byte.")
    if not text.strip():
        raise DestinationError("The destination path is empty.", hint="Pass a folder name.")
    path = Path(text).expanduser()
    if ".." in path.parts:
        raise DestinationError(
            f"The destination {text!r} contains '..' parts.",
            hint="Pass the folder without '..', e.g. an absolute path.",
        )
    # abspath, not resolve(): the destination itself must stay visible if it is a symlink.
    path = Path(os.path.abspath(path))  # noqa: PTH100
    if path.is_symlink():
        raise DestinationError(
            f"The destination {path} is a symbolic link.",
            hint="Pass the real folder it points to, or another name.",
        )
    if path.exists():
        if not path.is_dir():
            raise DestinationError(f"The destination {path} exists and is not a folder.")
        if any(path.iterdir()):
            raise DestinationError(
                f"The destination {path} is not empty; nothing was written.",
                hint="Choose a new folder name, or empty that folder first.",
            )
    if not path.parent.is_dir():
        raise DestinationError(
            f"The parent folder {path.parent} does not exist.",
            hint="Create it first, or pick a destination inside an existing folder.",
        )
    return path
