"""Copier's ``Worker`` for a brand-new project, without one git process per file.

Copier 9.19 runs ``git config core.fileMode`` in the destination after writing each file
(``Worker._sync_git_index_executable_bit``), so that a file already tracked by git keeps its
executable bit in the index when ``core.fileMode`` is false. In a folder that ``scaffold new``
has just created no file is tracked yet, so every one of those processes (one per file, about
130 per project) ends in Copier's own "nothing to do". ``scaffold new`` skips them;
``scaffold update`` and the re-render of an existing project keep Copier's full behaviour.

Copier has no option for this, so the override lives here alone, and
``tests/unit/test_copier_workers.py`` fails when a Copier release renames or stops calling
the method (the override would then be dead or wrong) and checks that a project rendered
with it is byte-identical, modes included, to one rendered by plain Copier.
"""

from __future__ import annotations

from typing import Any


def new_project_worker() -> Any:
    """A Copier ``Worker`` class for rendering into a folder that holds nothing tracked yet."""
    from copier._main import Worker  # noqa: PLC0415 - lazy, as in engine.py

    class NewProjectWorker(Worker):
        def _sync_git_index_executable_bit(self, dst_relpath: Any, src_mode: int) -> None:
            # Nothing in a new folder is in a git index: Copier's check would find so, once
            # per file, by running git.
            del dst_relpath, src_mode

    return NewProjectWorker
