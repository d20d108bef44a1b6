"""Generated projects ready to run (generated, installed), and talking to them over HTTP.

`make install` takes minutes on this machine, so installed projects are kept under
`benchmarks/out/projects/` (gitignored) and reused: the time-to-green section always makes
them afresh, and the serve and scaling sections use whatever is there (a `--quick` run after
a full one therefore serves the projects of that full run).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from benchmarks.common import OUT, SCAFFOLD, Config, timed_run

EMAIL = "bench@example.com"
# 12+ characters and not a common password: the contract's password rules.
PASSWORD = "bench-loopback-Passphrase-42"  # noqa: S105 - a throwaway account on a temp database
TASKS = 100


# Every capability question answered no: the project without jobs and mail, files, the admin
# site, the production topology and the exercises.
LEAN = ("with_jobs", "with_files", "with_admin", "with_deploy", "with_exercises")


def project_path(framework: str, _config: Config, *, lean: bool = False) -> Path:
    return OUT / "projects" / (f"{framework}-lean" if lean else framework)


def generate(framework: str, config: Config, *, lean: bool = False) -> float:
    """`scaffold new` the framework's project (with git, as a user would); returns seconds.

    ``lean`` answers every capability question no (the defaults answer yes).
    """
    path = project_path(framework, config, lean=lean)
    path.parent.mkdir(parents=True, exist_ok=True)
    argv = [SCAFFOLD, "new", "--no-input", "-f", framework, "--name", "demo"]
    if lean:
        argv += [arg for question in LEAN for arg in ("--data", f"{question}=false")]
    return timed_run([*argv, str(path)], config.env, config.work)


def ready_project(framework: str, config: Config) -> Path:
    """The framework's project with `make install` done (made now if this run has none)."""
    path = project_path(framework, config)
    if not path.exists():
        generate(framework, config)
    if not (path / ".venv" / "bin" / "python").exists():
        timed_run(["make", "install"], config.env, path, timeout=900)
    return path


def template_version(project: Path) -> str:
    """The template tag a project was made from (its answers file's `_commit`)."""
    for line in (project / ".copier-answers.yml").read_text().splitlines():
        if line.startswith("_commit:"):
            return line.partition(":")[2].strip()
    return "unknown"


def database_file(project: Path) -> Path:
    """The SQLite file the project's `.env` points DATABASE_URL at (relative to the project)."""
    for line in (project / ".env").read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "DATABASE_URL" and value.startswith("sqlite:///"):
            return (project / value.removeprefix("sqlite:///")).resolve()
    message = f"{project} does not use a SQLite DATABASE_URL"
    raise RuntimeError(message)


def call(
    port: int, method: str, path: str, body: object = None, token: str | None = None
) -> tuple[int, object]:
    """One JSON request to 127.0.0.1:port; returns the status and the decoded body."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    # Always http://127.0.0.1: the port is the only variable part of the address.
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers=headers,
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    return status, json.loads(raw) if raw else None


def login(port: int) -> str:
    """A fresh access token for the benchmark user."""
    status, body = call(port, "POST", "/api/v1/auth/login", {"email": EMAIL, "password": PASSWORD})
    if status != 200:
        message = f"login answered {status}: {body}"
        raise RuntimeError(message)
    return str(body["access_token"])  # type: ignore[index]


def seed(port: int) -> tuple[str, int]:
    """Register the benchmark user and give them 100 tasks, through the API; (token, user id).

    Idempotent: a second call finds the user (409) and tops the tasks up to 100.
    """
    status, body = call(
        port,
        "POST",
        "/api/v1/auth/register",
        {"email": EMAIL, "password": PASSWORD, "full_name": "Bench Mark"},
    )
    if status not in {201, 409}:
        message = f"register answered {status}: {body}"
        raise RuntimeError(message)
    token = login(port)
    _, me = call(port, "GET", "/api/v1/users/me", token=token)
    _, page = call(port, "GET", "/api/v1/tasks?limit=1", token=token)
    for number in range(int(page["total"]), TASKS):  # type: ignore[index]
        task = {"title": f"Task {number}", "description": "Seeded by the benchmark. " * 4}
        status, body = call(port, "POST", "/api/v1/tasks", task, token=token)
        if status != 201:
            message = f"creating a task answered {status}: {body}"
            raise RuntimeError(message)
    return token, int(me["id"])  # type: ignore[index]
