"""`scaffold exercises` tells the project's checker it was started by scaffold.

The checker phrases its advice as the command the learner ran (`scaffold exercises --hint N`
here, `make exercises ARGS=...` under make); it learns which from INVOKED_VIA. The real
checker's wording is tested in every generated project (tests/exercises/test_checker.py).
"""

import sys
from pathlib import Path

from scaffold.engine import ANSWERS_FILE
from scaffold.exercises import run_checker

# A stand-in checker module: reports how it was started, as the real one reads it.
REPORTER = "import os\nprint('INVOKED_VIA=' + os.environ.get('INVOKED_VIA', ''))\n"


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "demo"
    (project / "exercises").mkdir(parents=True)
    (project / ANSWERS_FILE).write_text("framework: flask-api\n", encoding="utf-8")
    (project / "exercises" / "__init__.py").write_text("", encoding="utf-8")
    (project / "exercises" / "check.py").write_text(REPORTER, encoding="utf-8")
    (project / ".venv" / "bin").mkdir(parents=True)
    # The project's interpreter: this one, so the stand-in runs for real.
    (project / ".venv" / "bin" / "python").symlink_to(sys.executable)
    return project


def test_the_checker_runs_with_invoked_via_scaffold(tmp_path, capfd, monkeypatch) -> None:
    monkeypatch.delenv("INVOKED_VIA", raising=False)
    project = _project(tmp_path)

    status = run_checker(project, hint=1)

    assert status == 0
    assert capfd.readouterr().out == "INVOKED_VIA=scaffold\n"


# A stand-in checker module that prints the options it was given.
ARGUMENTS = "import sys\nprint(' '.join(sys.argv[1:]))\n"


def test_no_suite_and_only_reach_the_checker(tmp_path, capfd) -> None:
    project = _project(tmp_path)
    (project / "exercises" / "check.py").write_text(ARGUMENTS, encoding="utf-8")

    status = run_checker(project, only=2, watch=True, no_suite=True)

    assert status == 0
    assert capfd.readouterr().out == "--only 2 --watch --no-suite\n"
