"""Check your progress through EXERCISES.md: which exercises pass, and what to do next.

Usage, from the project folder:

    python -m exercises.check                  progress, the next exercise, its first failure
    python -m exercises.check --only N         run exercise N alone
    python -m exercises.check --hint N         reveal the next hint of exercise N
    python -m exercises.check --hint N --level K   show hint K of exercise N
    python -m exercises.check --no-suite       skip the project's own suite (while iterating)
    python -m exercises.check --watch          check the current exercise again at every save
    python -m exercises.check --json           every exercise and the suite, graded, as JSON
    python -m exercises.check --junit FILE     the same grades as JUnit XML in FILE

Everything it prints comes from the catalogue's messages, in the language the project was
generated for (exercises/catalog.json, rendered from the template's catalogue of strings).

It runs the tests in tests/exercises/ with pytest (they are left out of `make test`) and reads
the results through a small pytest plugin (exercises/reporter.py). An exercise is done when
its tests pass and the project's own suite stays green: once the exercises it checked pass, it
runs that suite as `make test` does and says which of the two failed. It needs nothing but the
standard library and the project's pytest. Exit status: 0 when every exercise checked passes,
1 when one is not done yet, 2 on a usage error or when pytest itself could not run (for
example with a Python that lacks the project's dependencies), 3 when the checker itself
crashed. `make exercises` treats 1 as success: unfinished exercises are progress, not an error.

The advice it prints names the command the learner ran: `make exercises ARGS=...` when the
environment holds INVOKED_VIA=make (the Makefile sets it), `scaffold exercises ...` when it
holds INVOKED_VIA=scaffold, and `python -m exercises.check ...` otherwise.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from exercises import grading

PROJECT = Path(__file__).resolve().parent.parent
CATALOG = Path(__file__).with_name("catalog.json")
# Which hints were revealed. The folder ignores itself in git, as .pytest_cache does.
STATE_DIR = PROJECT / ".exercises"
MISSING_MODULE = re.compile(r"No module named '(?P<name>[^']+)'")
EXIT_DONE = 0
EXIT_NOT_YET = 1
EXIT_USAGE = 2
EXIT_CRASH = 3
# The project's own suite, as `make test` runs it.
SUITE = ("-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "worksteal")
# Set in the suite's environment: a test of the suite that runs this checker must not start
# the suite again.
IN_SUITE = "EXERCISES_CHECK_IN_SUITE"


@dataclass(frozen=True, kw_only=True)
class Result:
    """What the tests of one exercise showed."""

    passed: bool
    failed_test: str = ""
    message: str = ""


def say(line: str = "") -> None:
    """Print a line for the learner."""
    sys.stdout.write(line + "\n")


@functools.cache
def _catalog() -> dict[str, Any]:
    """The project's catalogue, read once per process: it is generated and never changes."""
    catalog: dict[str, Any] = json.loads(CATALOG.read_text(encoding="utf-8"))
    return catalog


def message(key: str, **values: object) -> str:
    """The catalogue's message `key` in the project's language, with `values` filled in.

    Args:
        key: A key of the catalogue's ``messages``.
        **values: The message's placeholders; ``install_first`` is filled in by itself.

    Returns:
        The message, ready to print.
    """
    messages: dict[str, str] = _catalog()["messages"]
    return messages[key].format(install_first=messages["install_first"], **values)


def command_for(arguments: str) -> str:
    """The checker command with `arguments`, in the form the learner started it.

    Args:
        arguments: The checker's options, such as ``--hint 3``.

    Returns:
        ``make exercises ARGS="..."``, ``scaffold exercises ...`` or
        ``python -m exercises.check ...``, as INVOKED_VIA says.
    """
    invoked_via = os.environ.get("INVOKED_VIA", "")
    if invoked_via == "make":
        return f'make exercises ARGS="{arguments}"'
    if invoked_via == "scaffold":
        return f"scaffold exercises {arguments}"
    return f"python -m exercises.check {arguments}"


def load_framework() -> str:
    """The framework the catalogue was written for."""
    framework: str = _catalog()["framework"]
    return framework


def load_catalog() -> list[dict[str, Any]]:
    """The exercises, in order, as EXERCISES.md lists them."""
    exercises: list[dict[str, Any]] = _catalog()["exercises"]
    return exercises


