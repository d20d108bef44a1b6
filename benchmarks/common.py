"""Helpers every section shares: paths, timing, medians, machine facts, Markdown tables."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
OUT = BENCH / "out"
# The benchmarks time the scaffold and copier installed next to the interpreter running them.
BIN = Path(sys.executable).parent
SCAFFOLD = str(BIN / "scaffold")
COPIER = str(BIN / "copier")
PYTHON = sys.executable
FRAMEWORKS = ("flask-api", "django-app", "fastapi-service")
# The same answers as `scaffold new --no-input --name demo` (database defaults to sqlite).
ANSWERS = ("project_name=demo", "package_name=demo", "database=sqlite")


@dataclass
class Config:
    """What one run of the benchmarks does; `quick` shortens every section."""

    quick: bool
    work: Path
    rounds: int
    load_seconds: int
    env: dict[str, str] = field(default_factory=dict)
    frameworks: tuple[str, ...] = FRAMEWORKS


def bench_env(home: Path) -> dict[str, str]:
    """The environment every timed command runs in: a private template store, fixed identity,
    and Python writing its bytecode cache.

    SCAFFOLD_HOME keeps the user's own store untouched; the git identity makes the first
    commit identical whoever runs the benchmark (and avoids scaffold's fallback warning).
    """
    env = dict(os.environ)
    # Measured as in a learner's terminal, where Python keeps the bytecode it compiles: a
    # machine (or container) that sets this makes every process compile the project's modules
    # and tests again, the first `make test` included.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        SCAFFOLD_HOME=str(home),
        GIT_AUTHOR_NAME="bench",
        GIT_AUTHOR_EMAIL="bench@localhost",
        GIT_COMMITTER_NAME="bench",
        GIT_COMMITTER_EMAIL="bench@localhost",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    # The projects' `make install` uses the uv on PATH, as for a person who installed uv:
    # here the one of scaffold's dev environment, alone in a folder so that its python3 is not.
    uv = Path(sys.executable).with_name("uv")
    if uv.exists():
        tools = home / "bin"
        tools.mkdir(parents=True, exist_ok=True)
        if not (tools / "uv").exists():
            (tools / "uv").symlink_to(uv)
        env["PATH"] = f"{tools}{os.pathsep}{env.get('PATH', '')}"
    return env


def timed_run(
    argv: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float = 600
) -> float:
    """Run a command to completion and return its wall time in seconds; fail loudly."""
    start = time.perf_counter()
    done = subprocess.run(
        list(argv),
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,  # the failure is reported below, with the command's own last lines
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-15:]
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n" + "\n".join(tail))
    return elapsed


def interleave(
    cases: Mapping[str, Callable[[], T]], rounds: int, progress: Callable[[str], None] = print
) -> dict[str, list[T]]:
    """Run every case once per round, round-robin, so machine drift hits all cases alike.

    The starting case rotates each round so no case is always first after a pause.
    Each callable returns its own measurement (seconds, a load-test result, ...).
    """
    names = list(cases)
    samples: dict[str, list[T]] = {name: [] for name in names}
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(cases[name]())
        progress(f"  round {number + 1}/{rounds} done")
    return samples


def median(values: Sequence[float]) -> float:
    """Median, or NaN for no values (a case that never ran)."""
    return statistics.median(values) if values else float("nan")


def fmt_s(seconds: float) -> str:
    """Seconds for a table: ms below one second, else seconds with two decimals."""
    if math.isnan(seconds):
        return "n/a"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def md_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> dict[str, str]:
    """Facts that make a figure comparable: cores, memory, Python, OS, load, date."""
    mem_kib = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    git = subprocess.run(["git", "--version"], capture_output=True, text=True, check=False)
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "memory": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "os": platform.platform(),
        "git": git.stdout.strip(),
        "load average at start": load,
        "scaffold commit": subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip(),
    }


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """A temporary folder removed afterwards, whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix=f"scaffold-bench-{prefix}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def tree_stats(root: Path) -> tuple[int, int]:
    """Number of files and bytes below ``root``, `.git` left out."""
    files = size = 0
    for path in root.rglob("*"):
        if ".git" in path.relative_to(root).parts[:1] or not path.is_file():
            continue
        files += 1
        size += path.stat().st_size
    return files, size


def recorded_source(project: Path) -> tuple[str, str]:
    """The template store and version tag a generated project's answers file records."""
    fields = {}
    for line in (project / ".copier-answers.yml").read_text().splitlines():
        key, sep, value = line.partition(": ")
        if sep and not key.startswith("#"):
            fields[key] = value.strip()
    return fields["_src_path"], fields["_commit"]
