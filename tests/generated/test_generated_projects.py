"""Slow tier: install each generated project and run ITS checks, for real.

SQLite first (zero setup), then the same suite on the machine's real PostgreSQL, then the
shared contract suite against the production server started by `make run`.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FRAMEWORK_NAMES
from tests.generated.conftest import assert_ok, free_port, make, stop, wait_until_live
from tests.services import REDIS_HOST, REDIS_PORT, redis_url, require

pytestmark = pytest.mark.slow

PROJECTS = [pytest.param(fw, marks=pytest.mark.xdist_group(fw), id=fw) for fw in FRAMEWORK_NAMES]
# The same frameworks with every capability question off (DESIGN.md: tested all-on and all-off).
LEAN_PROJECTS = [
    pytest.param(f"{fw}:lean", marks=pytest.mark.xdist_group(f"{fw}-lean"), id=f"{fw}-lean")
    for fw in FRAMEWORK_NAMES
]


def _json_documents(text: str) -> list[Any]:
    """The JSON documents printed one after another (curl -s adds no newline between them)."""
    decoder, documents, position = json.JSONDecoder(), [], 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        document, position = decoder.raw_decode(text, position)
        documents.append(document)
    return documents


def _run_readme_first_requests(project: Path, base: str) -> None:
    """Run the README's "First requests" block, as written, against the live server."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    block = re.search(
        r"<!-- first-requests.*?-->\n```sh\n(.*?)```\n<!-- /first-requests", readme, re.S
    )
    assert block is not None, "README.md has no first-requests block"
    script = block.group(1).replace("http://127.0.0.1:8000", base)
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert_ok(done, "the README's first requests")
    user, task, page = _json_documents(done.stdout)
    assert user["email"] == "ada@example.com", user
    assert task["title"] == "Read CONTRACT.md", task
    assert [item["title"] for item in page["items"]] == ["Read CONTRACT.md"], page


@pytest.mark.parametrize("installed_project", PROJECTS + LEAN_PROJECTS, indirect=True)
def test_lint_is_clean(installed_project: Path) -> None:
    assert_ok(make(installed_project, "lint"), "make lint")


@pytest.mark.parametrize("installed_project", PROJECTS + LEAN_PROJECTS, indirect=True)
def test_own_suite_passes_on_sqlite(installed_project: Path) -> None:
    completed = make(installed_project, "test")
    assert_ok(completed, "make test (SQLite)")
    assert " passed" in completed.stdout


@pytest.mark.parametrize("installed_project", PROJECTS, indirect=True)
def test_own_suite_passes_on_postgresql(installed_project: Path, postgres_database: str) -> None:
    require("Redis", REDIS_HOST, REDIS_PORT)
    env = {
        "TEST_DATABASE_URL": postgres_database,
        "DATABASE_URL": postgres_database,
        "TEST_REDIS_URL": redis_url(1),
    }
    completed = make(installed_project, "test", env=env)
    assert_ok(completed, "make test (PostgreSQL)")
    assert " passed" in completed.stdout
    assert " skipped" not in completed.stdout.splitlines()[-1] or "redis" not in completed.stdout


MAX_BODY_BYTES = 1024 * 1024  # CONTRACT.md's default, which `make run` keeps