def run_tests(exercises: list[dict[str, Any]]) -> dict[int, Result]:
    """Run the exercises' tests in one pytest process; return a result per exercise.

    Raises:
        RuntimeError: pytest could not run the tests (its output is in the message).
    """
    if importlib.util.find_spec("pytest") is None:
        msg = message("no_pytest", python=sys.executable)
        raise RuntimeError(msg)
    with tempfile.TemporaryDirectory(prefix="exercises-") as folder:
        report = Path(folder) / "report.json"
        command = [
            sys.executable,
            "-m",
            "pytest",
            *("-m", "exercise", "-q", "-p", "no:cacheprovider"),
            *("-p", "exercises.reporter", "--exercise-report", str(report)),
            *(exercise["test_file"] for exercise in exercises),
        ]
        # Fixed arguments and this interpreter; no shell is involved.
        completed = subprocess.run(  # noqa: S603
            command, cwd=PROJECT, capture_output=True, text=True, check=False
        )
        if not report.is_file():
            output = (completed.stdout + completed.stderr).strip()
            missing = MISSING_MODULE.search(output)
            if missing and not _is_project_python():
                # The project's conftest imports the app, so a Python without the project's
                # dependencies fails here, before any exercise test runs.
                name = missing["name"]
                msg = message("no_module", python=sys.executable, name=name)
                raise RuntimeError(msg)
            msg = message("pytest_failed_exercises", output=output[-3000:])
            raise RuntimeError(msg)
        tests: list[dict[str, Any]] = json.loads(report.read_text(encoding="utf-8"))["tests"]
    return {exercise["number"]: _result(exercise, tests) for exercise in exercises}


def run_suite(targets: tuple[str, ...] = ()) -> Result:
    """Run the project's own suite (or only `targets`) as `make test` does.

    The outcome is read from the JUnit XML file pytest writes (with several workers too),
    not from its terminal output.

    Returns:
        Passed, or the first failing test with its message.
    """
    with tempfile.TemporaryDirectory(prefix="suite-") as folder:
        report = Path(folder) / "suite.xml"
        command = [sys.executable, *SUITE, "--junitxml", str(report), *targets]
        environment = {**os.environ, IN_SUITE: "1"}
        # Fixed arguments and this interpreter; no shell is involved.
        completed = subprocess.run(  # noqa: S603
            command, cwd=PROJECT, env=environment, capture_output=True, text=True, check=False
        )
        if completed.returncode == 0:
            return Result(passed=True)
        if not report.is_file():
            output = (completed.stdout + completed.stderr).strip()
            return Result(passed=False, message=message("pytest_failed", output=output[-3000:]))
        # The file is the one pytest just wrote in a folder of our own (bandit B314: no
        # untrusted XML is parsed here).
        tree = ElementTree.parse(report)  # noqa: S314
    for case in tree.iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            name = f"{case.get('classname', '')}::{case.get('name', '')}"
            text = problem.get("message") or problem.text or "failed"
            return Result(passed=False, failed_test=name, message=text.strip()[:2000])
    return Result(passed=False, message=message("pytest_exit", status=completed.returncode))


def check_suite(*, skip: bool, targets: tuple[str, ...] = ()) -> bool:
    """Run the project's own suite after the exercises passed, unless `skip`; say how it went.

    Args:
        skip: Skip it (--no-suite).
        targets: Run only these test files or folders (the checker's own tests).

    Returns:
        Whether the suite passed (or was skipped).
    """
    if skip or os.environ.get(IN_SUITE):
        say(message("suite_skipped"))
        return True
    say(message("suite_running"))
    result = run_suite(targets)
    if result.passed:
        say(message("suite_passes"))
        return True
    say()
    for line in message("suite_fails").splitlines():
        say(line)
    say(message("first_failing_test", name=result.failed_test or message("the_suite")))
    for line in result.message.splitlines()[:20] or [message("no_message")]:
        say(f"  {line}")
    return False


def _is_project_python() -> bool:
    # In the project's own .venv a missing module is the code's problem, not the setup's.
    return Path(sys.prefix).resolve() == (PROJECT / ".venv").resolve()


