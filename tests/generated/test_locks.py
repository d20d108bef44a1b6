"""Slow tier: the generated projects' dependency locks, with uv, without uv, and with pip alone.

- `make lock` in a fresh project rewrites the locks byte for byte: they are the output of
  their `.in` files, not hand edits (needs the package index, as `make lock` always does).
- `make install` without uv on PATH puts the locked uv into `.venv` with pip, says so, and
  then installs the lock.
- The README's pip command, for people without uv, gives exactly the environment
  `uv pip sync` would: uv's dry run afterwards has nothing to change.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FRAMEWORK_NAMES, UV
from tests.generated.conftest import LEAN_DATA, MAKE_TIMEOUT, assert_ok, make, new_project

pytestmark = pytest.mark.slow

LOCKS = ("requirements.txt", "requirements-dev.txt", "requirements-audit.txt")


# The locks are rendered: a capability that is off takes its packages out of them.
VARIANTS = {
    "all-on": (),
    "lean": LEAN_DATA,
    # One capability on without the other: a package both need must be in neither's block.
    "jobs-only": ("-d", "with_files=false"),
    "files-only": ("-d", "with_jobs=false"),
}


def _path_without_uv() -> str:
    """This PATH minus every folder that holds a `uv` (the tests put one there)."""
    folders = os.environ["PATH"].split(os.pathsep)
    return os.pathsep.join(f for f in folders if f and not (Path(f) / "uv").exists())


def _assert_environment_is_the_lock(project: Path) -> None:
    """uv's dry run of the dev lock against .venv would change nothing."""
    dry_run = subprocess.run(
        [str(UV), "pip", "sync", "--dry-run", "--require-hashes",
         "--python", str(project / ".venv" / "bin" / "python"), "requirements-dev.txt"],
        cwd=project, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert_ok(dry_run, "uv pip sync --dry-run")
    assert "Would make no changes" in dry_run.stderr, dry_run.stderr


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("framework", FRAMEWORK_NAMES)
def test_make_lock_compiles_each_lock_back_to_itself(
    framework: str, variant: str, tmp_path: Path
) -> None:
    if not UV.exists():
        pytest.fail(f"uv is missing from scaffold's test environment ({UV}): install '.[test]'")
    project = new_project(tmp_path, framework, *VARIANTS[variant])
    rendered = {name: (project / name).read_bytes() for name in LOCKS}
    assert_ok(make(project, "lock", timeout=300), f"make lock ({framework}, {variant})")
    changed = [name for name in LOCKS if (project / name).read_bytes() != rendered[name]]
    assert not changed, (
        f"templates/{framework}/{changed} ({variant}): not what `make lock` makes of the .in "
        "files; refresh them as CONTRIBUTING.md says"
    )


def test_install_without_uv_puts_the_locked_uv_into_the_project(tmp_path: Path) -> None:
    project = new_project(tmp_path, "fastapi-service")
    installed = make(project, "install", env={"PATH": _path_without_uv()}, timeout=MAKE_TIMEOUT)
    assert_ok(installed, "make install without uv on PATH")
    assert "uv is not on PATH: installing the locked uv into .venv with pip first." in (
        installed.stdout
    )
    locked = re.search(r"^uv==(\S+)", (project / "requirements-dev.txt").read_text(), re.M)
    assert locked, "requirements-dev.txt locks no uv"
    version = subprocess.run(
        [str(project / ".venv" / "bin" / "uv"), "--version"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert version.split()[1] == locked.group(1), version
    _assert_environment_is_the_lock(project)


@pytest.mark.parametrize("framework", FRAMEWORK_NAMES)
def test_readme_pip_command_installs_exactly_the_lock(framework: str, tmp_path: Path) -> None:
    project = new_project(tmp_path, framework)
    readme = (project / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"`(python3 -m venv \.venv && [^`]*--require-hashes[^`]*)`", readme)
    assert commands, "README.md shows no pip command for installing the lock without uv"
    pip_install = subprocess.run(
        ["sh", "-c", commands[0]], cwd=project, env={**os.environ, "PATH": _path_without_uv()},
        capture_output=True, text=True, timeout=MAKE_TIMEOUT, check=False,
    )  # fmt: skip
    assert_ok(pip_install, f"README's pip command: {commands[0]}")
    _assert_environment_is_the_lock(project)
