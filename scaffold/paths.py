"""Checks on the destination folder, made before anything is written."""

from __future__ import annotations

import os
from pathlib import Path

from scaffold.errors import DestinationError


def check_destination(raw: str | os.PathLike[str]) -> Path:
    """Validate where a new project should go and return it as an absolute path.

    Refused: NUL bytes, a symlink, an existing file, an existing non-empty folder, and a
    parent folder that does not exist. `..` parts mean what they mean to the shell.

    Raises:
        DestinationError: With the reason and what to do instead.
    """
    text = os.fspath(raw)
    if "\x00" in text:
        raise DestinationError("The destination path contains a NUL byte.")
    if not text.strip():
        raise DestinationError("The destination path is empty.", hint="Pass a folder name.")
    path = Path(text).expanduser()
    # `.`, `..` and `x/..` name a folder that exists: resolve it whole. Otherwise the parent
    # is resolved as the shell would (so `../demo` and `link/../demo` mean what they mean to
    # `cd`) and the last part stays as typed, so a destination that is itself a symbolic link
    # is seen and refused, never followed.
    whole = path.name in {"", ".", ".."}
    path = path.resolve() if whole else path.parent.resolve() / path.name
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
