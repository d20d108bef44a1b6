"""The login throttle, on its own (memory storage), and the client address it counts."""

from __future__ import annotations

import ipaddress

import pytest
from config.settings.base import ip_networks
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from limits import parse
from limits.storage import MemoryStorage

from ...core.login_throttle import LoginThrottle
from ..throttling import client_address

OWNER = "198.51.100.20"
ATTACKER = "203.0.113.10"


def make_throttle() -> LoginThrottle:
    """5 failures per (email, address) and 10 per email, per 15 minutes, in private memory."""
    return LoginThrottle(MemoryStorage(), parse("5/15minutes"), parse("10/15minutes"))


def test_five_failures_lock_the_pair_for_about_fifteen_minutes() -> None:
    throttle = make_throttle()
    for _ in range(5):
        assert throttle.retry_after("a@example.com", ATTACKER) is None
        throttle.record_failure("a@example.com", ATTACKER)

    wait = throttle.retry_after("a@example.com", ATTACKER)

    assert wait is not None
    assert 14 * 60 < wait <= 15 * 60


def test_the_pair_count_is_per_email_and_per_address() -> None:
    throttle = make_throttle()
    for _ in range(5):
        throttle.record_failure("a@example.com", ATTACKER)

    assert throttle.retry_after("b@example.com", ATTACKER) is None
    assert throttle.retry_after("a@example.com", OWNER) is None


def test_the_email_ceiling_locks_every_address() -> None:
    throttle = make_throttle()
    for host in range(5):
        for _ in range(2):
            throttle.record_failure("a@example.com", f"203.0.113.{host}")

    assert throttle.retry_after("a@example.com", OWNER) is not None
    assert throttle.retry_after("b@example.com", OWNER) is None


def request_from(peer: str, forwarded: str | None = None) -> str:
    """The client address of a request from `peer` carrying `forwarded` as X-Forwarded-For."""
    headers = {} if forwarded is None else {"X-Forwarded-For": forwarded}
    return client_address(RequestFactory(REMOTE_ADDR=peer).get("/", headers=headers))


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert request_from(ATTACKER, forwarded=OWNER) == ATTACKER


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        (ATTACKER, ATTACKER),
        (f"{OWNER}, {ATTACKER}", ATTACKER),
        (f"{OWNER}, {ATTACKER}, 10.0.0.7", ATTACKER),
        ("10.0.0.8, 10.0.0.7", "10.0.0.8"),
        ("", "10.0.0.1"),
    ],
)
def test_behind_a_trusted_proxy_the_right_most_untrusted_entry_is_the_client(
    forwarded: str, client: str
) -> None:
    with override_settings(TRUSTED_PROXIES=[ipaddress.ip_network("10.0.0.0/8")]):
        assert request_from("10.0.0.1", forwarded=forwarded) == client


def test_trusted_proxies_are_addresses_or_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", " 10.0.0.1, 192.168.0.0/16,::1 ")

    assert ip_networks("TRUSTED_PROXIES") == [
        ipaddress.ip_network("10.0.0.1/32"),
        ipaddress.ip_network("192.168.0.0/16"),
        ipaddress.ip_network("::1/128"),
    ]


def test_a_malformed_trusted_proxy_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1,proxy.example")

    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        ip_networks("TRUSTED_PROXIES")
