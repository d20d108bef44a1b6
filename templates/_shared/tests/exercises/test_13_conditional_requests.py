"""Exercise 13: conditional requests: ETags and If-Match against lost updates (RFC 9110, 13)."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import pytest

from .support import API, expect

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from tests.contract.helpers import Account

pytestmark = pytest.mark.exercise

TASKS = f"{API}/tasks"
MISSING_ID = 987_654_321
# A strong entity tag (RFC 9110, section 8.8.3): quoted, no W/ prefix.
STRONG_TAG = re.compile(r'^"[\x21\x23-\x7e]+"$')
ORIGIN = "https://app.example"
# What a script's fetch() sends that CORS does not allow without a preflight.
BROWSER_HEADERS = "authorization, content-type, if-match, if-none-match"


def _tokens(response: httpx.Response, name: str) -> set[str]:
    """The comma-separated tokens of a header, lower-cased."""
    return {part.strip().lower() for part in response.headers.get(name, "").split(",")} - {""}


def _new_task(client: httpx.Client, account: Account, title: str = "Paint the fence") -> str:
    """Create a task of ``account``'s and return its address."""
    created = expect(
        client.post(TASKS, json={"title": title}, headers=account.headers),
        HTTPStatus.CREATED,
        f"POST {TASKS}",
    )
    return f"{TASKS}/{created['id']}"


def _etag(client: httpx.Client, account: Account, url: str) -> str:
    """The ETag a GET of ``url`` answers with (CONTRACT.md, section 14: a fresh project has it)."""
    response = client.get(url, headers=account.headers)
    expect(response, HTTPStatus.OK, f"GET {url}")
    return response.headers["etag"]


def _patch(
    client: httpx.Client, account: Account, url: str, if_match: str | None, **fields: Any
) -> httpx.Response:
    headers = dict(account.headers)
    if if_match is not None:
        headers["If-Match"] = if_match
    return client.patch(url, json=fields or {"title": "Changed"}, headers=headers)


def _delete(
    client: httpx.Client, account: Account, url: str, if_match: str | None
) -> httpx.Response:
    headers = dict(account.headers)
    if if_match is not None:
        headers["If-Match"] = if_match
    return client.delete(url, headers=headers)


def _expect_new_tag(response: httpx.Response, action: str) -> str:
    """Assert a 200 of a PATCH that carries a strong ETag and stays no-store; return the tag."""
    expect(response, HTTPStatus.OK, action)
    etag = response.headers.get("etag")
    assert etag is not None, (
        f"{action} answered 200 without an ETag header; every 200 of a PATCH carries the "
        "task's new ETag, so that the client can send its next change without reading again"
    )
    assert STRONG_TAG.fullmatch(etag), (
        f'{action}: the ETag must be a strong tag, a quoted string without W/ ("..."); got {etag}'
    )
    assert "no-store" in _tokens(response, "cache-control"), (
        f"{action}: the answer of a write keeps Cache-Control: no-store; got "
        f"{response.headers.get('cache-control')!r}"
    )
    return etag


def _expect_412(response: httpx.Response, action: str) -> None:
    """Assert the contract's 412 problem, with the headers of every error."""
    body = expect(response, HTTPStatus.PRECONDITION_FAILED, action)
    media_type = response.headers.get("content-type", "")
    assert media_type.startswith("application/problem+json"), (
        f"{action}: a 412 is a problem (application/problem+json), not {media_type!r}"
    )
    shape = {key: body.get(key) for key in ("type", "title", "status")}
    assert shape == {"type": "about:blank", "title": "Precondition Failed", "status": 412}, (
        f"{action}: the problem is type about:blank, title 'Precondition Failed', status 412; "
        f"got {shape}"
    )
    assert isinstance(body.get("detail"), str), f"{action}: the problem has a `detail` text"
    assert "no-store" in _tokens(response, "cache-control"), (
        f"{action}: an error is Cache-Control: no-store like every other"
    )
    assert "etag" not in response.headers, f"{action}: an error carries no ETag"
    assert response.headers.get("x-content-type-options") == "nosniff", (
        f"{action}: the security headers of CONTRACT.md section 7 stay on a 412"
    )


def _expect_unchanged(
    client: httpx.Client, account: Account, url: str, before: httpx.Response, action: str
) -> None:
    after = client.get(url, headers=account.headers)
    expect(after, HTTPStatus.OK, f"GET {url} after {action}")
    assert after.json() == before.json(), f"after {action} the task must be left as it was"
    assert after.headers["etag"] == before.headers["etag"]


