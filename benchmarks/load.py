"""Load generation on loopback: `wrk` when installed, else a bounded Python generator.

Both stop by themselves (a fixed duration, and the Python one also a request cap) and only
ever connect to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
THREADS = 2
CONNECTIONS = 32
# The Python fallback cannot drive 32 connections from 2 cores usefully; it uses fewer.
FALLBACK_CONNECTIONS = 8
FALLBACK_MAX_REQUESTS = 200_000

# wrk prints this JSON line at the end (its `done` hook); the request part is filled per test.
LUA = """
wrk.method = %(method)s
wrk.body = %(body)s
wrk.headers["Content-Type"] = "application/json"
%(auth)s
done = function(summary, latency, requests)
  io.write(string.format(
    '\\nRESULT {"requests": %%d, "duration_us": %%d, "bad_status": %%d, "socket_errors": %%d, '
    .. '"p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Request:
    """One kind of request to repeat: method, path, JSON body and bearer token."""

    method: str
    path: str
    body: str | None = None
    token: str | None = None
    connections: int = CONNECTIONS


@dataclass(frozen=True)
class LoadResult:
    """Throughput and latency of one load test."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int
    tool: str


def _lua_string(value: str | None) -> str:
    return "nil" if value is None else json.dumps(value)


def run_wrk(port: int, request: Request, seconds: int, scripts: Path) -> LoadResult:
    """`wrk -t2 -c32 -dNs` with a script that sets the request and prints a JSON summary."""
    scripts.mkdir(parents=True, exist_ok=True)
    script = scripts / "request.lua"
    auth = (
        f'wrk.headers["Authorization"] = {_lua_string("Bearer " + request.token)}'
        if request.token
        else ""
    )
    script.write_text(
        LUA
        % {"method": _lua_string(request.method), "body": _lua_string(request.body), "auth": auth}
    )
    argv = [
        "wrk",
        f"-t{THREADS}",
        f"-c{request.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://{HOST}:{port}{request.path}",
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return LoadResult(
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        requests=data["requests"],
        bad=data["bad_status"] + data["socket_errors"],
        tool="wrk",
    )


def run_python(port: int, request: Request, seconds: int) -> LoadResult:
    """Keep-alive connections in threads until the deadline or the request cap."""
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()
    headers = {"Content-Type": "application/json"}
    if request.token:
        headers["Authorization"] = f"Bearer {request.token}"

    def worker() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        mine: list[float] = []
        errors = 0
        while (
            time.perf_counter() < deadline and len(latencies) + len(mine) < FALLBACK_MAX_REQUESTS
        ):
            start = time.perf_counter()
            try:
                connection.request(
                    request.method, request.path, body=request.body, headers=headers
                )
                response = connection.getresponse()
                response.read()
                errors += response.status >= 400
            except OSError:
                errors += 1
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=10)
            mine.append(time.perf_counter() - start)
        connection.close()
        with lock:
            latencies.extend(mine)
            bad[0] += errors

    start = time.perf_counter()
    connections = min(FALLBACK_CONNECTIONS, request.connections)
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return LoadResult(
        rps=len(latencies) / elapsed,
        p50_ms=cuts[49] * 1000,
        p99_ms=cuts[98] * 1000,
        requests=len(latencies),
        bad=bad[0],
        tool=f"python ({connections} connections)",
    )


def load(port: int, request: Request, seconds: int, scripts: Path) -> LoadResult:
    """Drive ``request`` at 127.0.0.1:``port`` for ``seconds``, with wrk if it is installed."""
    if shutil.which("wrk"):
        return run_wrk(port, request, seconds, scripts)
    return run_python(port, request, seconds)
