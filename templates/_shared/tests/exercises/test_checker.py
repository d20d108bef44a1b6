"""The exercise checker itself (exercises/check.py): its advice and its exit status.

Unlike the exercise tests beside it, these are not marked `exercise`: they run in `make test`,
and they never reveal a hint (which would be recorded as the learner's progress).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

from exercises import check

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

    assert capsys.readouterr().out.rstrip().endswith(f"Stuck? {expected}")


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
    assert "Exercise 1" in ran.stdout or "exercise 1" in ran.stdout, ran.stdout
    if "its tests pass" not in ran.stdout:
        assert 'Stuck? make exercises ARGS="--hint 1"' in ran.stdout, ran.stdout


@pytest.mark.skipif(
    not (PROJECT_ROOT / ".venv" / "bin" / "python").exists(), reason="needs `make install`"
)
def test_make_exercises_still_fails_on_a_real_error() -> None:
    ran = _make("exercises", "ARGS=--only 99")

    assert ran.returncode != 0, ran.stdout + ran.stderr
    assert "there is no exercise 99" in ran.stderr


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
    assert "the project's own suite (make test) fails" in out
    assert "test_broken" in out
    assert "the planted failure" in out


def test_a_crash_of_the_checker_is_not_mistaken_for_unfinished_work(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A catalog that cannot be read is a real failure; make must not report it as progress.
    monkeypatch.setattr(check, "CATALOG", PROJECT_ROOT / "no-such-catalog.json")

    status = check.run([])

    assert status == check.EXIT_CRASH
    assert "FileNotFoundError" in capsys.readouterr().err