# The tag of a PATCH ------------------------------------------------------------------------


def test_a_patch_answers_with_the_new_tag_of_the_task(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    url = _new_task(client, alice)
    old = _etag(client, alice, url)

    new = _expect_new_tag(_patch(client, alice, url, None, title="Sand first"), f"PATCH {url}")

    assert new != old, "the change gave the task a new representation, so a new tag"
    assert new == _etag(client, alice, url), (
        "the ETag of the PATCH is the one a GET of the task now answers with"
    )


def test_every_change_gets_a_new_tag_even_within_one_clock_tick(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    url = _new_task(client, alice)
    first = _etag(client, alice, url)
    second = _expect_new_tag(_patch(client, alice, url, first, priority="high"), f"PATCH {url}")
    third = _expect_new_tag(_patch(client, alice, url, second, status="done"), f"PATCH {url}")

    assert len({first, second, third}) == 3, (
        "two changes in a row (within the same second, maybe the same microsecond) give "
        f"three different tags; got {first}, {second}, {third}. A tag made from updated_at "
        "alone cannot promise that"
    )
    _expect_412(
        _patch(client, alice, url, second), f"PATCH {url} with the tag before the last change"
    )


# If-Match on PATCH -----------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["current", "list", "star"])
def test_a_matching_if_match_lets_the_patch_through(
    client: httpx.Client, signed_in: Callable[..., Account], form: str
) -> None:
    alice = signed_in()
    url = _new_task(client, alice)
    current = _etag(client, alice, url)
    if_match = {
        "current": current,
        "list": f'"not-this-one", W/"nor-this", {current}',
        "star": "*",
    }[form]

    response = _patch(client, alice, url, if_match, title="Matched")

    etag = _expect_new_tag(response, f"PATCH {url} with If-Match: {if_match}")
    assert response.json()["title"] == "Matched"
    assert etag == _etag(client, alice, url)


@pytest.mark.parametrize("form", ["stale", "unknown", "weak-current", "list-of-others"])
def test_an_if_match_that_does_not_match_is_a_412_and_changes_nothing(
    client: httpx.Client, signed_in: Callable[..., Account], form: str
) -> None:
    alice = signed_in()
    url = _new_task(client, alice)
    stale = _etag(client, alice, url)
    expect(_patch(client, alice, url, None, title="Moved on"), HTTPStatus.OK, f"PATCH {url}")
    before = client.get(url, headers=alice.headers)
    current = before.headers["etag"]
    if_match = {
        "stale": stale,
        "unknown": '"not-the-tag"',
        # If-Match uses the strong comparison (RFC 9110, section 13.1.1): W/ never matches.
        "weak-current": f"W/{current}",
        "list-of-others": f'{stale}, "not-the-tag"',
    }[form]

    response = _patch(client, alice, url, if_match, title="Lost update")

    _expect_412(response, f"PATCH {url} with If-Match: {if_match} ({form})")
    _expect_unchanged(client, alice, url, before, "the refused PATCH")


# If-Match on DELETE ----------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["current", "star"])
def test_delete_honours_if_match(
    client: httpx.Client, signed_in: Callable[..., Account], form: str
) -> None:
    alice = signed_in()
    url = _new_task(client, alice)
    stale = _etag(client, alice, url)
    expect(_patch(client, alice, url, None, title="Moved on"), HTTPStatus.OK, f"PATCH {url}")
    before = client.get(url, headers=alice.headers)

    for refused in (stale, f"W/{before.headers['etag']}"):
        _expect_412(_delete(client, alice, url, refused), f"DELETE {url} with If-Match: {refused}")
        _expect_unchanged(client, alice, url, before, "the refused DELETE")

    if_match = before.headers["etag"] if form == "current" else "*"
    deleted = _delete(client, alice, url, if_match)
    expect(deleted, HTTPStatus.NO_CONTENT, f"DELETE {url} with If-Match: {if_match}")
    expect(client.get(url, headers=alice.headers), HTTPStatus.NOT_FOUND, f"GET {url} after it")

    other = _new_task(client, alice, "No tag needed")
    expect(_delete(client, alice, other, None), HTTPStatus.NO_CONTENT, "DELETE without If-Match")


# The checks come first -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_a_stranger_gets_the_404_whatever_if_match_says(
    client: httpx.Client, signed_in: Callable[..., Account], method: str
) -> None:
    alice, mallory = signed_in(), signed_in()
    url = _new_task(client, alice)
    current = _etag(client, alice, url)
    send = _patch if method == "PATCH" else _delete
    # The owner's request with a made-up tag shows that the header is really looked at.
    _expect_412(send(client, alice, url, '"made-up"'), f"{method} {url} with a made-up tag")
    before = client.get(url, headers=alice.headers)

    for if_match in ("*", current, '"made-up"'):
        response = send(client, mallory, url, if_match)
        expect(
            response,
            HTTPStatus.NOT_FOUND,
            f"{method} of another user's task with If-Match: {if_match}",
        )
    missing = f"{TASKS}/{MISSING_ID}"
    expect(
        send(client, alice, missing, "*"), HTTPStatus.NOT_FOUND, f"{method} {missing}, If-Match: *"
    )
    _expect_unchanged(client, alice, url, before, "the stranger's requests")


def test_the_body_and_the_token_are_checked_before_the_tag(
    client: httpx.Client, signed_in: Callable[..., Account]
) -> None:
    alice = signed_in()
    url = _new_task(client, alice)
    _expect_412(_patch(client, alice, url, '"made-up"'), f"PATCH {url} with a made-up tag")

    invalid = _patch(client, alice, url, '"made-up"', title="")
    expect(invalid, HTTPStatus.UNPROCESSABLE_ENTITY, "PATCH with a bad body and a made-up tag")
    anonymous = client.patch(url, json={"title": "x"}, headers={"If-Match": "*"})
    expect(anonymous, HTTPStatus.UNAUTHORIZED, "PATCH without a token, If-Match: *")


# Two instances of the app ----------------------------------------------------------------------


def test_a_second_instance_honours_the_tag_and_no_update_is_lost(
    client: httpx.Client,
    signed_in: Callable[..., Account],
    configured_app_client: Callable[..., httpx.Client],
) -> None:
    # Another app object over the same database, as a second process behind a load balancer.
    other = configured_app_client()
    alice = signed_in()
    url = _new_task(client, alice)
    # Two clients of the same user read the task, one through each instance.
    seen_by_a = _etag(client, alice, url)
    seen_by_b = _etag(other, alice, url)
    assert seen_by_a == seen_by_b, (
        "two instances of the app must give the same task the same tag; make it from the "
        "representation or a stored version, never from memory or the process"
    )

    # B changes it first, through the other instance; A, who read the same version, is told.
    changed = _expect_new_tag(
        _patch(other, alice, url, seen_by_b, title="B was first"), f"PATCH {url} (instance B)"
    )
    _expect_412(
        _patch(client, alice, url, seen_by_a, title="A overwrites B"),
        f"PATCH {url} through instance A with the tag A read before B's change",
    )
    assert client.get(url, headers=alice.headers).json()["title"] == "B was first"

    # A reads again (or takes B's answer's tag) and tries once more: now it goes through.
    assert _etag(client, alice, url) == changed
    _expect_new_tag(_patch(client, alice, url, changed, title="A after B"), f"PATCH {url} (A)")


# A browser on another origin -------------------------------------------------------------------


def test_a_browser_app_on_an_allowed_origin_can_read_the_tag_and_send_if_match(
    signed_in: Callable[..., Account], configured_app_client: Callable[..., httpx.Client]
) -> None:
    browser = configured_app_client(CORS_ORIGINS=ORIGIN)
    alice = signed_in()
    url = _new_task(browser, alice)

    read = browser.get(url, headers={**alice.headers, "Origin": ORIGIN})
    expect(read, HTTPStatus.OK, f"GET {url} from {ORIGIN}")
    exposed = _tokens(read, "access-control-expose-headers")
    assert "etag" in exposed, (
        "a browser's script only sees the response headers CORS exposes: list ETag in "
        f"Access-Control-Expose-Headers; it lists {sorted(exposed)}"
    )
    preflight = browser.options(
        url,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": BROWSER_HEADERS,
        },
    )
    allowed = _tokens(preflight, "access-control-allow-headers")
    assert {"if-match", "if-none-match"} <= allowed, (
        "a browser asks first (a preflight) before it sends If-Match or If-None-Match: allow "
        f"both request headers; the preflight allowed {sorted(allowed)}"
    )
    patched = browser.patch(
        url,
        json={"title": "From the browser"},
        headers={**alice.headers, "Origin": ORIGIN, "If-Match": read.headers["etag"]},
    )
    _expect_new_tag(patched, f"PATCH {url} from {ORIGIN}")
    assert "etag" in _tokens(patched, "access-control-expose-headers")
