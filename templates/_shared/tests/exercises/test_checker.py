"""The exercise checker itself (exercises/check.py): its advice and its exit status.

Unlike the exercise tests beside it, these are not marked `exercise`: they run in `make test`,
and they never reveal a hint (which would be recorded as the learner's progress).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
import venv
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import pytest

from exercises import check, grading

if TYPE_CHECKING:
    from collections.abc import Callable

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("invoked_via", "expected"),
    [
        ("make", 'make exercises ARGS="--hint 3"'),
        ("scaffold", "scaffold exercises --hint 3"),
        ("", "python -m exercises.check --hint 3"),
    ],
)
def test_advice_names_the_command_the_learner_ran(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    invoked_via: str,
    expected: str,
) -> None:
    monkeypatch.setenv("INVOKED_VIA", invoked_via)
    exercise = next(ex for ex in check.load_catalog() if ex["number"] == 3)

    check.show_failure(exercise, check.Result(passed=False, failed_test="test_x", message="no"))

    assert capsys.readouterr().out.rstrip().endswith(check.message("stuck", command=expected))


def _environment(**settings: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "PYTEST_ADDOPTS"}
    environment.pop("INVOKED_VIA", None)
    return {**environment, **settings}


def test_a_python_without_the_projects_dependencies_says_to_install_first(
    tmp_path: Path,
) -> None:
    # A bare virtual environment: the standard library only, as a system Python may be.
    bare = tmp_path / "bare"
    venv.EnvBuilder(with_pip=False).create(bare)

    ran = subprocess.run(  # noqa: S603 - this interpreter, a fixed module and arguments
        [str(bare / "bin" / "python"), "-m", "exercises.check", "--only", "1"],
        cwd=PROJECT_ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert ran.returncode == check.EXIT_USAGE, ran.stdout + ran.stderr
    assert "make install" in ran.stdout
    assert ".venv/bin/python -m exercises.check" in ran.stdout
    assert "Traceback" not in ran.stdout + ran.stderr


def _make(*args: str) -> subprocess.CompletedProcess[str]:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    return subprocess.run(  # noqa: S603 - make with fixed arguments, no shell
        [make, "--no-print-directory", *args],
        cwd=PROJECT_ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.mark.skipif(
    not (PROJECT_ROOT / ".venv" / "bin" / "python").exists(), reason="needs `make install`"
)
@pytest.mark.long
def test_make_exercises_succeeds_while_exercises_are_unfinished() -> None:
    # Exercise 1 is unfinished in a fresh project (exit 1) and passes once solved (exit 0):
    # make succeeds either way, and the advice it prints names make's own form.
    ran = _make("exercises", "ARGS=--only 1 --no-suite")

    assert ran.returncode == 0, ran.stdout + ran.stderr
    first = check.load_catalog()[0]
    assert first["title"] in ran.stdout, ran.stdout
    if check.message("exercise_passes", number=1, title=first["title"]) not in ran.stdout:
        advice = check.message("stuck", command='make exercises ARGS="--hint 1"')
        assert advice in ran.stdout, ran.stdout


@pytest.mark.skipif(
    not (PROJECT_ROOT / ".venv" / "bin" / "python").exists(), reason="needs `make install`"
)
def test_make_exercises_still_fails_on_a_real_error() -> None:
    ran = _make("exercises", "ARGS=--only 99")

    assert ran.returncode != 0, ran.stdout + ran.stderr
    count = len(check.load_catalog())
    assert check.message("no_exercise", option="only", number=99, count=count) in ran.stderr


@pytest.mark.long
def test_the_suite_check_names_the_failing_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A suite with one planted failure, run as the checker runs the project's own suite.
    planted = tmp_path / "test_planted.py"
    planted.write_text(
        "def test_fine():\n    pass\n\n\n"
        "def test_broken():\n    assert 1 + 1 == 3, 'the planted failure'\n",
        encoding="utf-8",
    )
    # This test may itself run inside a suite the checker started.
    monkeypatch.delenv(check.IN_SUITE, raising=False)

    passed = check.check_suite(skip=False, targets=(str(planted),))

    out = capsys.readouterr().out
    assert not passed
    assert check.message("suite_fails").splitlines()[0] in out
    assert "test_broken" in out
    assert "the planted failure" in out


def test_grades_count_points_for_what_passed_and_for_a_green_suite() -> None:
    exercises = [
        {"number": 1, "title": "One", "points": 10},
        {"number": 2, "title": "Two", "points": 20},
    ]
    results = {
        1: check.Result(passed=True),
        2: check.Result(passed=False, failed_test="test_two", message="expected 201"),
    }
    suite = check.Result(passed=False, failed_test="tests/x.py::test_y", message="boom")

    report = grading.build_report("flask-api", exercises, results, suite)
    tree = ElementTree.fromstring(grading.junit_xml(report))  # noqa: S314 - made just above

    assert (report["points"], report["max_points"]) == (10, 30 + grading.SUITE_POINTS)
    assert [entry["points"] for entry in report["exercises"]] == [10, 0]
    assert report["suite"]["failed_test"] == "tests/x.py::test_y"
    testsuite = tree.find("testsuite")
    assert testsuite is not None
    assert (testsuite.get("tests"), testsuite.get("failures")) == ("3", "2")
    failures = {case.get("name"): case.find("failure") for case in tree.iter("testcase")}
    assert failures["01 One"] is None
    failed = failures["02 Two"]
    assert failed is not None
    assert failed.get("message") == "test_two"
    assert failed.text == "expected 201"


def test_a_skipped_suite_earns_nothing_and_is_marked_skipped() -> None:
    exercises = [{"number": 1, "title": "One", "points": 10}]

    report = grading.build_report("django-app", exercises, {1: check.Result(passed=True)}, None)
    tree = ElementTree.fromstring(grading.junit_xml(report))  # noqa: S314 - made just above

    assert report["suite"]["ran"] is False
    assert report["points"] == 10
    skipped = [case for case in tree.iter("testcase") if case.find("skipped") is not None]
    assert [case.get("name") for case in skipped] == [grading.SUITE_NAME]


@pytest.mark.skipif(
    not (PROJECT_ROOT / ".venv" / "bin" / "python").exists(), reason="needs `make install`"
)
@pytest.mark.long
def test_json_and_junit_grade_the_exercises_checked(tmp_path: Path) -> None:
    junit = tmp_path / "grades.xml"
    # One exercise keeps this quick; the report's shape is the same for all of them.
    ran = subprocess.run(  # noqa: S603 - the project's interpreter, fixed arguments
        [str(PROJECT_ROOT / ".venv" / "bin" / "python"), "-m", "exercises.check", "--json",
         "--only", "1", "--no-suite", "--junit", str(junit)],
        cwd=PROJECT_ROOT, env=_environment(), capture_output=True, text=True, check=False,
        timeout=600,
    )  # fmt: skip

    report = json.loads(ran.stdout)
    numbers = [entry["number"] for entry in report["exercises"]]
    assert numbers == [1]
    earned = sum(entry["points"] for entry in report["exercises"] if entry["passed"])
    assert report["points"] == earned
    every_one_passed = all(entry["passed"] for entry in report["exercises"])
    assert ran.returncode == (check.EXIT_DONE if every_one_passed else check.EXIT_NOT_YET)
    cases = list(ElementTree.parse(junit).iter("testcase"))  # noqa: S314 - written just now
    assert len(cases) == len(numbers) + 1


@pytest.mark.skipif(
    not (PROJECT_ROOT / ".venv" / "bin" / "python").exists(), reason="needs `make install`"
)
@pytest.mark.long
def test_watch_checks_again_when_a_file_is_saved() -> None:
    watcher = subprocess.Popen(  # noqa: S603 - the project's interpreter, fixed arguments
        [str(PROJECT_ROOT / ".venv" / "bin" / "python"), "-u", "-m", "exercises.check",
         "--watch", "--only", "1"],
        cwd=PROJECT_ROOT, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    assert watcher.stdout is not None
    # Its lines arrive through a thread, so that a silent watcher cannot hang the test.
    arrived: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in watcher.stdout or []:
            arrived.put(line)

    reader = threading.Thread(target=pump)
    reader.start()
    lines: list[str] = []
    try:
        _read_until(arrived, lines, check.message("watch_waiting"))
        # A save without a change of content: the file's time moves, as an editor's save does.
        # Again every quarter second: the watcher starts watching just after it says so, and a
        # save before that is not seen.
        save = PROJECT_ROOT / "exercises" / "__init__.py"
        changed = check.message("watch_changed")
        _read_until(arrived, lines, changed, poke=lambda: os.utime(save))
        _read_until(arrived, lines, check.message("watch_waiting"))
    finally:
        watcher.send_signal(signal.SIGINT)
        try:
            watcher.wait(timeout=60)
        finally:
            # Killed if Ctrl-C did not stop it: a watcher left running would keep this test
            # process (and pytest) from ever ending.
            if watcher.poll() is None:
                watcher.kill()
                watcher.wait()
            reader.join(timeout=10)
            watcher.stdout.close()
    lines.extend(arrived.queue)
    # Exercise 1's title: "its tests pass" once solved, "Next: exercise 1" before.
    assert check.load_catalog()[0]["title"] in "".join(lines)
    assert check.message("watch_stopped") in "".join(lines)
    assert "Traceback" not in "".join(lines)


def _read_until(
    arrived: queue.Queue[str],
    lines: list[str],
    wanted: str,
    poke: Callable[[], None] | None = None,
) -> None:
    """Move the watcher's lines into `lines` until one holds `wanted` (two minutes at most).

    `poke` runs first and then after every quiet quarter second.
    """
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if poke is not None:
            poke()
        try:
            line = arrived.get(timeout=0.25)
        except queue.Empty:
            continue
        lines.append(line)
        if wanted in line:
            return
    pytest.fail(f"the watcher never said {wanted!r}:\n{''.join(lines)}")


def test_a_crash_of_the_checker_is_not_mistaken_for_unfinished_work(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A catalog that cannot be read is a real failure; make must not report it as progress.
    # The checker reads it once per process: forget what earlier tests read (a failed read is
    # not cached, so later tests read the real one again).
    check._catalog.cache_clear()
    monkeypatch.setattr(check, "CATALOG", PROJECT_ROOT / "no-such-catalog.json")

    status = check.run([])

    assert status == check.EXIT_CRASH
    assert "FileNotFoundError" in capsys.readouterr().err
