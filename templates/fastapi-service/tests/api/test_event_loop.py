"""No database call runs on the event loop: a slow query must not stall other requests.

The app is served for real (uvicorn, in a thread, on a free loopback port), because only a
real server shows what the event loop is doing. A listener on this test's engine holds every
query of the task list until the test lets it go; meanwhile `/health/live`, which needs no
database, must answer. Were the list's queries run on the event loop (an `async def` route
with a blocking session), the loop would sit in the held query and `/health/live` would only
answer after the list requests had finished.
"""

import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import event

from app.core.config import Settings
from app.main import create_app
from tests.conftest import CreateUser

SLOW_REQUESTS = 4
# Only a guard so a broken app fails the test instead of hanging it; no assertion is timed.
HOLD_AT_MOST = 10.0


class HeldQueries:
    """Holds every query on the `tasks` table until released, and says when one is held."""

    def __init__(self) -> None:
        """Nothing held yet; nothing released."""
        self.first_held = threading.Event()
        self.released = threading.Event()

    def __call__(self, *_args: Any, **kwargs: Any) -> None:
        """A `before_cursor_execute` listener (named arguments: `statement`, ...)."""
        if " tasks" in kwargs["statement"]:
            self.first_held.set()
            if not self.released.wait(HOLD_AT_MOST):
                self.released.set()  # Let the others through: one wait is enough to fail.


@pytest.fixture
def held_queries(test_settings: Settings) -> tuple[FastAPI, HeldQueries]:
    """This test's app, whose task queries wait for `HeldQueries.released`."""
    app = create_app(test_settings)
    held = HeldQueries()
    event.listen(app.state.engine, "before_cursor_execute", held, named=True)
    return app, held


@pytest.fixture
def served(held_queries: tuple[FastAPI, HeldQueries]) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port; yields its base URL."""
    app, held = held_queries
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    host, port = listener.getsockname()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        with httpx.Client() as client:
            # Wait until the server answers (its own readiness, not a fixed delay).
            while True:
                try:
                    client.get(f"http://{host}:{port}/health/live")
                    break
                except httpx.TransportError:
                    if not thread.is_alive():
                        pytest.fail("uvicorn did not start")
        yield f"http://{host}:{port}"
    finally:
        held.released.set()
        server.should_exit = True
        thread.join()
        listener.close()


def test_a_slow_list_query_does_not_stall_other_requests(
    served: str, held_queries: tuple[FastAPI, HeldQueries], create_user: CreateUser
) -> None:
    app, held = held_queries
    user = create_user("slow@example.com", "event-loop-passphrase-42")
    token = app.state.tokens.create_access_token(user["id"])
    finished: list[str] = []
    lock = threading.Lock()

    def get(path: str, name: str) -> int:
        with httpx.Client(base_url=served, timeout=HOLD_AT_MOST * SLOW_REQUESTS * 2) as client:
            response = client.get(path, headers={"Authorization": f"Bearer {token}"})
        with lock:
            finished.append(name)
        return response.status_code

    with ThreadPoolExecutor(SLOW_REQUESTS) as pool:
        lists = [pool.submit(get, "/api/v1/tasks", "list") for _ in range(SLOW_REQUESTS)]
        assert held.first_held.wait(HOLD_AT_MOST), "no list request reached the database"
        live = get("/health/live", "live")
        held.released.set()
        statuses = [future.result() for future in lists]

    assert live == HTTPStatus.OK
    assert statuses == [HTTPStatus.OK] * SLOW_REQUESTS
    assert finished[0] == "live", f"/health/live waited for the slow queries: {finished}"
