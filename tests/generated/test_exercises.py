"""Slow tier: every exercise of EXERCISES.md is solvable, and solving it keeps the app green.

Every framework's fresh project fails every exercise, and for the right reason: an assertion
about the missing feature, never an import, collection or fixture error.

For each framework that has reference solutions in ``tests/exercise_solutions/<framework>/``
(one folder per exercise, ``NN-slug/``, holding a ``solution.patch`` made with ``git diff``
against a freshly generated project, migrations included; a folder may be a link into
``tests/exercise_solutions/_shared/`` when the solution is the same in every framework), this
generates a fresh project, installs it and shows:

- the checker (``python -m exercises.check``) reports 0 passed, names exercise 1 as next and
  explains its first failing assertion in words;
- the project's own test run leaves the exercise tests out;
- after applying solution NN on top of the ones before it, exercise NN passes;
- at the end the checker reports every exercise as passed (so no later solution broke an
  earlier one) and ``make test`` is green.

The solutions are test data of scaffold, never shipped in generated projects.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FRAMEWORK_NAMES, REPO_ROOT, run_scaffold
from tests.generated.conftest import assert_ok, make

pytestmark = pytest.mark.slow

SOLUTIONS = REPO_ROOT / "tests" / "exercise_solutions"
# `_shared/` holds solutions that are the same in every framework (their folders link there).
FRAMEWORKS = sorted(
    path.name for path in SOLUTIONS.iterdir() if path.is_dir() and not path.name.startswith("_")
)
TIMEOUT = 900


def _solutions(framework: str) -> list[Path]:
    return sorted(path for path in (SOLUTIONS / framework).iterdir() if path.is_dir())


def _run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the project's own interpreter in the project folder."""
    return subprocess.run(
        [str(project / ".venv" / "bin" / "python"), *args],
        cwd=project,
        env={key: value for key, value in os.environ.items() if key != "PYTEST_ADDOPTS"},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _apply(project: Path, solution: Path) -> None:
    for patch in sorted(solution.glob("*.patch")):
        applied = subprocess.run(
            ["git", "apply", "--whitespace=nowarn", str(patch)],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        assert applied.returncode == 0, f"{patch.relative_to(REPO_ROOT)}: {applied.stderr}"


def _exercise_files(project: Path) -> dict[int, str]:
    catalog = json.loads((project / "exercises" / "catalog.json").read_text(encoding="utf-8"))
    return {exercise["number"]: exercise["test_file"] for exercise in catalog["exercises"]}


@pytest.fixture
def fresh_project(request, tmp_path: Path) -> Path:
    """A newly generated and installed project of ``request.param``."""
    framework = request.param
    made = run_scaffold(
        "new", "--no-input", "-f", framework, "--name", "demo", "demo", cwd=tmp_path
    )
    assert_ok(made, f"scaffold new -f {framework}")
    project = tmp_path / "demo"
    assert_ok(make(project, "install"), f"make install ({framework})")
    return project


def _check_fresh_project(project: Path, total: int) -> None:
    checked = _run(project, "-m", "exercises.check")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert f"Exercises: 0/{total} passed" in checked.stdout
    assert "Next: exercise 1, " in checked.stdout
    first = checked.stdout.split("First failing check", 1)[1]
    assert "answered 422 Unprocessable Entity, expected 201 Created" in first, checked.stdout
    assert "Traceback" not in checked.stdout + checked.stderr

    collected = _run(project, "-m", "pytest", "--collect-only", "-q", "tests/exercises")
    assert re.search(r"\d+ deselected", collected.stdout), (
        "the project's default pytest run must leave exercise tests out "
        "(marker `exercise` and `-m 'not exercise'` in its pytest addopts):\n"
        + collected.stdout[-2000:]
    )


def _check_hints(project: Path) -> None:
    first = _run(project, "-m", "exercises.check", "--hint", "1")
    second = _run(project, "-m", "exercises.check", "--hint", "1")
    assert "hint 1 of 3" in first.stdout, first.stdout
    assert "hint 2 of 3" in second.stdout, second.stdout
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True, check=True
    )
    assert status.stdout == "", f"hint progress must stay out of git:\n{status.stdout}"


@pytest.mark.parametrize(
    "fresh_project",
    [
        pytest.param(fw, marks=pytest.mark.xdist_group(f"exercises-{fw}"), id=fw)
        for fw in FRAMEWORKS
    ],
    indirect=True,
)
def test_reference_solutions_pass_in_order_and_keep_the_suite_green(fresh_project: Path) -> None:
    project = fresh_project
    files = _exercise_files(project)
    _check_fresh_project(project, len(files))
    _check_hints(project)

    solutions = _solutions(_framework_of(project))
    for solution in solutions:
        number = int(solution.name.split("-", 1)[0])
        _apply(project, solution)
        # Only the exercise just solved: it must pass on top of the ones before it. Whether a
        # later solution broke an earlier exercise is the checker's full run below, once,
        # instead of every earlier exercise again after each patch (quadratic in their number).
        ran = _run(
            project,
            "-m",
            "pytest",
            "-m",
            "exercise",
            "-q",
            "-p",
            "no:cacheprovider",
            files[number],
        )
        assert ran.returncode == 0, (
            f"after {solution.name}, exercise {number} should pass:\n{ran.stdout[-4000:]}"
        )

    # The checker's full run: every exercise, then the project's own suite as `make test`
    # runs it (an exercise is done only when that stays green).
    checked = _run(project, "-m", "exercises.check")
    done = len(solutions)
    assert f"Exercises: {done}/{len(files)} passed" in checked.stdout, checked.stdout
    if done == len(files):
        tail = checked.stdout[-4000:]
        assert "The project's own suite (make test) passes too." in checked.stdout, tail
        assert checked.returncode == 0, tail
    else:
        assert_ok(make(project, "test"), "make test with every reference solution applied")


def _framework_of(project: Path) -> str:
    answers = (project / ".copier-answers.yml").read_text(encoding="utf-8")
    match = re.search(r"^framework: (\S+)$", answers, re.MULTILINE)
    assert match, answers
    return match.group(1)


@pytest.mark.parametrize(
    "installed_project",
    [pytest.param(fw, marks=pytest.mark.xdist_group(fw), id=fw) for fw in FRAMEWORK_NAMES],
    indirect=True,
)
def test_fresh_project_fails_every_exercise_because_the_feature_is_missing(
    installed_project: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    _run(
        installed_project,
        *("-m", "pytest", "-m", "exercise", "-q", "-p", "no:cacheprovider"),
        *("-p", "exercises.reporter", "--exercise-report", str(report), "tests/exercises"),
    )
    tests = json.loads(report.read_text(encoding="utf-8"))["tests"]
    for number, test_file in _exercise_files(installed_project).items():
        failures = [t for t in tests if t["file"] == test_file and t["outcome"] == "failed"]
        assert failures, f"exercise {number} already passes on a fresh project"
        first = failures[0]
        assert first["name"] != "(collection)", f"exercise {number}: {first['message']}"
        assert not first["message"].startswith("error in test"), (
            f"exercise {number} fails in a fixture, not on the missing feature: {first}"
        )


@pytest.mark.parametrize(
    "installed_project",
    [pytest.param("flask-api", marks=pytest.mark.xdist_group("flask-api"), id="flask-api")],
    indirect=True,
)
def test_the_checker_speaks_the_learners_language(installed_project: Path, tmp_path: Path) -> None:
    # The same project in Bahasa Indonesia differs only in its words (EXERCISES.md and
    # exercises/catalog.json), so it borrows the installed project's environment.
    made = run_scaffold(
        "new", "--no-input", "-f", "flask-api", "--name", "demo", "demo", "--no-git",
        "-d", "language=id", cwd=tmp_path,
    )  # fmt: skip
    assert_ok(made, "scaffold new -f flask-api -d language=id")
    project = tmp_path / "demo"
    (project / ".venv").symlink_to(installed_project / ".venv")
    catalog = json.loads((project / "exercises" / "catalog.json").read_text(encoding="utf-8"))
    words = catalog["messages"]
    english = json.loads(
        (installed_project / "exercises" / "catalog.json").read_text(encoding="utf-8")
    )["messages"]
    assert catalog["language"] == "id"
    assert words["next"] != english["next"]

    checked = _run(project, "-m", "exercises.check", "--only", "1", "--no-suite")
    first = catalog["exercises"][0]
    assert checked.returncode == 1, checked.stdout + checked.stderr
    expected = words["next"].format(number=1, title=first["title"], duty=first["duty"])
    assert expected in checked.stdout, checked.stdout
    assert english["next"].split("{", 1)[0] not in checked.stdout, checked.stdout
    hint = _run(project, "-m", "exercises.check", "--hint", "1")
    assert first["hints"][0].split()[0] in hint.stdout, hint.stdout

    # The checker's own tests, which read their expected words from the catalogue.
    ran = _run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/exercises")
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]
