"""Section 3: time to green, from `scaffold new` to a passing `make test`, per framework.

Steps are timed one by one (generate / install / migrate / test) in a fresh project, after
earlier installs of the same pins on this machine (each full run installs all three), so
pip's cache is as warm as pip makes it. The installed projects are then reused by the serve
and scaling sections.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

from benchmarks import apps
from benchmarks.common import Config, fmt_s, md_table

TARGET_S = 60.0
STEPS = ("install", "migrate", "test")


def _make(target: str, project: Path, config: Config) -> tuple[float, str]:
    """`make TARGET` in the project; (seconds, last output line); raises on failure."""
    start = time.perf_counter()
    done = subprocess.run(
        ["make", target],
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
        message = f"make {target} failed ({done.returncode}):\n" + "\n".join(lines[-20:])
        raise RuntimeError(message)
    summary = next((line for line in reversed(lines) if re.search(r"\d+ passed", line)), "")
    return elapsed, summary.strip("= ")


def measure(framework: str, config: Config) -> dict[str, object]:
    """Generate, install, migrate and test one fresh project; stop at the first failure."""
    project = apps.project_path(framework, config)
    shutil.rmtree(project, ignore_errors=True)
    times: dict[str, float] = {"generate": apps.generate(framework, config)}
    result: dict[str, object] = {"times": times}
    try:
        for step in STEPS:
            times[step], summary = _make(step, project, config)
        result["tests"] = summary
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        result["error"] = str(error)
    return result


def run(config: Config) -> dict[str, object]:
    results = {}
    for framework in config.frameworks:
        print(f"green: {framework}")
        results[framework] = measure(framework, config)
    rows = []
    for fw, result in results.items():
        times = result["times"]
        if "error" in result:
            failed = result["error"].splitlines()[0]
            steps = [fmt_s(times[s]) if s in times else "-" for s in ("generate", *STEPS)]
            rows.append([fw, *steps, "not green", f"NOT MEASURED: {failed}", ""])
            continue
        total = sum(times.values())
        verdict = "met" if total < TARGET_S else f"MISSED by {total - TARGET_S:.0f} s"
        steps = [fmt_s(times[s]) for s in ("generate", *STEPS)]
        rows.append([fw, *steps, fmt_s(total), verdict, result.get("tests", "")])
    table = md_table(
        [
            "framework",
            "generate",
            "install",
            "migrate",
            "test",
            "total",
            "target < 60 s",
            "make test said",
        ],
        rows,
    )
    markdown = (
        f"{table}\n\nCommands, in a fresh folder each: `scaffold new --no-input -f FW --name demo "
        "DEST`, then `make install`, `make migrate`, `make test`."
    )
    failures = {fw: r["error"] for fw, r in results.items() if "error" in r}
    if failures:
        markdown += "\n\nFailures:\n" + "\n".join(
            f"- {fw}: ```{text[-600:]}```" for fw, text in failures.items()
        )
    return {"results": results, "markdown": markdown}
