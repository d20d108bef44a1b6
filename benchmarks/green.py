"""Section 3: time to green, from `scaffold new` to a passing `make test`, per framework.

Steps are timed one by one in a fresh project: generate, `make install` (uv), `make migrate`,
`make test`. The install runs twice: once as it comes (the uv cache may be cold), then again
into a new `.venv` with the cache warm; the warm one counts, as the issue's target asks. The
pip path is timed beside it: the README's command for people without uv, into a separate
environment (the same lock, so the tests would run the same). The installed projects are then
reused by the serve and scaling sections.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

from benchmarks import apps
from benchmarks.common import Config, fmt_s, md_table

TARGET_S = 20.0
STEPS = ("install", "migrate", "test")
PIP_VENV = ".venv-pip"
# The README's command for people without uv (see the generated README, "Dependencies").
PIP_PATH = (
    f"python3 -m venv {PIP_VENV} && "
    f"{PIP_VENV}/bin/pip install --quiet --no-deps --require-hashes -r requirements-dev.txt"
)


def _run(argv: list[str], project: Path, config: Config) -> tuple[float, str]:
    """Run ``argv`` in the project; (seconds, last output line); raises on failure."""
    start = time.perf_counter()
    done = subprocess.run(
        argv,
        cwd=project,
        env=config.env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    elapsed = time.perf_counter() - start
    lines = (done.stdout + done.stderr).strip().splitlines()
    if done.returncode != 0:
        message = f"{' '.join(argv)} failed ({done.returncode}):\n" + "\n".join(lines[-20:])
        raise RuntimeError(message)
    summary = next((line for line in reversed(lines) if re.search(r"\d+ passed", line)), "")
    return elapsed, summary.strip("= ")


def measure(framework: str, config: Config, *, lean: bool = False) -> dict[str, object]:
    """Generate, install, migrate and test one fresh project; stop at the first failure.

    ``lean``: the project with every capability question answered no, measured beside the
    default one to show what the capabilities' code and tests add to the time.
    """
    project = apps.project_path(framework, config, lean=lean)
    shutil.rmtree(project, ignore_errors=True)
    times: dict[str, float] = {"generate": apps.generate(framework, config, lean=lean)}
    result: dict[str, object] = {"times": times}
    try:
        times["install (first)"], _ = _run(["make", "install"], project, config)
        shutil.rmtree(project / ".venv")
        for step in STEPS:
            times[step], summary = _run(["make", step], project, config)
        result["tests"] = summary
        times["pip install"], _ = _run(["sh", "-c", PIP_PATH], project, config)
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        result["error"] = str(error)
    finally:
        shutil.rmtree(project / PIP_VENV, ignore_errors=True)
    return result


def _row(framework: str, result: dict[str, object]) -> list[str]:
    times: dict[str, float] = result["times"]  # type: ignore[assignment]
    columns = ("generate", "install (first)", *STEPS, "pip install")
    cells = [fmt_s(times[name]) if name in times else "-" for name in columns]
    if "error" in result:
        failed = str(result["error"]).splitlines()[0]
        return [framework, *cells, "not green", f"NOT MEASURED: {failed}", "", ""]
    total = times["generate"] + sum(times[step] for step in STEPS)
    verdict = "met" if total < TARGET_S else f"MISSED by {total - TARGET_S:.0f} s"
    with_pip = total - times["install"] + times["pip install"]
    return [framework, *cells, fmt_s(total), verdict, fmt_s(with_pip), str(result["tests"])]


def run(config: Config) -> dict[str, object]:
    results = {}
    for framework in config.frameworks:
        print(f"green: {framework}")
        results[framework] = measure(framework, config)
    for framework in config.frameworks:
        print(f"green: {framework}, lean")
        results[f"{framework} (lean)"] = measure(framework, config, lean=True)
    table = md_table(
        [
            "framework",
            "generate",
            "make install, first",
            "make install, warm uv cache",
            "migrate",
            "test",
            "pip path install",
            "total (uv, warm)",
            f"target < {TARGET_S:.0f} s",
            "total with the pip path",
            "make test said",
        ],
        [_row(fw, result) for fw, result in results.items()],
    )
    lean = ", ".join(f"`{question}`" for question in apps.LEAN)
    markdown = (
        f"{table}\n\nCommands, in a fresh folder each: `scaffold new --no-input -f FW --name demo "
        f"DEST` (lean: plus `--data QUESTION=false` for each of {lean}), then `make install` "
        "(timed twice: as it comes, then again into a new .venv with the uv cache warm; the "
        "total counts the warm one), `make migrate`, `make test`; the "
        f"pip path is the README's `{PIP_PATH.replace(' --quiet', '')}` into its own folder."
    )
    failures = {fw: r["error"] for fw, r in results.items() if "error" in r}
    if failures:
        markdown += "\n\nFailures:\n" + "\n".join(
            f"- {fw}: ```{text[-600:]}```" for fw, text in failures.items()
        )
    return {"results": results, "markdown": markdown}
