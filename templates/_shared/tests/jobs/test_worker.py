"""The real consumer (`make worker`) sends what the app queued (CONTRACT.md, section 12).

The app under test queues its jobs instead of running them at once, a consumer process is
started as `make worker` starts it, and the message must arrive at the SMTP server of the tests.
Once on the default storage (a SQLite file, no server) and once on Redis, as several machines
would share it.
"""

from __future__ import annotations

import os
from http import HTTPStatus

import pytest

from tests.contract.helpers import API, DEFAULT_PASSWORD, login

RESET = f"{API}/auth/password-reset"
NEW_PASSWORD = "a-fresh-Passphrase-9"


def redis_url() -> str:
    """The Redis server for the shared-queue case, from TEST_REDIS_URL."""
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        pytest.skip("set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/1) to test the Redis queue")
    return url


@pytest.fixture(params=["sqlite", "redis"])
def storage(request: pytest.FixtureRequest, tmp_path) -> dict[str, str]:
    """The settings that name the queue's storage."""
    if request.param == "sqlite":
        return {"JOBS_PATH": str(tmp_path / "jobs.db")}
    return {"REDIS_URL": redis_url()}


@pytest.mark.long
def test_the_worker_sends_a_queued_reset_and_the_link_works(
    storage, mail_sink, create_user, unique_email, queued_app_client, start_worker
):
    settings = {**storage, "EMAIL_URL": mail_sink.url}
    client = queued_app_client(**settings)
    email = unique_email("queued")
    create_user(email, DEFAULT_PASSWORD)

    response = client.post(RESET, json={"email": email})

    assert response.status_code == HTTPStatus.ACCEPTED
    # The request only queued the job: nothing is sent until a worker runs it.
    assert mail_sink.messages_to(email) == []
    start_worker(**settings)
    token = mail_sink.token(email, "reset-password")
    confirmed = client.post(
        f"{RESET}/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert confirmed.status_code == HTTPStatus.NO_CONTENT
    assert login(client, email, NEW_PASSWORD).status_code == HTTPStatus.OK


@pytest.mark.long
def test_registration_queues_the_verification_message_for_the_worker(
    storage, mail_sink, unique_email, queued_app_client, start_worker
):
    settings = {**storage, "EMAIL_URL": mail_sink.url}
    client = queued_app_client(**settings)
    email = unique_email("queued")

    registered = client.post(
        f"{API}/auth/register", json={"email": email, "password": DEFAULT_PASSWORD}
    )

    assert registered.status_code == HTTPStatus.CREATED
    assert mail_sink.messages_to(email) == []
    start_worker(**settings)
    token = mail_sink.token(email, "verify-email")
    verified = client.post(f"{API}/auth/verify-email", json={"token": token})
    assert verified.status_code == HTTPStatus.NO_CONTENT
