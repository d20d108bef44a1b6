"""`scaffold new --install/--test`: the phases, their failures and interrupts, without mocks.

The phase runner is exercised on small real Makefiles; the whole path (a real project
installed, migrated and tested) is in tests/generated/test_new_with_test.py (slow tier).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scaffold.setup_phases import (
    TEST,
    Phase,
    PhaseFailedError,
    run_phases,
    summary,
)
from tests.conftest import REPO_ROOT, run_scaffold

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _makefile(folder: Path, recipes: dict[str, str]) -> Path:
    text = "".join(f"{target}:\n\t{recipe}\n" for target, recipe in recipes.items())
    (folder / "Makefile").write_text(f".PHONY: {' '.join(recipes)}\n{text}")
    return folder


def test_phases_run_in_order_and_report_their_times(tmp_path: Path) -> None:
    project = _makefile(
        tmp_path, {name: f"@echo {name} >> order.txt" for name in ("install", "migrate", "test")}
    )
    lines: list[str] = []

    phases = run_phases(project, TEST, lines.append)

    assert (project / "order.txt").read_text().split() == ["install", "migrate", "test"]
    assert [phase.name for phase in phases] == ["install", "migrate", "test"]
    assert lines[0] == "install: running `make install` ..."
    assert lines[1].startswith("install: done in ")
    assert len(lines) == 6


def test_a_failing_phase_stops_the_rest_and_shows_its_last_lines(tmp_path: Path) -> None:
    project = _makefile(
        tmp_path,
        {
            "install": "@seq 1 40; echo 'no such package: foo' >&2; exit 3",
            "migrate": "@touch migrated",
        },
    )

    with pytest.raises(PhaseFailedError) as failed:
        run_phases(project, ("install", "migrate"), lambda _: None)

    message = failed.value.message
    assert message.startswith("`make install` failed (exit 2) after ")
    assert "  | no such package: foo" in message
    assert "  | 40" in message
    assert "  | 15\n" not in message  # only the last lines
    assert f"The project is complete in {project}" in (failed.value.hint or "")
    assert not (project / "migrated").exists()


def test_ctrl_c_during_a_phase_names_the_phase(tmp_path: Path) -> None:
    # The recipe interrupts the Python process that runs the phases, as Ctrl-C in the
    # terminal would (the whole foreground process group gets SIGINT).
    project = _makefile(tmp_path, {"install": "@kill -INT $$RUNNER_PID; sleep 5"})
    script = textwrap.dedent(
        """
        import os, sys
        from pathlib import Path
        from scaffold.setup_phases import PhaseInterruptedError, run_phases
        os.environ["RUNNER_PID"] = str(os.getpid())
        try:
            run_phases(Path(sys.argv[1]), ("install",), print)
        except PhaseInterruptedError as stopped:
            print("interrupted during", stopped.phase)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(project)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.stdout.splitlines()[-1] == "interrupted during install", done.stderr


def test_summary_lists_every_phase_and_the_total() -> None:
    line = summary([Phase("render", 1.25), Phase("install", 20.0), Phase("migrate", 0.5)])

    assert line == "Times: render 1.2 s, install 20.0 s, migrate 0.5 s; total 21.8 s."


def test_dry_run_with_install_is_a_usage_error_and_writes_nothing(tmp_path: Path) -> None:
    result = run_scaffold(
        "new", "--no-input", "-f", "flask-api", "--dry-run", "--test", "demo", cwd=tmp_path
    )

    assert result.returncode == 2
    assert "--dry-run writes nothing" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_without_make_the_project_is_kept_and_the_error_says_what_to_do(tmp_path: Path) -> None:
    # This machine's PATH, minus make: every other program, git's helpers included, stays.
    tools = tmp_path / "tools"
    tools.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        for program in Path(folder).glob("*") if Path(folder).is_dir() else ():
            if program.name != "make" and not (tools / program.name).exists():
                (tools / program.name).symlink_to(program)
    environment = {**os.environ, "PATH": str(tools)}
    work = tmp_path / "work"
    work.mkdir()

    result = run_scaffold(
        "new", "--no-input", "-f", "flask-api", "--install", "demo", cwd=work, env=environment
    )

    assert result.returncode == 1, result.stderr
    assert "Error: `make` is not installed" in result.stderr
    assert "Created a flask-api project" in result.stdout
    assert (work / "demo" / "Makefile").is_file()
