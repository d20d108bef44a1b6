"""Access to the real PostgreSQL and Redis servers that the slow tier tests against.

On a machine without them, tests that need them skip with a reason; with
``SCAFFOLD_REQUIRE_SERVICES=1`` (set by `.ci/run`) a missing server fails the run instead.
"""

from __future__ import annotations

import os
import socket

import pytest

POSTGRES_HOST = os.environ.get("SCAFFOLD_PG_HOST", "127.0.0.1")
POSTGRES_PORT = int(os.environ.get("SCAFFOLD_PG_PORT", "5432"))
POSTGRES_USER = os.environ.get("SCAFFOLD_PG_USER", "postgres")
REDIS_HOST = os.environ.get("SCAFFOLD_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("SCAFFOLD_REDIS_PORT", "6379"))


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def require(service: str, host: str, port: int) -> None:
    """Skip (or fail, when services are required) unless ``host:port`` accepts connections."""
    if _reachable(host, port):
        return
    message = f"{service} is not reachable at {host}:{port}"
    if os.environ.get("SCAFFOLD_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message}, and SCAFFOLD_REQUIRE_SERVICES=1 requires it")
    pytest.skip(message)


def postgres_server_url(database: str) -> str:
    """URL of ``database`` on the test PostgreSQL server (after :func:`require`)."""
    return f"postgresql://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{database}"


def redis_url(db: int = 0) -> str:
    """URL of the test Redis server, database ``db``."""
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"
