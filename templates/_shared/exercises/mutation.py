"""Plant one known bug in exercises/recurrence.py for a pytest run (exercise 14).

Exercise 14 asks for tests of `exercises.recurrence`. Tests are only as good as the bugs they
catch, so the exercise runs the learner's tests once on the module as it is (they must pass),
then once per bug below with that bug planted (each run must fail). Each bug is a small
change of the source, the kind a hurried edit makes: this is mutation testing with a fixed
list of mutants.

As a pytest plugin (`-p exercises.mutation`) it reads EXERCISE_MUTANT, the name of one bug,
and puts the changed module in place of the real one before any test module is imported.
The real file is never changed.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import exercises

if TYPE_CHECKING:
    import pytest

VARIABLE = "EXERCISE_MUTANT"
MODULE = "exercises.recurrence"
SOURCE = Path(__file__).with_name("recurrence.py")


@dataclass(frozen=True, kw_only=True)
class Mutant:
    """One planted bug: the source text it replaces, and what it breaks, in words."""

    old: str
    new: str
    breaks: str


MUTANTS = {
    "saturday-is-a-weekday": Mutant(
        old="FIRST_WEEKEND_DAY = 5",
        new="FIRST_WEEKEND_DAY = 6",
        breaks="`weekdays` lands on a Saturday",
    ),
    "months-end-on-the-28th": Mutant(
        old="day = min(anchor.day, calendar.monthrange(year, month)[1])",
        new="day = min(anchor.day, 28)",
        breaks="`monthly` moves every day after the 28th to the 28th",
    ),
    "month-length-of-the-anchor-year": Mutant(
        old="calendar.monthrange(year, month)",
        new="calendar.monthrange(anchor.year, month)",
        breaks="a month's length is taken from the anchor's year (29 February, `yearly`)",
    ),
    "the-year-changes-a-month-late": Mutant(
        old="year, month = anchor.year + index // 12, index % 12 + 1",
        new="year, month = anchor.year + index // 13, index % 12 + 1",
        breaks="`monthly` from December skips January (the year changes a month late)",
    ),
    "a-date-on-after-counts": Mutant(
        old="while (candidate := _add_months(anchor, step * months)) <= after:",
        new="while (candidate := _add_months(anchor, step * months)) < after:",
        breaks="`monthly` or `yearly` returns `after` itself when it is on the schedule",
    ),
    "weekly-off-by-one": Mutant(
        old="weeks = max((after - anchor).days // 7 + 1, 1)",
        new="weeks = max((after - anchor).days // 7, 1)",
        breaks="`weekly` returns a date that is not later than `after`",
    ),
    "daily-forgets-the-anchor": Mutant(
        old="candidate = max(after, anchor) + timedelta(days=1)",
        new="candidate = after + timedelta(days=1)",
        breaks="`daily` or `weekdays` with `after` before the anchor returns a date before it",
    ),
    "unknown-rules-accepted": Mutant(
        old="if rule not in RULES:",
        new="if not rule:",
        breaks="an unknown rule is taken for `monthly` instead of raising ValueError",
    ),
}


def plant(name: str, folder: Path) -> None:
    """Import the module with bug `name` planted as `exercises.recurrence`.

    Args:
        name: A key of MUTANTS.
        folder: Where the changed copy of the module is written.

    Raises:
        ValueError: When the source no longer holds the text the bug replaces once.
    """
    mutant = MUTANTS[name]
    source = SOURCE.read_text(encoding="utf-8")
    if source.count(mutant.old) != 1:
        msg = f"{SOURCE.name} no longer holds {mutant.old!r} once: update mutant {name!r}"
        raise ValueError(msg)
    copy = folder / SOURCE.name
    copy.write_text(source.replace(mutant.old, mutant.new), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(MODULE, copy)
    if spec is None or spec.loader is None:
        msg = f"cannot load {copy}"
        raise ImportError(msg)
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE] = module
    spec.loader.exec_module(module)
    exercises.recurrence = module  # type: ignore[attr-defined]


def pytest_configure(config: pytest.Config) -> None:
    """Plant the bug EXERCISE_MUTANT names, if any, before the tests are collected."""
    name = os.environ.get(VARIABLE)
    if name:
        folder = Path(tempfile.mkdtemp(prefix="mutant-"))
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
        plant(name, folder)
