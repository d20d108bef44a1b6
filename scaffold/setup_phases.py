"""`scaffold new --install` / `--test`: run the new project's own make targets, phase by phase.

The phases are the commands the project's README gives (`make install`, `make migrate`,
`make test`), run in the project folder exactly as a person would run them, so the one-command
path and the manual one can never drift apart. Each phase prints one line when it starts and
one with its time when it ends; its own output is kept and shown only when it fails.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scaffold.errors import UserError

INSTALL = ("install", "migrate")
TEST = (*INSTALL, "test")
# A failed phase shows this many of its last output lines: enough for a traceback's end or
# pytest's summary, short enough to read in a terminal.
TAIL_LINES = 25


@dataclass(frozen=True)
class Phase:
    """One finished phase: its name (the make target) and how long it took, in seconds."""

    name: str
    seconds: float


class PhaseFailedError(UserError):
    """A make target of the new project failed; the project itself is complete and kept."""


class PhaseInterruptedError(Exception):
    """Ctrl-C (or SIGTERM) during a phase; the project is complete and kept.

    Args:
        phase: The make target that was running.
    """

    def __init__(self, phase: str) -> None:
        super().__init__(phase)
        self.phase = phase


def _make() -> str:
    make = shutil.which("make")
    if make is None:
        msg = "`make` is not installed, so the project's install and test steps cannot run."
        raise UserError(
            msg, hint="Install make (e.g. `apt install make`), or follow the README by hand."
        )
    return make


def _tail(output: str) -> str:
    lines = output.rstrip().splitlines()[-TAIL_LINES:]
    return "\n".join(f"  | {line}" for line in lines)


def run_phases(project: Path, names: Sequence[str], echo: Callable[[str], None]) -> list[Phase]:
    """Run ``make NAME`` in ``project`` for each name, in order, stopping at the first failure.

    Args:
        project: The generated project's folder.
        names: Make targets, e.g. :data:`INSTALL` or :data:`TEST`.
        echo: Where the progress lines go.

    Returns:
        The finished phases with their times.

    Raises:
        UserError: `make` is not installed.
        PhaseFailedError: A target exited non-zero (the message holds its last lines).
        PhaseInterruptedError: Interrupted while a target ran.
    """
    make = _make()
    done: list[Phase] = []
    for name in names:
        echo(f"{name}: running `make {name}` ...")
        started = time.perf_counter()
        try:
            # make and its children share our process group, so Ctrl-C reaches them too.
            result = subprocess.run(  # noqa: S603 - fixed argv, no shell
                [make, name],
                cwd=project,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                check=False,
            )
        except KeyboardInterrupt:
            raise PhaseInterruptedError(name) from None
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            msg = (
                f"`make {name}` failed (exit {result.returncode}) after {seconds:.1f} s; "
                f"its last lines:\n{_tail(result.stdout)}"
            )
            raise PhaseFailedError(
                msg,
                hint=f"The project is complete in {project}: fix the cause there and run "
                f"`make {name}` again.",
            )
        echo(f"{name}: done in {seconds:.1f} s")
        done.append(Phase(name, seconds))
    return done


def summary(phases: Sequence[Phase]) -> str:
    """One line with every phase's time and the total, e.g. for the end of `scaffold new`."""
    parts = [f"{phase.name} {phase.seconds:.1f} s" for phase in phases]
    total = sum(phase.seconds for phase in phases)
    return f"Times: {', '.join(parts)}; total {total:.1f} s."
