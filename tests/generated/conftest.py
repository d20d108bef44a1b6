"""Generate each framework's project once per worker, install it, and share it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_scaffold
from tests.services import POSTGRES_HOST, POSTGRES_PORT, postgres_server_url, require

MAKE_TIMEOUT = 1200


def make(
    project: Path, *targets: str, env: dict[str, str] | None = None, timeout: float = MAKE_TIMEOUT
):
    """Run ``make TARGETS`` in the generated project and return the finished process."""
    return subprocess.run(
        ["make", *targets],
        cwd=project,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_ok(completed: subprocess.CompletedProcess[str], what: str) -> None:
    """Fail with the command's own output when it did not succeed."""
    if completed.returncode != 0:
        tail = (completed.stdout + completed.stderr)[-6000:]
        pytest.fail(f"{what} failed with exit {completed.returncode}:\n{tail}")


def new_project(parent: Path, framework: str, *data: str) -> Path:
    """`scaffold new` of ``framework`` into ``parent/demo``, without git or installing."""
    made = run_scaffold(
        "new", "--no-input", "-f", framework, "--name", "demo", "demo", "--no-git", *data,
        cwd=parent,
    )  # fmt: skip
    assert_ok(made, f"scaffold new -f {framework} {' '.join(data)}".rstrip())
    return parent / "demo"


_installed: dict[str, Path] = {}
# `framework:lean` asks for the project with every capability question off (DESIGN.md).
LEAN_DATA = (
    "-d", "with_jobs=false", "-d", "with_exercises=false", "-d", "with_files=false",
    "-d", "with_deploy=false", "-d", "with_admin=false",
)  # fmt: skip


@pytest.fixture
def installed_project(request, tmp_path_factory) -> Path:
    """The project of ``request.param`` (a framework), made with `scaffold new --install`.

    ``framework:lean`` makes it with every capability question off. One per parameter per
    worker: tests of one parameter share an xdist group, so they run on one worker and install
    once. uv's cache is shared by every install.
    """
    key = request.param
    framework, _, variant = key.partition(":")
    data = LEAN_DATA if variant == "lean" else ()
    if key not in _installed:
        parent = tmp_path_factory.mktemp(f"gen-{framework}-{variant or 'all'}")
        # `--install` runs the project's own `make install` and `make migrate`, as a user
        # asking for the one-command path would.
        result = run_scaffold(
            "new", "--no-input", "-f", framework, "--name", "demo", "demo", "--install", *data,
            cwd=parent, timeout=MAKE_TIMEOUT,
        )  # fmt: skip
        assert_ok(result, f"scaffold new -f {framework} --install")
        for line in (
            r"install: done in [\d.]+ s",
            r"migrate: done in [\d.]+ s",
            r"Times: render [\d.]+ s, install [\d.]+ s, migrate [\d.]+ s; total [\d.]+ s\.",
        ):
            assert re.search(f"^{line}$", result.stdout, re.MULTILINE), result.stdout
        _installed[key] = parent / "demo"
    return _installed[key]


@pytest.fixture
def postgres_database(installed_project: Path) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    require("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
    name = f"scaffold_{uuid.uuid4().hex[:12]}"
    python = str(installed_project / ".venv" / "bin" / "python")
    admin = postgres_server_url("postgres")
    statement = (
        "import psycopg, sys\n"
        "with psycopg.connect(sys.argv[1], autocommit=True) as conn:\n"
        "    conn.execute(sys.argv[2])\n"
    )
    subprocess.run([python, "-c", statement, admin, f'CREATE DATABASE "{name}"'], check=True)
    yield postgres_server_url(name)
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    subprocess.run([python, "-c", statement, admin, drop], check=True)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_live(
    url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 90
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = log.read_text(encoding="utf-8", errors="replace")
            pytest.fail(f"`make run` exited with {server.returncode}:\n{output[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback URL
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the server did not answer {url} within {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, then SIGKILL it if it is still there after 30 s."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
