"""`scaffold exercises`: show a learner's progress by running the project's own checker.

The checker ships inside every generated project (`python -m exercises.check`, the same thing
`make exercises` runs), so this command only finds the project and its virtual environment.
"""

from __future__ import annotations

import os
import subprocess  # nosec B404 - fixed argument lists only
from pathlib import Path

from scaffold.engine import ANSWERS_FILE
from scaffold.errors import UserError

CHECKER = Path("exercises") / "check.py"


def checker_command(
    project: Path,
    *,
    hint: int | None,
    only: int | None,
    watch: bool = False,
    no_suite: bool = False,
) -> list[str]:
    """The command that runs ``project``'s exercise checker with its own interpreter.

    Raises:
        UserError: Not a project with exercises, or not installed yet.
    """
    if not (project / ANSWERS_FILE).is_file():
        raise UserError(
            f"{project} is not a scaffold project.", hint="Pass the folder `scaffold new` made."
        )
    if not (project / CHECKER).is_file():
        raise UserError(
            f"{project} has no exercises (it was generated with --no-exercises).",
            hint="Generate a new project without --no-exercises to get them.",
        )
    python = project / ".venv" / "bin" / "python"
    if not python.is_file():
        raise UserError(
            f"{project} is not installed yet, so its tests cannot run.",
            hint=f"Run `make install` in {project} first.",
        )
    command = [str(python), "-m", "exercises.check"]
    if hint is not None:
        command += ["--hint", str(hint)]
    if only is not None:
        command += ["--only", str(only)]
    if watch:
        command.append("--watch")
    if no_suite:
        command.append("--no-suite")
    return command


def run_checker(
    project: Path,
    *,
    hint: int | None = None,
    only: int | None = None,
    watch: bool = False,
    no_suite: bool = False,
) -> int:
    """Run the checker in ``project`` with the terminal attached; return its exit code."""
    resolved = project.resolve()
    command = checker_command(resolved, hint=hint, only=only, watch=watch, no_suite=no_suite)
    # The checker phrases its advice as the command that started it (`scaffold exercises`).
    environment = {**os.environ, "INVOKED_VIA": "scaffold"}
    return subprocess.run(command, cwd=resolved, env=environment, check=False).returncode  # noqa: S603
