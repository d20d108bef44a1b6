"""Section 4b: what each of fastapi-service's middleware layers costs, without sockets.

`GET /health/live` is sent straight into the ASGI app (no server, no network, one process),
first through the generated app with every layer, then with one layer left out at a time,
then with none, and the bare FastAPI app for reference. Each variant is timed over the same
number of requests, round-robin. Runs with the generated project's own interpreter
(`python -m benchmarks.layers` is started from the project folder so its `.env` applies).
"""

from __future__ import annotations

import asyncio
import json
import logging
import statistics
import subprocess
import sys
import time
from pathlib import Path

REQUESTS = 2000


async def _call(app: object, path: str) -> int:
    """One HTTP request through an ASGI app; returns the status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    status = 0

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])  # type: ignore[arg-type]

    await app(scope, receive, send)  # type: ignore[operator]
    return status


def _variant(leave_out: set[str] | None) -> object:
    """The generated app, minus the middleware classes named in ``leave_out`` (None: all)."""
    from app.main import create_app  # noqa: PLC0415 - the project's own package

    app = create_app()
    if leave_out is not None:
        app.user_middleware = [m for m in app.user_middleware if m.cls.__name__ not in leave_out]
    return app


def child(rounds: int) -> None:
    """In the project's interpreter: time every variant, print JSON."""
    logging.disable(logging.CRITICAL)  # the log line is measured by the serve section
    sys.path.insert(0, str(Path(__file__).resolve().parent / "bare"))
    names = [m.cls.__name__ for m in _variant(None).user_middleware]  # type: ignore[attr-defined]
    variants = {"every layer": _variant(None)}
    for name in names:
        variants[f"without {name}"] = _variant({name})
    variants["no middleware"] = _variant(set(names))
    # Prototype: the health routes are registered after every /api/v1 route, so each probe is
    # matched against all of those first; here they are moved to the front.
    health_first = _variant(None)
    routes = health_first.router.routes  # type: ignore[attr-defined]
    routes.sort(key=lambda route: not getattr(route, "path", "").startswith("/health"))
    variants["every layer, health routes matched first"] = health_first
    from fastapi_bare import app as bare  # noqa: PLC0415

    variants["bare FastAPI app"] = bare
    samples: dict[str, list[float]] = {name: [] for name in variants}

    async def drive() -> None:
        for app in variants.values():  # warm: build the middleware stacks, fill caches
            assert await _call(app, "/health/live") == 200  # noqa: S101 - a broken variant must stop
        for number in range(rounds):
            order = list(variants)
            order = order[number % len(order) :] + order[: number % len(order)]
            for name in order:
                start = time.perf_counter()
                for _ in range(REQUESTS):
                    await _call(variants[name], "/health/live")
                samples[name].append((time.perf_counter() - start) / REQUESTS)

    asyncio.run(drive())
    print(json.dumps({name: statistics.median(v) for name, v in samples.items()}))


def run(config: object) -> dict[str, object]:
    """Harness side: run the child in fastapi-service's project, format a table."""
    from benchmarks import apps  # noqa: PLC0415
    from benchmarks.common import md_table  # noqa: PLC0415

    project = apps.ready_project("fastapi-service", config)  # type: ignore[arg-type]
    rounds = 3 if config.quick else 7  # type: ignore[attr-defined]
    env = {
        **config.env,
        "PYTHONPATH": f"{Path(__file__).resolve().parent.parent}:{project}",  # type: ignore[attr-defined]
        "BARE_DATABASE": str(apps.database_file(project)),
        "BARE_OWNER_ID": "1",
    }
    done = subprocess.run(
        [str(project / ".venv" / "bin" / "python"), "-m", "benchmarks.layers", str(rounds)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    every = found["every layer"]
    rows = [
        [name, f"{us * 1e6:.0f} µs", f"{us / every:.2f}", f"{every / us:.2f}"]
        for name, us in found.items()
    ]
    table = md_table(["variant", "time per request", "÷ every layer", "req/s gain"], rows)
    return {
        "found": found,
        "markdown": "fastapi-service `GET /health/live` straight into the ASGI app, "
        f"{REQUESTS} requests per round, median of {rounds} interleaved rounds, logging "
        f"disabled (`python -m benchmarks --only layers`):\n\n{table}",
    }


if __name__ == "__main__":
    child(int(sys.argv[1]))
