{%- from '_shared/core_module.jinja' import core with context -%}
"""`jobs_total` counts each run of a job by its outcome, through Huey's signals (CONTRACT.md)."""

from __future__ import annotations

from typing import Any

from huey import MemoryHuey
from prometheus_client import REGISTRY

from {{ core('metrics') }} import count_jobs

OUTCOMES = ("ok", "retry", "error")


def counts(job: str) -> dict[str, float]:
    """The `jobs_total` of `job`, by outcome."""
    return {
        outcome: REGISTRY.get_sample_value("jobs_total", {"job": job, "outcome": outcome}) or 0.0
        for outcome in OUTCOMES
    }


def test_a_run_is_ok_a_failure_with_tries_left_a_retry_and_the_last_one_an_error() -> None:
    # Immediate mode runs a job, and its retry, inside the call that queues it.
    huey = MemoryHuey(immediate=True, results=False)
    count_jobs(huey)

    def flaky_metrics_job(*, fail: bool) -> None:
        if fail:
            message = "the job fails"
            raise RuntimeError(message)

    # Huey's decorator, called by hand: Huey ships no types, and a decorator without them
    # would leave the job untyped.
    queue_job: Any = huey.task(retries=1)(flaky_metrics_job)
    before = counts("flaky_metrics_job")
    queue_job(fail=False)
    queue_job(fail=True)
    after = counts("flaky_metrics_job")

    assert {outcome: after[outcome] - before[outcome] for outcome in OUTCOMES} == {
        "ok": 1,
        "retry": 1,
        "error": 1,
    }
