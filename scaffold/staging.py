"""The staging folder: where a project is built before it is moved into place.

Rendering into a sibling folder on the same file system and renaming it at the end is what
makes `scaffold new` all-or-nothing.
"""

from __future__ import annotations

import contextlib
import errno
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

from scaffold.errors import DestinationError

STAGING_PREFIX = ".scaffold-staging-"


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back for the duration of the block (POSIX only).

    A signal that arrives meanwhile is delivered when the block ends, so the code inside runs
    to completion: used where an interrupt would otherwise leave an orphan on disk.
    """
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def make_staging(parent: Path) -> Path:
    """Create the staging folder in ``parent``.

    Raises:
        DestinationError: When ``parent`` cannot be written to.
    """
    try:
        return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=parent))
    except OSError as error:
        raise DestinationError(f"Cannot write in {parent}: {error.strerror}.") from error


def list_files(project: Path) -> tuple[str, ...]:
    """Every file below ``project`` (relative, POSIX style, sorted), `.git` left out."""

    def walk(folder: Path) -> Iterator[str]:
        for entry in sorted(folder.iterdir()):
            if entry.name == ".git" and folder == project:
                continue
            if entry.is_dir() and not entry.is_symlink():
                yield from walk(entry)
            else:
                yield entry.relative_to(project).as_posix()

    return tuple(walk(project))


def move_into_place(project: Path, destination: Path) -> None:
    """Move the finished ``project`` to ``destination``.

    A destination that does not exist yet is made by one atomic rename. An existing (empty)
    folder is kept, never replaced: it may be the user's working folder (`scaffold new .`),
    and replacing it would strand their shell in a deleted directory. Its new entries are
    renamed into it one by one with interrupts held back, and moved back if one fails.

    Raises:
        DestinationError: When a rename fails (the destination changed meanwhile, ...).
    """
    if not destination.is_dir():
        try:
            project.rename(destination)
        except OSError as error:
            raise DestinationError(
                f"Could not move the project into {destination}: {error.strerror}; nothing "
                "was written there."
            ) from error
        return
    moved: list[Path] = []
    with deferred_signals():
        try:
            for entry in sorted(project.iterdir()):
                target = destination / entry.name
                if target.exists() or target.is_symlink():
                    raise FileExistsError(errno.EEXIST, "a file appeared meanwhile", target)
                entry.rename(target)
                moved.append(entry)
        except OSError as error:
            for entry in reversed(moved):
                (destination / entry.name).rename(entry)
            raise DestinationError(
                f"Could not move the project into {destination}: {error.strerror}; nothing "
                "was written there."
            ) from error
