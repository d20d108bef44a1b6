"""The real `scaffold` process: interrupts, terminals, and machines without git setup."""

import fcntl
import os
import pty
import re
import select
import shlex
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
import yaml

from scaffold.frameworks import FRAMEWORKS
from tests.conftest import REPO_ROOT, git, run_scaffold

STAGING_GLOB = ".scaffold-staging-*"
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


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


def test_readmes_first_command_makes_the_project_beside_the_clone(tmp_path) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    command = shlex.split(readme.split("```sh\n", 1)[1].split("\n", 1)[0])
    pip = command.index(".venv/bin/pip")
    assert command[pip + 1 : pip + 3] == ["install", "-q"]  # pip's output out of the way
    new_args = command[command.index(".venv/bin/scaffold") + 1 :]
    assert new_args == ["new", "../myproject"]
    clone = tmp_path / "scaffold-clone"
    clone.mkdir()
    # Without a terminal the framework must be given; the rest is the README's command. A dry
    # run renders the same (tests/packaging/test_readme.py runs the command for real).
    result = run_scaffold(*new_args, "--no-input", "-f", "django-app", "--dry-run", cwd=clone)
    assert result.returncode == 0, result.stderr
    assert f"would be written to {tmp_path / 'myproject'};" in result.stdout
    assert list(clone.iterdir()) == []
    assert list(tmp_path.iterdir()) == [clone]


def _spawn_in_terminal(cwd: Path, *args: str, columns: int = 80) -> tuple[int, int]:
    """Start the real CLI on a real terminal of ``columns`` columns; return (pid, fd)."""
    pid, fd = pty.fork()
    if pid == 0:  # child: size the terminal before the CLI looks at it
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        os.chdir(cwd)
        os.execv(sys.executable, [sys.executable, "-m", "scaffold", *args])
    return pid, fd


def _finish(pid: int, fd: int, timeout: float = 60) -> tuple[bytes, int]:
    """Read the terminal until the process exits; return what it showed and its exit code."""
    screen, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the terminal closed with the process
            break
        if not chunk:
            break
        screen += chunk
    _, status = os.waitpid(pid, 0)
    return screen, os.waitstatus_to_exitcode(status)


@pytest.mark.parametrize(
    ("args", "question"),
    [
        (("new", "demo", "--no-git"), b"Which web framework"),
        (("new", "-f", "flask-api", "--no-git"), b"Human-readable project name"),
        (("new", "my-app", "-f", "flask-api", "--no-git"), b"One-line description"),
    ],
    ids=["framework", "project-name", "copier-question"],
)
def test_ctrl_c_at_any_question_writes_nothing_and_exits_130(tmp_path, args, question) -> None:
    pid, fd = _spawn_in_terminal(tmp_path, *args)
    try:
        shown = _read_until(fd, question)
        os.write(fd, b"\x03")
        rest, code = _finish(pid, fd)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    screen = shown + rest
    assert code == 130, screen[-800:]
    assert b"Interrupted: nothing was written." in screen
    assert b"Cancelled by user" not in screen
    assert b"Hint:" not in screen
    assert list(tmp_path.iterdir()) == []


def test_ctrl_d_at_a_question_is_an_interrupt_too(tmp_path) -> None:
    pid, fd = _spawn_in_terminal(tmp_path, "new", "-f", "flask-api", "--no-git")
    try:
        _read_until(fd, b"Human-readable project name")
        os.write(fd, b"\x04")
        screen, code = _finish(pid, fd)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    assert code == 130, screen[-800:]
    assert b"Interrupted: nothing was written." in screen
    assert b"Traceback" not in screen
    assert list(tmp_path.iterdir()) == []


def test_prompts_share_one_style_fit_80_columns_and_echo_short_answers(tmp_path) -> None:
    django = next(fw for fw in FRAMEWORKS if fw.name == "django-app")
    pid, fd = _spawn_in_terminal(tmp_path, "new", "my-app", "--no-git", columns=80)
    try:
        shown = _read_until(fd, b"(Use arrow keys)")
        os.write(fd, b"\x1b[B")  # arrow down: Django, whose description now shows
        shown += _read_until(fd, django.description.encode())
        os.write(fd, b"\r")
        after_pick = _read_until(fd, b"One-line description")
        # Copier's questions come next: accept each default until the summary.
        screen, deadline = after_pick, time.monotonic() + 90
        while b"Next:" not in screen:
            assert time.monotonic() < deadline, f"no summary: {screen[-500:]!r}"
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                screen += os.read(fd, 65536)
            else:
                os.write(fd, b"\r")
        rest, code = _finish(pid, fd)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    screen += rest
    assert code == 0, screen[-800:]
    mark = "\N{MICROPHONE}".encode()
    # One mark before scaffold's question and Copier's alike; no other mark.
    assert mark + b" Which web framework" in ANSI.sub(b"", shown)
    assert mark + b" One-line description" in ANSI.sub(b"", after_pick)
    assert b"? Which" not in ANSI.sub(b"", shown)  # questionary's own mark is not used
    # The answer is echoed as the picker's word, without its description.
    echo = after_pick.split(b"One-line description")[0]
    assert b"Django" in echo
    assert django.description.encode() not in echo
    # Printed whole on the 80-column terminal: not wrapped, so not cut mid-word.
    assert b"Add the exercises for learners (EXERCISES.md, `make exercises`)?" in screen
    # The changed name is announced before Copier's questions, so before anything is written.
    assert b"Package name: my_app (derived from 'my-app')" in after_pick
    answers = yaml.safe_load((tmp_path / "my-app" / ".copier-answers.yml").read_text("utf-8"))
    assert (answers["framework"], answers["package_name"]) == ("django-app", "my_app")
    # Copier's questions, answered with their defaults.
    assert answers["database"] == "sqlite"
    assert answers["with_exercises"] is True
