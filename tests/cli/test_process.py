"""The real `scaffold` process: interrupts, terminals, and machines without git setup."""

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from tests.conftest import git, run_scaffold

STAGING_GLOB = ".scaffold-staging-*"


def _interrupt_while_staging(parent: Path, sig: int) -> int | None:
    """Start `scaffold new`, send ``sig`` once its staging folder exists; return the exit code.

    Returns None when the run finished before the signal could land inside the staging window.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "scaffold", "new", "--no-input", "-f", "django-app", "demo"],
        cwd=parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not list(parent.glob(STAGING_GLOB)):
        if process.poll() is not None or time.monotonic() > deadline:
            process.communicate()
            return None
        time.sleep(0.001)
    process.send_signal(sig)
    process.communicate(timeout=60)
    return process.returncode


def test_interrupt_during_rendering_leaves_nothing_behind(tmp_path) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        for _attempt in range(5):
            parent = tmp_path / f"run-{sig.name}-{_attempt}"
            parent.mkdir()
            code = _interrupt_while_staging(parent, sig)
            if code is None or code == 0:
                continue  # finished before the signal landed; try again
            assert code == 130
            assert list(parent.iterdir()) == [], "an interrupted run left files behind"
            break
        else:
            raise AssertionError(f"could not interrupt a run with {sig.name} in 5 attempts")


def test_first_commit_without_git_identity_uses_a_fallback_and_leaves_config_alone(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
    }
    for key in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "EMAIL",
    ):
        env.pop(key, None)
    result = run_scaffold("new", "--no-input", "-f", "flask-api", "demo", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "Warning: git has no user.name" in result.stderr
    author = git(tmp_path / "demo", "log", "-1", "--format=%an <%ae>")
    assert author.strip() == "scaffold <scaffold@localhost>"
    assert not (home / ".gitconfig").exists()
    assert "user.name" not in (tmp_path / "demo" / ".git" / "config").read_text(encoding="utf-8")


def test_missing_git_is_a_warning_not_a_failure(tmp_path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = {**os.environ, "PATH": str(bin_dir)}
    result = run_scaffold("new", "--no-input", "-f", "flask-api", "demo", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "Warning: git was not found on PATH" in result.stderr
    assert "no git repository" in result.stdout
    assert not (tmp_path / "demo" / ".git").exists()
    assert (tmp_path / "demo" / ".copier-answers.yml").is_file()


def _read_until(fd: int, needle: bytes, timeout: float = 30) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(
                f"timed out waiting for {needle!r}; screen so far: {seen[-500:]!r}"
            )
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def test_interactive_picker_in_a_real_terminal(tmp_path) -> None:
    pid, fd = pty.fork()
    if pid == 0:  # child: the real CLI on a real terminal
        os.chdir(tmp_path)
        os.execv(sys.executable, [sys.executable, "-m", "scaffold", "new", "demo", "--no-git"])
    try:
        screen = _read_until(fd, b"Which framework?")
        for framework in (b"Flask", b"Django", b"FastAPI"):
            assert framework in screen
        os.write(fd, b"\x1b[B")  # arrow down: Django
        os.write(fd, b"\r")
        # Copier then asks the remaining questions: accept each default (Enter) until the
        # summary appears.
        screen, deadline = b"", time.monotonic() + 90
        while b"Next:" not in screen:
            assert time.monotonic() < deadline, f"no summary: {screen[-500:]!r}"
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                screen += os.read(fd, 65536)
            else:
                os.write(fd, b"\r")
        _, status = os.waitpid(pid, 0)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    assert os.waitstatus_to_exitcode(status) == 0
    answers = yaml.safe_load((tmp_path / "demo" / ".copier-answers.yml").read_text("utf-8"))
    assert answers["framework"] == "django-app"
    assert answers["database"] == "sqlite"
    assert answers["with_exercises"] is True


def test_new_dot_fills_the_empty_working_folder_in_place(tmp_path) -> None:
    here = tmp_path / "my_project"
    here.mkdir()
    before = here.stat()
    result = run_scaffold("new", ".", "--no-input", "-f", "flask-api", "--no-git", cwd=here)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    after = here.stat()
    # The same folder, not a replacement: a shell sitting in it keeps working.
    assert (after.st_ino, after.st_dev) == (before.st_ino, before.st_dev)
    assert (here / ".copier-answers.yml").is_file()
    assert not list(here.glob(STAGING_GLOB))
    assert "package: my_project" in result.stdout
    assert "Next: make install && make test" in result.stdout


def test_new_into_a_sibling_folder_with_dot_dot(tmp_path) -> None:
    clone = tmp_path / "scaffold-clone"
    clone.mkdir()
    result = run_scaffold("new", "../myproject", "--no-input", "-f", "django-app", cwd=clone)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "myproject" / ".copier-answers.yml").is_file()
    assert list(clone.iterdir()) == []
    assert "Next: cd ../myproject && make install && make test" in result.stdout
