"""A pytest plugin the exercise checker loads: per-exercise results, written as JSON.

Loaded with `-p exercises.reporter --exercise-report PATH`. It stops each exercise's test
module at its first failure (like `-x`, but per module, so one run checks every exercise) and
writes `{"tests": [{"file", "name", "outcome", "message"}]}` to PATH for the checker to read.
Reading pytest's own report objects here is sturdier than parsing its terminal output.
https://docs.pytest.org/en/stable/how-to/writing_hook_functions.html
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

STOPPED = "not run: an earlier test of this exercise failed"
MAX_LINES = 20


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add `--exercise-report PATH`."""
    parser.addoption("--exercise-report", default=None, help="write exercise results as JSON")


def pytest_configure(config: pytest.Config) -> None:
    """Start collecting when a report file was asked for."""
    path = config.getoption("--exercise-report")
    if path:
        config.pluginmanager.register(ExerciseReport(Path(path)), "exercise-report")


def _message_of(report: pytest.TestReport) -> str:
    """The failing assertion's own message, without pytest's expression dump."""
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    # The test's own message comes first; pytest's `assert ...` explanation follows it.
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("assert ") or len(lines) == MAX_LINES:
            break
        if line.strip():
            lines.append(line)
    message = "\n".join(lines) or "failed"
    for prefix in ("AssertionError: ", "Failed: "):
        message = message.removeprefix(prefix)
    if report.when != "call":
        message = f"error in test {report.when}: {message}"
    return message


class ExerciseReport:
    """Remembers each test's outcome and skips the rest of a module after its first failure."""

    def __init__(self, path: Path) -> None:
        """Write the results to `path` at the end of the session."""
        self.path = path
        self.tests: list[dict[str, Any]] = []
        self.failed_files: set[str] = set()

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Skip what is left of an exercise once one of its tests has failed."""
        if item.location[0] in self.failed_files:
            pytest.skip(STOPPED)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Record the outcome of each test once (its call, or a failing setup/teardown)."""
        file = report.location[0]
        if report.failed:
            self.failed_files.add(file)
            self.tests.append(
                {
                    "file": file,
                    "name": report.location[2],
                    "outcome": "failed",
                    "message": _message_of(report),
                }
            )
        elif report.when == "call" or (report.when == "setup" and report.skipped):
            outcome = "skipped" if report.skipped else "passed"
            # A skip's reason is the last item of its longrepr: (path, line, "Skipped: why").
            reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else ""
            self.tests.append(
                {
                    "file": file,
                    "name": report.location[2],
                    "outcome": outcome,
                    "message": str(reason).removeprefix("Skipped: "),
                }
            )

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Write the collected outcomes, and any collection errors, as JSON."""
        del session
        self.path.write_text(json.dumps({"tests": self.tests}, indent=2), encoding="utf-8")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A module that cannot even be imported fails as a whole."""
        if report.failed:
            self.failed_files.add(report.nodeid)
            self.tests.append(
                {
                    "file": report.nodeid,
                    "name": "(collection)",
                    "outcome": "failed",
                    "message": "the test file could not be loaded: "
                    + str(report.longrepr).strip().splitlines()[-1],
                }
            )
