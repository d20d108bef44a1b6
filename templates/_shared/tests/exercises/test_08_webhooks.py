"""Exercise 8: API integration: a signed webhook when a task is completed.

Each test starts its own receiver, a plain `http.server` on 127.0.0.1 in a thread, that
records what arrives and answers as the test tells it to. Every wait is bounded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest

from .support import API, expect, expect_field_error, serving

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import httpx

    from tests.contract.helpers import Account

pytestmark = pytest.mark.exercise

WEBHOOK = f"{API}/users/me/webhook"
SECRET = "a-webhook-secret-of-some-length"
# Three attempts, 3 s timeout each, 1 s and 2 s apart: a delivery ends within about 12 s.
DELIVERY_WAIT = 20.0


class Receiver:
    """A fake webhook endpoint: records deliveries; `plan` says how to answer each one."""

    def __init__(self) -> None:
        self.deliveries: queue.Queue[dict[str, Any]] = queue.Queue()
        self.plan: list[int | float] = []  # a status to answer, or seconds to stall first
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    step = receiver.plan.pop(0) if receiver.plan else HTTPStatus.NO_CONTENT
                receiver.deliveries.put({"headers": dict(self.headers), "body": body})
                if isinstance(step, float):
                    time.sleep(step)
                    step = HTTPStatus.NO_CONTENT
                self.send_response(int(step))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                """Keep the test output clean."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def next_delivery(self, what: str) -> dict[str, Any]:
        """Wait (bounded) for the next delivery."""
        try:
            return self.deliveries.get(timeout=DELIVERY_WAIT)
        except queue.Empty:
            msg = f"no webhook delivery arrived within {DELIVERY_WAIT:.0f} s after {what}"
            raise AssertionError(msg) from None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A running fake receiver, shut down after the test."""
    fake = Receiver()
    with serving(fake.server):
        yield fake


def _subscribe(client: httpx.Client, account: Account, url: str) -> None:
    response = client.put(WEBHOOK, json={"url": url, "secret": SECRET}, headers=account.headers)
    body = expect(response, HTTPStatus.OK, f"PUT {WEBHOOK}")
    assert body == {"url": url}, (
        f"the webhook is answered as its url only (never the secret): {body}"
    )


def _task(client: httpx.Client, account: Account, **fields: object) -> dict[str, Any]:
    response = client.post(
        f"{API}/tasks", json={"title": "ship it", **fields}, headers=account.headers
    )
    task: dict[str, Any] = expect(response, HTTPStatus.CREATED, f"POST {API}/tasks")
    return task


def _complete(client: httpx.Client, account: Account, task_id: int, **fields: object) -> None:
    expect(
        client.patch(
            f"{API}/tasks/{task_id}", json={"status": "done", **fields}, headers=account.headers
        ),
        HTTPStatus.OK,
        "PATCH status=done",
    )


def _check_signature(delivery: dict[str, Any]) -> dict[str, Any]:
    headers = {name.lower(): value for name, value in delivery["headers"].items()}
    expected = "sha256=" + hmac.new(SECRET.encode(), delivery["body"], hashlib.sha256).hexdigest()
    assert headers.get("x-webhook-signature") == expected, (
        "X-Webhook-Signature is sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret>"
    )
    assert headers.get("content-type", "").startswith("application/json")
    assert headers.get("x-webhook-event") == "task.completed"
    assert headers.get("x-webhook-delivery"), "X-Webhook-Delivery carries an id per event"
    payload: dict[str, Any] = json.loads(delivery["body"])
    return payload


def test_completing_a_task_sends_a_signed_event(
    client: httpx.Client, signed_in: Callable[..., Account], receiver: Receiver
) -> None:
    alice = signed_in()
    _subscribe(client, alice, receiver.url)
    task = _task(client, alice)
    _complete(client, alice, task["id"])

    payload = _check_signature(receiver.next_delivery("a task became done"))
    assert payload.get("event") == "task.completed", f"the body names the event: {payload}"
    assert payload["task"]["id"] == task["id"]
    assert payload["task"]["status"] == "done", "the body carries the task as GET shows it"


def test_only_the_change_to_done_sends_an_event(
    client: httpx.Client, signed_in: Callable[..., Account], receiver: Receiver
) -> None:
    alice = signed_in()
    _subscribe(client, alice, receiver.url)
    first, second = _task(client, alice), _task(client, alice)
    url = f"{API}/tasks/{first['id']}"
    expect(client.patch(url, json={"title": "x"}, headers=alice.headers), HTTPStatus.OK, "edit")
    _complete(client, alice, first["id"])
    assert json.loads(receiver.next_delivery("completing")["body"])["task"]["id"] == first["id"]
    _complete(client, alice, first["id"], title="still done")  # done -> done: no new event
    _complete(client, alice, second["id"])
    following = json.loads(receiver.next_delivery("completing another task")["body"])
    assert following["task"]["id"] == second["id"], "a task that stays done sends nothing"
    created_done = _task(client, alice, status="done")
    last = json.loads(receiver.next_delivery("creating a task as done")["body"])
    assert last["task"]["id"] == created_done["id"], "creating a task as done also completes it"


def test_failed_delivery_is_retried_with_the_same_id(
    client: httpx.Client, signed_in: Callable[..., Account], receiver: Receiver
) -> None:
    alice = signed_in()
    _subscribe(client, alice, receiver.url)
    receiver.plan = [HTTPStatus.INTERNAL_SERVER_ERROR, HTTPStatus.SERVICE_UNAVAILABLE]
    _complete(client, alice, _task(client, alice)["id"])
    attempts = [receiver.next_delivery(f"attempt {n}") for n in (1, 2, 3)]
    ids = {attempt["headers"].get("X-Webhook-Delivery") for attempt in attempts}
    assert len(ids) == 1, f"retries repeat the delivery id so receivers can de-duplicate: {ids}"
    assert len({attempt["body"] for attempt in attempts}) == 1, "retries send the same body"
    for attempt in attempts:
        _check_signature(attempt)


def test_slow_receiver_times_out_and_is_retried(
    client: httpx.Client, signed_in: Callable[..., Account], receiver: Receiver
) -> None:
    alice = signed_in()
    _subscribe(client, alice, receiver.url)
    receiver.plan = [5.0]  # stall longer than the 3-second timeout, then answer too late
    started = time.monotonic()
    _complete(client, alice, _task(client, alice)["id"])
    receiver.next_delivery("completing")
    receiver.next_delivery("the first attempt timed out")
    assert time.monotonic() - started < 12, "an attempt gives up after 3 seconds"


def test_webhook_can_be_read_and_removed(
    client: httpx.Client, signed_in: Callable[..., Account], receiver: Receiver
) -> None:
    alice = signed_in()
    expect(client.get(WEBHOOK, headers=alice.headers), HTTPStatus.NOT_FOUND, "GET before PUT")
    _subscribe(client, alice, receiver.url)
    shown = expect(client.get(WEBHOOK, headers=alice.headers), HTTPStatus.OK, f"GET {WEBHOOK}")
    assert shown == {"url": receiver.url}, f"GET shows the url and never the secret: {shown}"
    expect(client.delete(WEBHOOK, headers=alice.headers), HTTPStatus.NO_CONTENT, "DELETE")
    expect(client.get(WEBHOOK, headers=alice.headers), HTTPStatus.NOT_FOUND, "GET after DELETE")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"url": "ftp://example.com/x", "secret": SECRET}, "url", id="not-http"),
        pytest.param({"url": "not a url", "secret": SECRET}, "url", id="not-a-url"),
        pytest.param({"url": "https://example.com/x", "secret": "short"}, "secret", id="short"),
    ],
)
def test_invalid_webhooks_are_a_422(
    client: httpx.Client, signed_in: Callable[..., Account], body: dict[str, str], field: str
) -> None:
    alice = signed_in()
    expect_field_error(client.put(WEBHOOK, json=body, headers=alice.headers), field, f"{body}")
