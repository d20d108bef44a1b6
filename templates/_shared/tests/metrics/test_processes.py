{%- from '_shared/core_module.jinja' import core with context -%}
"""Metrics under several worker processes are added up (CONTRACT.md, section 15).

Each process below counts requests as a server's worker would, all of them writing into one
`PROMETHEUS_MULTIPROC_DIR`; another process then answers `GET /metrics`'s text for them all.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ROUTE = "/api/v1/tasks"
# The metrics module is loaded from its file: it imports nothing of the project, while
# importing its package would build the whole app first, in every process.
LOAD = """
import importlib.util
import sys
spec = importlib.util.spec_from_file_location("metrics", "{{ core('metrics') | replace('.', '/') }}.py")
metrics = importlib.util.module_from_spec(spec)
spec.loader.exec_module(metrics)
"""
COUNT = f"""{LOAD}
for _ in range(int(sys.argv[1])):
    metrics.observe_request("GET", "{ROUTE}", 200, 0.01)
"""
SCRAPE = f"""{LOAD}
sys.stdout.write(metrics.exposition().decode())
"""


def run(code: str, directory: Path | None, *args: str) -> str:
    """Run `code` in a new Python process, with the metrics folder `directory` or none."""
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    if directory is not None:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    completed = subprocess.run(  # noqa: S603 - our own interpreter running a fixed script
        [sys.executable, "-c", code, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def value(text: str, name: str) -> float:
    """The sum of the samples called `name` for GET on the tasks route."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and sample.labels.get("route") == ROUTE
    )


def test_the_metrics_of_every_process_are_added_up(tmp_path: Path) -> None:
    run(COUNT, tmp_path, "2")
    run(COUNT, tmp_path, "3")
    text = run(SCRAPE, tmp_path)
    assert value(text, "http_requests_total") == 5
    assert value(text, "http_request_duration_seconds_count") == 5


def test_without_the_folder_each_process_has_only_its_own(tmp_path: Path) -> None:
    run(COUNT, tmp_path, "2")
    assert value(run(SCRAPE, None), "http_requests_total") == 0
