"""What a killed run leaves in the backup folder, and how the next run tells it from live work.

A command killed half-way (`kill -9`, a power cut, a closed terminal) cannot clean up after
itself. Two rules make its leftovers recognisable:

- every file is written under a `.partial` name and renamed into place once complete
  (`unfinished_path` in files.py), and scratch folders are named `*.partial` too;
- every command that writes holds a shared lock on `BACKUP_DIR/.lock` while it works
  (`working_in`). The kernel releases the lock when its process dies, however it dies.

So a command that gets the lock exclusively knows that no other command is running, and every
`.partial` it finds belongs to a run that is gone. Scratch databases on a PostgreSQL server are
found the same way, with a server-side lock (see `PostgresEngine.recover`).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .files import BACKUP_NAME, PARTIAL_SUFFIX, PRIVATE, manifest_path, verified_path

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

LOCK_NAME = ".lock"


@contextmanager
def working_in(folder: Path) -> Iterator[None]:
    """Hold a shared lock on the backup folder while a command writes in it.

    Commands share the lock, so they run side by side; only `remove_partial_files` asks for
    it exclusively.

    Args:
        folder: The backup folder; created (owner-only) if missing.
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = _open_lock(folder)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        # Closing the descriptor releases the lock.
        os.close(fd)


def remove_partial_files(folder: Path) -> list[Path]:
    """Remove the partial files and scratch folders that killed runs left in the folder.

    Nothing is removed while another command holds the folder's lock: its partial files are
    work in progress, not leftovers.

    Args:
        folder: The backup folder; a missing folder holds nothing.

    Returns:
        What was removed, in name order.
    """
    if not folder.is_dir():
        return []
    fd = _open_lock(folder)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return []
        removed = []
        for path in sorted(folder.iterdir()):
            if not path.name.endswith(PARTIAL_SUFFIX):
                continue
            _remove(path)
            removed.append(path)
            final = path.with_name(path.name.removesuffix(PARTIAL_SUFFIX))
            if BACKUP_NAME.match(final.name) and not final.exists():
                # A run killed after writing the manifest but before publishing the backup.
                for companion in (manifest_path(final), verified_path(final)):
                    if companion.exists():
                        companion.unlink()
                        removed.append(companion)
        return removed
    finally:
        os.close(fd)


def _open_lock(folder: Path) -> int:
    # Python opens descriptors non-inheritable, so pg_dump and pg_restore never hold the
    # lock: it dies with this process even if they keep running.
    return os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, PRIVATE)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