def _assert_connection_usable_after_413(port: int) -> None:
    """An oversized body gets its 413, and the connection either says close or still works.

    A server that answers ``Connection: keep-alive`` and then drops the connection breaks
    every client that pools connections (its next request fails at random). The pause lets
    such a close arrive before the second request, so the check does not depend on timing.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = b'{"email": "' + b"a" * MAX_BODY_BYTES + b'"}'
        connection.request(
            "POST", "/api/v1/auth/login", body=body, headers={"Content-Type": "application/json"}
        )
        answer = connection.getresponse()
        answer.read()
        assert answer.status == http.client.REQUEST_ENTITY_TOO_LARGE, answer.status
        kept_open = not answer.will_close
        time.sleep(0.5)
        connection.request("GET", "/health/live")
        second = connection.getresponse()
        second.read()
        assert second.status == http.client.OK, (kept_open, second.status)
    finally:
        connection.close()


# The live server's METRICS_TOKEN (CONTRACT.md, section 15): 32 characters or more.
METRICS_TOKEN = "live-run-metrics-token-" + "0123456789abcdef" * 2

# The job queue of the live server and its worker: the default SQLite file, or Redis as
# several machines would share it (then the login counters live there too).
QUEUES = ["sqlite", "redis"]


@pytest.mark.parametrize("queue", QUEUES)
@pytest.mark.parametrize("installed_project", PROJECTS, indirect=True)
def test_contract_suite_passes_against_the_live_server(
    installed_project: Path, queue: str, tmp_path, request: pytest.FixtureRequest
) -> None:
    port, smtp_port = free_port(), free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'live.db'}",
        "ENVIRONMENT": "development",
        # The worker sends to the SMTP server the suite runs (--smtp-port below).
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "JOBS_PATH": str(tmp_path / "jobs.db"),
        # The whole suite comes from one client address; its own tests prove the default.
        "PASSWORD_RESET_CLIENT_LIMIT": "1000/hour",
        # GET /metrics answers with this token (--metrics-token below).
        "METRICS_TOKEN": METRICS_TOKEN,
    }
    if queue == "redis":
        require("Redis", REDIS_HOST, REDIS_PORT)
        # A Redis database per framework (2, 3, 4), emptied first: the login and mail counters
        # live there too, and an earlier run's would refuse this one's fixed addresses.
        framework = request.node.callspec.params["installed_project"]
        url = redis_url(2 + FRAMEWORK_NAMES.index(framework))
        flush = "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()"
        python = str(installed_project / ".venv" / "bin" / "python")
        subprocess.run([python, "-c", flush, url], check=True, timeout=30)
        env.update(REDIS_URL=url)
    log = tmp_path / "server.log"
    # The server's output goes to a file, never to a pipe nobody reads: a full pipe would
    # block every worker on its next log line.
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            ["make", "run"],
            cwd=installed_project,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: make, the server and its workers
        )
    worker: subprocess.Popen[bytes] | None = None
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_live(f"{base}/health/live", server, log)
        with urllib.request.urlopen(f"{base}/health/live", timeout=5) as answer:  # noqa: S310
            server_header = answer.headers.get("Server", "")
        assert not any(char.isdigit() for char in server_header), server_header
        _run_readme_first_requests(installed_project, base)
        _assert_connection_usable_after_413(port)
        # After the first requests: the README's block registers Ada, whose verification
        # message then waits in the queue for the worker, as it would in a fresh project.
        with (tmp_path / "worker.log").open("wb") as worker_log:
            worker = subprocess.Popen(
                ["make", "worker"], cwd=installed_project, env=env, stdout=worker_log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        completed = subprocess.run(
            # The contract suite, mail included, and the schemathesis run (CONTRACT.md
            # sections 9 and 12), live.
            [".venv/bin/python", "-m", "pytest", "tests/contract",
             "tests/security/test_schema_fuzzing.py", "--base-url", base,
             "--smtp-port", str(smtp_port), "--metrics-token", METRICS_TOKEN,
             "-q", "-rfEs", "-p", "no:cacheprovider"],
            cwd=installed_project,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )  # fmt: skip
        if completed.returncode != 0:
            # The server's side of a failure is in its logs: show their ends before the tests'
            # own, so that a shortened report still ends with the suite's list of failures.
            logs = ""
            for name in ("server.log", "worker.log"):
                tail = (tmp_path / name).read_text(encoding="utf-8", errors="replace")[-2000:]
                logs += f"--- end of {name} ---\n{tail}\n"
            completed.stdout = f"{logs}--- the suite ---\n{completed.stdout}"
        assert_ok(completed, "contract suite against the live server")
        assert " passed" in completed.stdout
        # The mail tests ran: a reset mail arrived through the worker and its link worked.
        assert "--smtp-port" not in completed.stdout, completed.stdout[-3000:]
        assert "test_password_reset.py" not in completed.stdout, completed.stdout[-3000:]
        # The metrics tests read the live server's metrics, through all its workers.
        assert "--metrics-token" not in completed.stdout, completed.stdout[-3000:]
    finally:
        for process in (worker, server):
            if process is not None:
                stop(process)
    assert server.returncode is not None
