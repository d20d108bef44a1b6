"""The README's first command, verbatim, on a fresh copy of the clone in a real terminal."""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow
CACHES = shutil.ignore_patterns("__pycache__", "*.pyc", ".*_cache", ".venv", "*.egg-info")


def first_command() -> str:
    """The first shell block of the README (the install-and-create command)."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("```sh\n", 1)[1].split("\n", 1)[0]


def test_first_command_works_verbatim_and_leaves_the_project_outside_the_clone(tmp_path):
    clone = tmp_path / "scaffold"
    for part in ("scaffold", "templates"):
        shutil.copytree(REPO_ROOT / part, clone / part, ignore=CACHES)
    for part in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / part, clone / part)
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "SCAFFOLD_HOME": str(home),
        "TERM": "xterm",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    pid, fd = pty.fork()
    if pid == 0:  # child: a user's shell in the clone, typing the README's command
        os.chdir(clone)
        os.execve("/bin/sh", ["/bin/sh", "-c", first_command()], env)
    screen, deadline = b"", time.monotonic() + 600
    try:
        # Accept every question's default (Enter) until the summary appears.
        while b"Next:" not in screen:
            assert time.monotonic() < deadline, f"no summary: {screen[-800:]!r}"
            ready, _, _ = select.select([fd], [], [], 1.0)
            if ready:
                try:
                    screen += os.read(fd, 65536)
                except OSError:
                    break
            elif b"Which web framework" in screen:
                os.write(fd, b"\r")
        _, status = os.waitpid(pid, 0)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    assert os.waitstatus_to_exitcode(status) == 0, screen[-800:]
    before_picker = screen.split(b"Which web framework")[0].decode(errors="replace")
    assert len(before_picker.splitlines()) <= 3, before_picker  # pip stays quiet
    project: Path = tmp_path / "myproject"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["framework"] == "flask-api"
    assert not (clone / "myproject").exists()
    assert b"Next: cd ../myproject && make install && make test" in screen
