"""Prometheus metrics: what the app counts, and the text `GET /metrics` answers (CONTRACT.md, 15).

The metrics, with the same names and labels in every framework:

- `http_requests_total{method, route, status}` and `http_request_duration_seconds{method,
  route}`: every answer, by the route template that matched (`/api/v1/tasks/{id}`), never
  by the path a client typed, so that the number of series stays bounded;
- `login_failures_total`: logins refused for a wrong email or password;
{%- if with_jobs %}
- `jobs_total{job, outcome}`: background jobs that ended `ok`, failed for good (`error`) or
  failed and will be tried again (`retry`).
{%- endif %}

Under gunicorn or `uvicorn --workers` each worker is a process with counters of its own. The
server's settings then set `PROMETHEUS_MULTIPROC_DIR` to one folder, before anything imports
prometheus_client: every process writes its values there, and `GET /metrics` adds them up
with `MultiProcessCollector`. Without the variable (the development server, the tests) the
counters live in this process's default registry.
https://prometheus.github.io/client_python/multiprocess/

This module knows no framework: each project times its requests and calls `observe_request`
in its own middleware, and serves `exposition` from its own view.
"""

from __future__ import annotations

import hmac
import os
import re
{%- if with_jobs %}
from typing import TYPE_CHECKING
{%- endif %}

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
{%- if with_jobs %}

if TYPE_CHECKING:
    from huey import Huey
    from huey.api import Task
{%- endif %}

#: The `route` label of an answer no route matched (a 404 for an unknown path).
UNMATCHED = "unmatched"
#: The shortest `METRICS_TOKEN` production accepts: a bearer secret, like an API key.
MIN_TOKEN_LENGTH = 32
#: The media type of the exposition format, as prometheus_client writes it.
CONTENT_TYPE = CONTENT_TYPE_LATEST
# Methods a client may invent are counted together, so they cannot add series without end.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
# An API answers in milliseconds; the last buckets catch what nears the server's 30 s timeout.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# A path parameter as each framework spells it: Flask `<int(min=1):task_id>`, Django
# `<str:pk>` and `(?P<pk>...)`, FastAPI `{id}` and `{id:int}`.
_PARAMETER = re.compile(r"<(?:[^<>:]*:)?(\w+)>|\(\?P<(\w+)>[^)]*\)|\{(\w+)(?::\w+)?\}")
# The frameworks' own names for the parameters that CONTRACT.md calls otherwise.
_CONTRACT_NAMES = {"pk": "id", "task_id": "id"}

REQUESTS = Counter(
    "http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
DURATION = Histogram(
    "http_request_duration_seconds",
    "Time from a request's arrival to its answer, by method and route template.",
    ["method", "route"],
    buckets=DURATION_BUCKETS,
)
LOGIN_FAILURES = Counter(
    "login_failures",
    "Logins refused for an unknown email, a wrong password or an inactive account.",
)
{%- if with_jobs %}
JOBS = Counter(
    "jobs",
    "Background jobs run, by job and outcome (ok, error, retry).",
    ["job", "outcome"],
)
{%- endif %}


def route_label(template: str | None) -> str:
    """The `route` label of a route template, in CONTRACT.md's spelling.

    Args:
        template: the framework's template of the matched route (`/api/v1/tasks/<int:task_id>`,
            `api/v1/tasks/<str:pk>`, `/api/v1/tasks/{id}`), or None when no route matched.

    Returns:
        The template with a leading `/` and each parameter as `{name}` (`/api/v1/tasks/{id}`),
        or `UNMATCHED`.
    """
    if template is None:
        return UNMATCHED

    def contract_name(match: re.Match[str]) -> str:
        name = next(group for group in match.groups() if group)
        return "{" + _CONTRACT_NAMES.get(name, name) + "}"

    path = _PARAMETER.sub(contract_name, template.replace("^", "").replace("$", ""))
    return path if path.startswith("/") else f"/{path}"


def method_label(method: str) -> str:
    """The `method` label: the method itself if HTTP defines it, else `other`."""
    return method if method in METHODS else OTHER_METHOD


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request and its duration.

    Args:
        method: the request's method, as sent.
        route: the `route_label` of the matched route.
        status: the answer's status code.
        seconds: the time from the request's arrival to its answer.
    """
    method = method_label(method)
    REQUESTS.labels(method=method, route=route, status=str(status)).inc()
    DURATION.labels(method=method, route=route).observe(seconds)


def count_login_failure() -> None:
    """Count one refused login (the login view calls it where it records the failure)."""
    LOGIN_FAILURES.inc()
{%- if with_jobs %}


def count_jobs(huey: Huey) -> None:
    """Count every job `huey` runs in `jobs_total`, through Huey's signals.

    Huey sends `error` for every failed run, then `retrying` when the job has tries left; the
    count is made on `error`, as `retry` while tries remain and `error` once none do.
    https://huey.readthedocs.io/en/latest/signals.html

    Args:
        huey: the queue whose jobs are counted (in the process that runs them).
    """
    # Imported here: the projects import Huey only when a queue is opened.
    from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR  # noqa: PLC0415

    def count(signal: str, task: Task, *_args: object) -> None:
        failed = "retry" if task.retries else "error"
        JOBS.labels(job=task.name, outcome="ok" if signal == SIGNAL_COMPLETE else failed).inc()

    huey.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)(count)
{%- endif %}


def check_token(token: str, *, production: bool) -> None:
    """Refuse a `METRICS_TOKEN` that production should not run with.

    Args:
        token: the setting; empty turns `GET /metrics` off.
        production: whether the app runs with ENVIRONMENT=production.

    Raises:
        ValueError: in production, a token shorter than `MIN_TOKEN_LENGTH`; the message
            names the setting and the rule, never the value.
    """
    if production and token and len(token) < MIN_TOKEN_LENGTH:
        msg = (
            f"METRICS_TOKEN must be at least {MIN_TOKEN_LENGTH} characters in production "
            "(or empty, which turns /metrics off)"
        )
        raise ValueError(msg)


def authorized(authorization: str | None, token: str) -> bool:
    """Whether a request's `Authorization` header carries the metrics token.

    Args:
        authorization: the header's value, or None without one.
        token: `METRICS_TOKEN`; empty means metrics are off and nobody is authorized.

    Returns:
        True for `Bearer <token>` exactly, compared in constant time.
    """
    if not token or not authorization:
        return False
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(credentials.strip().encode(), token.encode())


def exposition() -> bytes:
    """The metrics in Prometheus' text format: every worker's, added up, under several processes.

    A fresh registry per call, as prometheus_client's documentation asks: the collector reads
    the files of `PROMETHEUS_MULTIPROC_DIR` each time it is collected.
    """
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    registry = REGISTRY
    if directory:
        registry = CollectorRegistry()
        # prometheus_client leaves this constructor without annotations.
        multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return generate_latest(registry)
