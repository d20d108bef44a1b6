"""Where `scaffold new` spends its time, phase by phase, in one process.

`python -m benchmarks.phases FRAMEWORK ROUNDS` (SCAFFOLD_HOME set by the harness) calls
scaffold's engine the way the CLI does, with a stopwatch around each step the engine looks
up by name: the store check, Copier's render, the `.env`, git, the file list. Nothing is
changed in scaffold: the wrappers only time the original functions. A step the engine no
longer calls by that name is reported as absent.
"""

from __future__ import annotations

import functools
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

STEPS = {
    "template_source": "store check (hash templates into the store, find the tag)",
    "render": "Copier render (run_copy from the store tag)",
    "write_env": "write .env with fresh secrets",
    "init_and_commit": "git init, add, first commit",
    "list_files": "list the files for the summary",
    "read_answers": "read the answers file back",
}


def main(framework: str, rounds: int) -> None:
    start = time.perf_counter()
    import copier  # noqa: F401, PLC0415 - its cold import is the first phase

    from scaffold import engine  # noqa: PLC0415

    imported = time.perf_counter() - start
    spent: dict[str, list[float]] = {name: [] for name in STEPS}

    def timed(name: str, original: Callable[..., object]) -> Callable[..., object]:
        @functools.wraps(original)
        def wrapper(*args: object, **kwargs: object) -> object:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[name].append(time.perf_counter() - began)

        return wrapper

    for name in STEPS:
        if hasattr(engine, name):
            setattr(engine, name, timed(name, getattr(engine, name)))
    totals = []
    for number in range(rounds):
        with tempfile.TemporaryDirectory(prefix="scaffold-bench-phases-") as scratch:
            request = engine.GenerateRequest(
                destination=Path(scratch) / f"demo{number}",
                framework=framework,
                project_name="demo",
                data={"database": "sqlite"},
            )
            began = time.perf_counter()
            engine.generate(request)
            totals.append(time.perf_counter() - began)
    print(json.dumps({"import_s": imported, "generate_s": totals, "steps": spent}))


def run_child(framework: str, rounds: int, env: dict[str, str]) -> dict[str, object]:
    """Run :func:`main` in a fresh interpreter and return its measurements."""
    import subprocess  # noqa: PLC0415

    from benchmarks.common import PYTHON, REPO  # noqa: PLC0415

    done = subprocess.run(
        [PYTHON, "-m", "benchmarks.phases", framework, str(rounds)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(found: dict[str, object]) -> list[list[object]]:
    """Rows: phase, median seconds, share of the whole `generate()` call."""
    from benchmarks.common import fmt_s, median  # noqa: PLC0415

    whole = median(found["generate_s"])  # type: ignore[arg-type]
    rows: list[list[object]] = [
        ["cold import of copier + scaffold.engine", fmt_s(found["import_s"]), ""]
    ]  # type: ignore[arg-type]
    for name, label in STEPS.items():
        values = found["steps"][name]  # type: ignore[index]
        if not values:
            rows.append([label, "absent", ""])
            continue
        rows.append([label, fmt_s(median(values)), f"{median(values) / whole:.0%}"])
    rows.append(["whole `engine.generate()`", fmt_s(whole), "100%"])
    return rows


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
