"""Login throttling by email and client address (CONTRACT.md, ASVS 2.2.1).

Two counters of failed logins, both per lower-cased email: one per (email, client address),
5 per 15 minutes; one per email across every address, with a much higher ceiling
(LOGIN_EMAIL_FAILURE_LIMIT). An attacker at one address is slowed down without locking the
owner out from another, and an attacker spread over many addresses still hits the ceiling.
The client address is the peer of the connection; a proxy's X-Forwarded-For counts only when
that peer is one of TRUSTED_PROXIES. ``client_from`` sets the peer address of the requests.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

import pytest

from tests.contract.helpers import DEFAULT_PASSWORD, assert_problem, login

WRONG_PASSWORD = "wrong-password-123"
PAIR_LIMIT = 5
FIFTEEN_MINUTES = 15 * 60
# How long a test may take between its first failed login and the locked answer.
SLACK_SECONDS = 120
ATTACKER = "203.0.113.10"
OWNER = "198.51.100.20"
PROXY = "10.0.0.1"
# A low email ceiling, so that a test reaches it without a hundred requests.
EMAIL_LIMIT = 10
LOW_CEILING = {"LOGIN_EMAIL_FAILURE_LIMIT": f"{EMAIL_LIMIT}/15minutes"}

pytestmark = pytest.mark.asvs("2.2.1")


def fail_logins(client, email, times, **kwargs):
    """Send ``times`` logins with a wrong password; each must be a plain 401.

    Args:
        client: The client to send them with.
        email: The address to fail for.
        times: How many failures to send.
        **kwargs: Passed on to ``login`` (headers, for example).
    """
    for _ in range(times):
        response = login(client, email, WRONG_PASSWORD, **kwargs)
        assert response.status_code == HTTPStatus.UNAUTHORIZED, response.text


def assert_locked(response):
    """Assert a 429 problem with a Retry-After of whole seconds within the window.

    Args:
        response: The answer to a login attempt.
    """
    assert_problem(response, HTTPStatus.TOO_MANY_REQUESTS)
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit(), f"Retry-After must be whole seconds, got {retry_after!r}"
    # The failures were made moments ago, so the lock ends about a window from now: a wait
    # near 0 would mean the window forgot them, one beyond it a wrong window.
    assert FIFTEEN_MINUTES - SLACK_SECONDS <= int(retry_after) <= FIFTEEN_MINUTES


@pytest.fixture
def owner_email(create_user, unique_email):
    """The address of an existing account whose password is DEFAULT_PASSWORD."""
    email = unique_email("owner")
    create_user(email, DEFAULT_PASSWORD)
    return email


def test_five_failures_from_one_address_lock_that_address_out(client_from, owner_email, caplog):
    attacker = client_from(ATTACKER)
    fail_logins(attacker, owner_email, PAIR_LIMIT)
    caplog.set_level(logging.INFO)

    assert_locked(login(attacker, owner_email, DEFAULT_PASSWORD))
    assert "authn_login_lock" in [record.getMessage() for record in caplog.records]


def test_the_owner_at_another_address_still_logs_in(client_from, owner_email):
    attacker, owner = client_from(ATTACKER), client_from(OWNER)
    fail_logins(attacker, owner_email, PAIR_LIMIT)
    assert_locked(login(attacker, owner_email, DEFAULT_PASSWORD))

    assert login(owner, owner_email, DEFAULT_PASSWORD).status_code == HTTPStatus.OK


def test_addresses_below_the_email_ceiling_lock_only_themselves(client_from, owner_email):
    # Four addresses reach their own limit: 20 failures, far below the default ceiling.
    for host in range(1, 5):
        attacker = client_from(f"203.0.113.{host}")
        fail_logins(attacker, owner_email, PAIR_LIMIT)
        assert_locked(login(attacker, owner_email, DEFAULT_PASSWORD))

    assert login(client_from(OWNER), owner_email, DEFAULT_PASSWORD).status_code == HTTPStatus.OK


def test_a_forwarded_for_header_from_an_untrusted_peer_changes_nothing(client_from, owner_email):
    attacker = client_from(ATTACKER)
    # Each failure claims another origin; all of them count for the real peer.
    for host in range(1, PAIR_LIMIT + 1):
        spoofed = {"X-Forwarded-For": f"192.0.2.{host}", "X-Real-IP": f"192.0.2.{host}"}
        fail_logins(attacker, owner_email, 1, headers=spoofed)

    elsewhere = {"X-Forwarded-For": OWNER, "X-Real-IP": OWNER, "Forwarded": f"for={OWNER}"}
    assert_locked(login(attacker, owner_email, DEFAULT_PASSWORD, headers=elsewhere))


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(client_from, owner_email):
    proxy = client_from(PROXY, TRUSTED_PROXIES=PROXY)
    from_attacker = {"X-Forwarded-For": ATTACKER}
    fail_logins(proxy, owner_email, PAIR_LIMIT, headers=from_attacker)

    assert_locked(login(proxy, owner_email, DEFAULT_PASSWORD, headers=from_attacker))
    from_owner = {"X-Forwarded-For": OWNER}
    response = login(proxy, owner_email, DEFAULT_PASSWORD, headers=from_owner)
    assert response.status_code == HTTPStatus.OK, response.text


def test_behind_a_trusted_proxy_a_client_cannot_prepend_another_address(client_from, owner_email):
    proxy = client_from(PROXY, TRUSTED_PROXIES=PROXY)
    fail_logins(proxy, owner_email, PAIR_LIMIT, headers={"X-Forwarded-For": ATTACKER})

    # The proxy appends the address it saw; what the client wrote before it is not trusted.
    spoofed = {"X-Forwarded-For": f"{OWNER}, {ATTACKER}"}
    assert_locked(login(proxy, owner_email, DEFAULT_PASSWORD, headers=spoofed))


def test_trusted_proxies_may_be_networks_and_chains(client_from, owner_email):
    settings = {"TRUSTED_PROXIES": "10.0.0.0/8, 192.168.0.1"}
    proxy = client_from("10.1.2.3", **settings)
    # Client -> 192.168.0.1 -> 10.0.0.5 -> 10.1.2.3: the right-most untrusted entry counts.
    chain = {"X-Forwarded-For": f"{OWNER}, {ATTACKER}, 192.168.0.1, 10.0.0.5"}
    fail_logins(proxy, owner_email, PAIR_LIMIT, headers=chain)

    assert_locked(login(proxy, owner_email, DEFAULT_PASSWORD, headers=chain))
    direct = {"X-Forwarded-For": f"{OWNER}, 10.0.0.5"}
    response = login(proxy, owner_email, DEFAULT_PASSWORD, headers=direct)
    assert response.status_code == HTTPStatus.OK, response.text


def test_the_email_ceiling_locks_the_email_from_every_address(client_from, owner_email):
    # Five addresses, two failures each: no address reaches its own limit.
    for host in range(1, 6):
        fail_logins(client_from(f"203.0.113.{host}", **LOW_CEILING), owner_email, 2)

    owner = client_from(OWNER, **LOW_CEILING)
    assert_locked(login(owner, owner_email, DEFAULT_PASSWORD))


def test_the_email_ceiling_leaves_other_emails_alone(
    client_from, owner_email, create_user, unique_email
):
    other = unique_email("other")
    create_user(other, DEFAULT_PASSWORD)
    for host in range(1, 6):
        fail_logins(client_from(f"203.0.113.{host}", **LOW_CEILING), owner_email, 2)

    owner = client_from(OWNER, **LOW_CEILING)
    assert login(owner, other, DEFAULT_PASSWORD).status_code == HTTPStatus.OK


def test_refused_attempts_do_not_count_towards_the_email_ceiling(client_from, owner_email):
    attacker = client_from(ATTACKER, **LOW_CEILING)
    fail_logins(attacker, owner_email, PAIR_LIMIT)
    # Twice the ceiling in refused attempts: none of them is judged, so none is counted.
    for _ in range(2 * EMAIL_LIMIT):
        assert_locked(login(attacker, owner_email, WRONG_PASSWORD))

    owner = client_from(OWNER, **LOW_CEILING)
    assert login(owner, owner_email, DEFAULT_PASSWORD).status_code == HTTPStatus.OK


def test_unknown_emails_are_counted_the_same(client_from, unique_email):
    ghost = unique_email("ghost")
    attacker = client_from(ATTACKER)
    fail_logins(attacker, ghost, PAIR_LIMIT)

    assert_locked(login(attacker, ghost, DEFAULT_PASSWORD))
    assert login(client_from(OWNER), ghost, DEFAULT_PASSWORD).status_code == (
        HTTPStatus.UNAUTHORIZED
    )


def test_the_pair_counter_is_per_lower_cased_email(client_from, owner_email):
    attacker = client_from(ATTACKER)
    for variant in (owner_email.upper(), owner_email.title(), owner_email.swapcase()):
        fail_logins(attacker, variant, 1)
    fail_logins(attacker, owner_email, PAIR_LIMIT - 3)

    assert_locked(login(attacker, owner_email.upper(), DEFAULT_PASSWORD))
