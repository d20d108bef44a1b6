"""Login throttling with Redis as the shared store (SECURITY.md 4).

The in-memory case is covered by the shared suite. This one needs a real Redis: set
TEST_REDIS_URL (or REDIS_URL), e.g. redis://127.0.0.1:6379/15; otherwise it is skipped.
"""

import os
import uuid
from http import HTTPStatus

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from tests.conftest import CreateUser, build_test_app

LOGIN = "/api/v1/auth/login"
PASSWORD = "throttle-test-passphrase"


@pytest.fixture
def redis_url() -> str:
    """A reachable Redis, or a skip that says how to provide one."""
    url = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("set TEST_REDIS_URL=redis://host:6379/N to test Redis-backed throttling")
    # Imported here: most runs have no Redis, and the import cost each test process 80 ms.
    import redis  # noqa: PLC0415

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at TEST_REDIS_URL is not reachable: {error}")
    finally:
        client.close()
    return url


@pytest.mark.asvs("2.2.1")
def test_two_instances_share_the_failure_count_through_redis(
    redis_url: str, test_settings: Settings, create_user: CreateUser
) -> None:
    create_user("shared@example.com", PASSWORD)
    shared = test_settings.model_copy(
        update={"redis_url": redis_url, "rate_limit_key_prefix": f"test-{uuid.uuid4().hex}"}
    )
    with (
        TestClient(build_test_app(shared)) as first,
        TestClient(build_test_app(shared)) as second,
    ):
        failures = [
            first.post(LOGIN, json={"email": "shared@example.com", "password": "wrong-guess-1"})
            for _ in range(5)
        ]
        refused = second.post(LOGIN, json={"email": "SHARED@example.com", "password": PASSWORD})

    assert {response.status_code for response in failures} == {HTTPStatus.UNAUTHORIZED}
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(refused.headers["retry-after"]) > 0