def _result(exercise: dict[str, Any], tests: list[dict[str, Any]]) -> Result:
    mine = [test for test in tests if Path(test["file"]).as_posix() == exercise["test_file"]]
    failures = [test for test in mine if test["outcome"] == "failed"]
    if failures:
        first = failures[0]
        return Result(passed=False, failed_test=first["name"], message=first["message"])
    if not any(test["outcome"] == "passed" for test in mine):
        skipped = [test for test in mine if test["outcome"] == "skipped" and test["message"]]
        if skipped:
            first = skipped[0]
            reason = message("skipped", reason=first["message"])
            return Result(passed=False, failed_test=first["name"], message=reason)
        return Result(passed=False, message=message("none_ran"))
    return Result(passed=True)


def show_progress(
    exercises: list[dict[str, Any]], results: dict[int, Result], *, skip_suite: bool = False
) -> int:
    """Print the progress table and what to do next; return the exit status."""
    done = sum(result.passed for result in results.values())
    say(message("progress", done=done, total=len(exercises)))
    say()
    upcoming = next((ex for ex in exercises if not results[ex["number"]].passed), None)
    width = max(len(exercise["title"]) for exercise in exercises)
    for exercise in exercises:
        state = message("passed" if results[exercise["number"]].passed else "not_yet")
        arrow = "  " + message("next_marker") if exercise is upcoming else ""
        say(f"  {exercise['number']:>2}  {exercise['title']:<{width}}  {state}{arrow}")
    say()
    if upcoming is None:
        say(message("all_pass"))
        return EXIT_DONE if check_suite(skip=skip_suite) else EXIT_NOT_YET
    show_failure(upcoming, results[upcoming["number"]])
    return EXIT_NOT_YET


def show_failure(exercise: dict[str, Any], result: Result) -> None:
    """Explain what exercise is next and which check it fails first."""
    number = exercise["number"]
    say(message("next", number=number, title=exercise["title"], duty=exercise["duty"]))
    say(message("read_goal", number=number, test_file=exercise["test_file"]))
    say()
    say(message("first_failing_check", name=result.failed_test or message("the_test_file")))
    for line in result.message.splitlines() or [message("no_message")]:
        say(f"  {line}")
    say()
    say(message("stuck", command=command_for(f"--hint {number}")))


def _read_state() -> dict[str, int]:
    path = STATE_DIR / "hints.json"
    try:
        state: dict[str, int] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state


def _write_state(state: dict[str, int]) -> None:
    STATE_DIR.mkdir(exist_ok=True)
    ignore = STATE_DIR / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Created by exercises/check.py: hint progress is personal.\n*\n")
    (STATE_DIR / "hints.json").write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


def show_hint(exercise: dict[str, Any], level: int | None) -> int:
    """Reveal the next hint of `exercise` (or hint `level`); remember how far the learner got."""
    hints: list[str] = exercise["hints"]
    key = str(exercise["number"])
    state = _read_state()
    if level is None:
        level = min(state.get(key, 0) + 1, len(hints))
    elif not 1 <= level <= len(hints):
        say(message("hint_range", number=key, count=len(hints), level=level))
        return EXIT_USAGE
    state[key] = max(state.get(key, 0), level)
    _write_state(state)
    title = exercise["title"]
    say(message("hint_header", number=key, title=title, level=level, count=len(hints)))
    say()
    say(textwrap.fill(hints[level - 1], width=96, initial_indent="  ", subsequent_indent="  "))
    say()
    if level < len(hints):
        say(message("hint_more", level=level + 1, command=command_for(f"--hint {key}")))
    else:
        say(message("hint_last"))
    return EXIT_DONE


def build_parser() -> argparse.ArgumentParser:
    """The command line described in the module docstring."""
    parser = argparse.ArgumentParser(
        prog="python -m exercises.check",
        description=message("description"),
    )
    parser.add_argument("--only", type=int, metavar="N", help=message("help_only"))
    parser.add_argument("--hint", type=int, metavar="N", help=message("help_hint"))
    parser.add_argument("--level", type=int, metavar="K", help=message("help_level"))
    parser.add_argument("--watch", action="store_true", help=message("help_watch"))
    parser.add_argument("--json", action="store_true", help=message("help_json"))
    parser.add_argument("--junit", metavar="FILE", help=message("help_junit"))
    parser.add_argument("--no-suite", action="store_true", help=message("help_no_suite"))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the checker; return the exit status."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    exercises = load_catalog()
    by_number = {exercise["number"]: exercise for exercise in exercises}
    for option in ("only", "hint"):
        number = getattr(arguments, option)
        if number is not None and number not in by_number:
            count = len(exercises)
            parser.error(message("no_exercise", option=option, number=number, count=count))
    if arguments.level is not None and arguments.hint is None:
        parser.error(message("level_needs_hint"))
    if arguments.hint is not None:
        return show_hint(by_number[arguments.hint], arguments.level)
    only = by_number[arguments.only] if arguments.only is not None else None
    if arguments.watch:
        return watch_mode(exercises, only)
    try:
        return check_exercises(exercises, only, arguments)
    except RuntimeError as exc:
        say(str(exc))
        return EXIT_USAGE


