"""Start a server on 127.0.0.1, wait until it answers, read its workers' peak memory, stop it.

Every server runs in its own session (process group) so it can be stopped with everything
it forked, by the id of the process this module started and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

READY_TIMEOUT_S = 120


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            # The command name may hold spaces or parentheses: split after the last ')'.
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
            tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def worker_pids(root: int) -> list[int]:
    """The leaves of the process tree under ``root``: the processes that serve requests.

    `make` -> gunicorn master -> workers, or uvicorn -> spawned workers; a single-process
    server is its own leaf. Multiprocessing's resource tracker is not a worker.
    """
    tree = _children()
    leaves, stack = [], [root]
    while stack:
        pid = stack.pop()
        kids = tree.get(pid, [])
        stack.extend(kids)
        if not kids and pid != root:
            with contextlib.suppress(OSError):
                command = (Path(f"/proc/{pid}/cmdline").read_bytes()).replace(b"\0", b" ")
                if b"resource_tracker" not in command:
                    leaves.append(pid)
    return leaves


def peak_rss_mib(pids: Sequence[int]) -> list[float]:
    """VmHWM (peak resident set size) of each process, in MiB."""
    peaks = []
    for pid in pids:
        with contextlib.suppress(OSError):
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
            peaks += [int(x.split()[1]) / 1024 for x in lines if x.startswith("VmHWM:")]
    return peaks


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError):
        url = f"http://127.0.0.1:{port}/health/live"
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    return False


@contextlib.contextmanager
def running(
    argv: Sequence[str], cwd: Path, env: Mapping[str, str], port: int, log: Path
) -> Iterator[int]:
    """Run a server until the block ends; yields its pid once /health/live answers 200."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + READY_TIMEOUT_S
            while not _answers(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text()[-1500:]
                    message = f"{' '.join(argv)} did not start on port {port}:\n{tail}"
                    raise RuntimeError(message)
                time.sleep(0.3)
            yield process.pid
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group, SIGKILL if it is still there after 15 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
