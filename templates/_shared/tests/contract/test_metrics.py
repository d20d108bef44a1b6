"""GET /metrics: Prometheus metrics behind a bearer token (CONTRACT.md, section 15).

Counts are compared before and after a request, never with a fixed number: the counters
belong to the process (under a live server, to all its workers) and other tests move them. A
request is counted once its answer has gone out; under a live server the scrape that follows
may reach another worker first, so the request tests read the metrics again until the count
moves (`scrape_until`), for a few seconds at most.
"""

from __future__ import annotations

import time
import uuid
from http import HTTPStatus
from typing import TYPE_CHECKING

import pytest
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from .helpers import API, DEFAULT_PASSWORD, assert_problem, bearer, login, post_task

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from .helpers import Account
{%- if with_jobs %}
    from .mail import MailSink
{%- endif %}

METRICS = "/metrics"
TASKS = f"{API}/tasks"
# One task's route, spelled as CONTRACT.md spells it in every framework.
TASK_ROUTE = TASKS + "/{id}"
REQUESTS = "http_requests_total"
# How long a worker may take to count a request it has answered.
SETTLE_SECONDS = 5.0


def scrape(client: httpx.Client, token: str) -> str:
    """The exposition text, read with the token."""
    response = client.get(METRICS, headers=bearer(token))
    assert response.status_code == HTTPStatus.OK, response.text
    return response.text


def scrape_until(client: httpx.Client, token: str, moved: Callable[[str], bool]) -> str:
    """Scrape until `moved` holds for the exposition text (5 seconds at most); the last text."""
    deadline = time.monotonic() + SETTLE_SECONDS
    text = scrape(client, token)
    while not moved(text) and time.monotonic() < deadline:
        time.sleep(0.05)
        text = scrape(client, token)
    return text


def value(text: str, name: str, **labels: str) -> float:
    """The sum of the samples called `name` whose labels include `labels`."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def test_metrics_are_404_without_a_token(client: httpx.Client) -> None:
    assert_problem(client.get(METRICS), HTTPStatus.NOT_FOUND)


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(lambda _token: "Bearer not-the-metrics-token", id="another-token"),
        pytest.param(lambda token: f"Bearer {token}x", id="token-and-more"),
        pytest.param(lambda token: token, id="no-scheme"),
        pytest.param(lambda token: f"Basic {token}", id="basic"),
        pytest.param(lambda _token: "Bearer", id="empty"),
    ],
)
def test_metrics_are_404_with_a_wrong_token(
    client: httpx.Client, metrics_token: str, authorization: Callable[[str], str]
) -> None:
    response = client.get(METRICS, headers={"Authorization": authorization(metrics_token)})
    assert_problem(response, HTTPStatus.NOT_FOUND)


def test_metrics_are_off_without_a_configured_token(
    configured_app_client: Callable[..., httpx.Client],
) -> None:
    client = configured_app_client(METRICS_TOKEN="")
    for headers in ({}, bearer(""), bearer("anything")):
        assert_problem(client.get(METRICS, headers=headers), HTTPStatus.NOT_FOUND)


def test_metrics_answer_prometheus_text_that_no_cache_keeps(
    client: httpx.Client, metrics_token: str
) -> None:
    response = client.get(METRICS, headers=bearer(metrics_token))
    assert response.status_code == HTTPStatus.OK
    assert response.headers["content-type"] == CONTENT_TYPE_LATEST
    assert response.headers["cache-control"] == "no-store"
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert {"http_requests", "http_request_duration_seconds", "login_failures"} <= names


def test_metrics_are_not_in_the_openapi_document(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert METRICS not in paths


def test_a_request_is_counted_and_timed_by_its_route(
    client: httpx.Client, metrics_token: str, signed_in: Callable[..., Account]
) -> None:
    account = signed_in()
    route = {"method": "GET", "route": TASKS}
    timed = "http_request_duration_seconds_count"
    before = scrape(client, metrics_token)
    assert client.get(TASKS, headers=account.headers).status_code == HTTPStatus.OK

    def moved(text: str) -> bool:
        return value(text, REQUESTS, **route, status="200") > value(
            before, REQUESTS, **route, status="200"
        ) and value(text, timed, **route) > value(before, timed, **route)

    after = scrape_until(client, metrics_token, moved)
    assert value(after, REQUESTS, **route, status="200") > value(
        before, REQUESTS, **route, status="200"
    )
    assert value(after, timed, **route) > value(before, timed, **route)
    # Every observation falls in the last bucket, whose label is "+Inf".
    last_bucket = value(after, "http_request_duration_seconds_bucket", **route, le="+Inf")
    assert last_bucket == value(after, timed, **route)


def test_a_request_is_labelled_by_its_route_template_not_its_path(
    client: httpx.Client, metrics_token: str, signed_in: Callable[..., Account]
) -> None:
    account = signed_in()
    task_path = f"{TASKS}/{post_task(client, account)['id']}"
    stranger = f"/no-such-path-{uuid.uuid4().hex}"
    before = scrape(client, metrics_token)
    assert client.get(task_path, headers=account.headers).status_code == HTTPStatus.OK
    assert client.get(stranger).status_code == HTTPStatus.NOT_FOUND
    # A method the route lacks is counted under the route; one outside HTTP's list as "other".
    put = client.put(TASKS, headers=account.headers)
    assert put.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert client.request("TRACE", TASKS).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    expected = [
        {"method": "GET", "route": TASK_ROUTE, "status": "200"},
        {"method": "GET", "route": "unmatched", "status": "404"},
        {"method": "PUT", "route": TASKS, "status": "405"},
        {"method": "other", "route": TASKS, "status": "405"},
    ]

    def moved(text: str, labels: dict[str, str]) -> bool:
        return value(text, REQUESTS, **labels) > value(before, REQUESTS, **labels)

    after = scrape_until(
        client, metrics_token, lambda text: all(moved(text, labels) for labels in expected)
    )
    for labels in expected:
        assert moved(after, labels), labels
    assert task_path not in after
    assert stranger not in after
    assert "TRACE" not in after


def test_a_failed_login_is_counted(
    client: httpx.Client, metrics_token: str, signed_in: Callable[..., Account]
) -> None:
    account = signed_in()
    before = value(scrape(client, metrics_token), "login_failures_total")
    refused = login(client, account.email, "not-the-password-at-all")
    assert refused.status_code == HTTPStatus.UNAUTHORIZED
    after = value(scrape(client, metrics_token), "login_failures_total")
    assert after == before + 1
    assert login(client, account.email, account.password).status_code == HTTPStatus.OK
    assert value(scrape(client, metrics_token), "login_failures_total") == after
{%- if with_jobs %}


def test_a_job_is_counted_by_its_outcome(
    client: httpx.Client,
    metrics_token: str,
    unique_email: Callable[[str], str],
    mail_sink: MailSink,
    in_process: None,
) -> None:
    # In-process, registering runs the verification mail's job inside the request; a live
    # server's worker counts its jobs in a process of its own.
    email = unique_email("jobs")
    before = value(scrape(client, metrics_token), "jobs_total", outcome="ok")
    body = {"email": email, "password": DEFAULT_PASSWORD, "full_name": "Job Counter"}
    assert client.post(f"{API}/auth/register", json=body).status_code == HTTPStatus.CREATED
    mail_sink.wait_for(email, "verify-email")
    assert value(scrape(client, metrics_token), "jobs_total", outcome="ok") == before + 1
{%- endif %}