def check_exercises(
    exercises: list[dict[str, Any]], only: dict[str, Any] | None, arguments: argparse.Namespace
) -> int:
    """Check every exercise (or `only`), then the suite, and report for a learner or teacher.

    Raises:
        RuntimeError: pytest could not run the tests.
    """
    chosen = [only] if only is not None else exercises
    if arguments.json or arguments.junit:
        return grade(chosen, run_tests(chosen), arguments)
    if only is None:
        return show_progress(exercises, run_tests(exercises), skip_suite=arguments.no_suite)
    if check_one(only) and check_suite(skip=arguments.no_suite):
        return EXIT_DONE
    return EXIT_NOT_YET


def check_one(exercise: dict[str, Any]) -> bool:
    """Run one exercise's tests and show the outcome; whether they passed."""
    result = run_tests([exercise])[exercise["number"]]
    if result.passed:
        say(message("exercise_passes", number=exercise["number"], title=exercise["title"]))
        return True
    show_failure(exercise, result)
    return False


def watch_mode(exercises: list[dict[str, Any]], only: dict[str, Any] | None) -> int:
    """`--watch`: check `only` (or the first unfinished exercise) again at every save."""
    try:
        # Only --watch needs watchfiles (a dev dependency); the rest needs pytest alone.
        from exercises import watch  # noqa: PLC0415
    except ImportError:
        say(message("watch_needs"))
        return EXIT_USAGE
    start = only
    try:
        if start is None:
            results = run_tests(exercises)
            start = next((ex for ex in exercises if not results[ex["number"]].passed), None)
            if start is None:
                say(message("watch_nothing"))
                return EXIT_DONE
        passed = watch.watch_exercises(
            exercises,
            start,
            stay=only is not None,
            check=check_one,
            changes=iter(watch.saves(PROJECT)),
            say=say,
            message=message,
        )
    except RuntimeError as exc:
        say(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        # Ctrl-C while a check runs; while waiting, watchfiles ends the changes instead.
        say(message("watch_stopped"))
        return EXIT_NOT_YET
    return EXIT_DONE if passed else EXIT_NOT_YET


def grade(
    chosen: list[dict[str, Any]], results: dict[int, Result], arguments: argparse.Namespace
) -> int:
    """Grade the exercises and the suite (which runs whatever the exercises did) for a teacher.

    Returns:
        EXIT_DONE when everything passed, else EXIT_NOT_YET.
    """
    suite = None if arguments.no_suite else run_suite()
    report = grading.build_report(load_framework(), chosen, results, suite)
    if arguments.junit:
        Path(arguments.junit).write_text(grading.junit_xml(report), encoding="utf-8")
    if arguments.json:
        say(json.dumps(report, indent=2))
    else:
        points, most = report["points"], report["max_points"]
        say(message("points", points=points, max_points=most, junit=arguments.junit))
    everything = [*report["exercises"], report["suite"]]
    passed = all(entry["passed"] for entry in everything if entry["ran"])
    return EXIT_DONE if passed else EXIT_NOT_YET


def run(argv: list[str] | None = None) -> int:
    """Run `main`; a crash of the checker itself exits with EXIT_CRASH, never 1.

    Python exits with 1 on an unhandled exception, which `make exercises` would take for
    "not done yet" and report as success.
    """
    try:
        return main(argv)
    except Exception:  # noqa: BLE001 - any crash, shown in full, with its own exit status
        traceback.print_exc()
        return EXIT_CRASH


if __name__ == "__main__":
    sys.exit(run())
