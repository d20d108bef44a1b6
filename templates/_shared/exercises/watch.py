"""`python -m exercises.check --watch`: check the current exercise again at every save.

As rustlings does: the checker shows the exercise you are on and its first failing check,
then waits; each time you save a file of the project it runs that exercise's tests again. When
they pass it moves on to the next unfinished exercise (with `--only N`, it stays on N). Ctrl-C
stops it. The project's own suite is not run on every save (it takes a while): run `make
exercises` or `make test` once an exercise passes.

File events come from watchfiles, a dev dependency of the project; it waits for the editor's
burst of writes to settle before the tests run.
https://watchfiles.helpmanual.io/api/watch/
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchfiles import DefaultFilter, PythonFilter, watch

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


class ProjectFilter(PythonFilter):
    """Python files and the project's text files, outside the folders tools write to."""

    ignore_dirs = (*DefaultFilter.ignore_dirs, ".exercises", ".ruff_cache", "var", "backups")

    def __init__(self) -> None:
        """Also watch the formats a learner edits besides Python."""
        super().__init__(extra_extensions=(".toml", ".json", ".html", ".cfg", ".ini"))


def saves(project: Path) -> Iterator[set[tuple[Any, str]]]:
    """Each batch of saved files in the project, as watchfiles reports them."""
    return watch(project, watch_filter=ProjectFilter(), raise_interrupt=False)


def watch_exercises(
    exercises: list[dict[str, Any]],
    start: dict[str, Any],
    *,
    stay: bool,
    check: Callable[[dict[str, Any]], bool],
    changes: Iterator[object],
    say: Callable[[str], None],
    message: Callable[[str], str],
) -> bool:
    """Check `start`, then again after every batch of `changes`, moving on as each passes.

    Args:
        exercises: The catalogue, in order.
        start: The exercise to begin with.
        stay: Keep checking `start` even once it passes (`--only N`).
        check: Runs one exercise's tests, shows the outcome, and says whether it passed.
        changes: Yields once per batch of saved files; ends when watching stops (Ctrl-C).
        say: Prints a line for the learner.
        message: The catalogue's message for a key, in the project's language.

    Returns:
        Whether every exercise checked passed when watching stopped.
    """
    current: dict[str, Any] | None = start
    while current is not None:
        passed = check(current)
        if passed and not stay:
            later = [ex for ex in exercises if ex["number"] > current["number"]]
            current = later[0] if later else None
            if current is None:
                say(message("watch_last"))
                return True
            continue
        say(message("watch_waiting"))
        if next(changes, None) is None:
            say(message("watch_stopped"))
            return passed
        say("")
        say(message("watch_changed"))
    return True
