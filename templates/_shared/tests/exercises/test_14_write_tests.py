"""Exercise 14: write the tests of exercises/recurrence.py, good enough to catch real bugs.

The learner's tests live in tests/test_recurrence.py (so `make test` runs them). They must
pass on the module as it is, and fail once each bug of exercises/mutation.py is planted.
Every run is a separate pytest process on that one file, without the project's conftest
files (the module needs no app, no database and no fixture of the project).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from exercises import mutation

pytestmark = pytest.mark.exercise

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LEARNER_TESTS = PROJECT_ROOT / "tests" / "test_recurrence.py"
RELATIVE = LEARNER_TESTS.relative_to(PROJECT_ROOT).as_posix()
SUBJECT = "exercises/recurrence.py"
# pytest's exit status when every test passed, and when some failed.
ALL_PASSED, SOME_FAILED = 0, 1


def run_learner_tests(mutant: str = "") -> subprocess.CompletedProcess[str]:
    """Run tests/test_recurrence.py alone, with the bug `mutant` planted (none if empty)."""
    environment = {**os.environ, mutation.VARIABLE: mutant}
    environment.pop("PYTEST_ADDOPTS", None)
    # The test's own interpreter, a fixed module and arguments; no shell.
    return subprocess.run(  # noqa: S603
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--noconftest",
            "-p", "exercises.mutation", RELATIVE,
        ],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False,
        timeout=120,
    )  # fmt: skip


def require_learner_tests() -> None:
    """Fail with the first step when the file does not exist or holds no test yet."""
    if not LEARNER_TESTS.is_file():
        pytest.fail(f"{RELATIVE} does not exist yet: write your tests of {SUBJECT} there")
    tree = ast.parse(LEARNER_TESTS.read_text(encoding="utf-8"))
    tests = [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test")
    ]
    if not tests:
        pytest.fail(f"{RELATIVE} holds no test function yet (their names start with `test`)")


def test_your_tests_pass_on_the_module_as_it_is() -> None:
    require_learner_tests()
    ran = run_learner_tests()
    if ran.returncode != ALL_PASSED:
        pytest.fail(
            f"your tests must pass on {SUBJECT} as it is, but pytest said:\n"
            f"{ran.stdout[-3000:]}{ran.stderr[-1000:]}"
        )


@pytest.mark.parametrize("mutant", sorted(mutation.MUTANTS))
def test_your_tests_catch_the_bug(mutant: str) -> None:
    require_learner_tests()
    ran = run_learner_tests(mutant)
    breaks = mutation.MUTANTS[mutant].breaks
    if ran.returncode == ALL_PASSED:
        pytest.fail(
            f"a bug went unnoticed: with it, {breaks}, and every test of yours still passed. "
            "Add a test that fails when that happens."
        )
    if ran.returncode != SOME_FAILED:
        pytest.fail(
            f"with the bug planted ({breaks}) pytest could not run your tests at all "
            f"(exit {ran.returncode}), which is not a failing test:\n{ran.stdout[-2000:]}"
        )
