"""Conditional GETs of the task reads, and which answers may be kept (CONTRACT.md, section 14)."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest

from .helpers import API, DEFAULT_PASSWORD, assert_problem, header_tokens, login, post_task

TASKS = f"{API}/tasks"
ME = f"{API}/users/me"
MISSING_ID = 987_654_321
# A strong entity tag (RFC 9110, section 8.8.3): no W/ prefix, quoted.
STRONG_TAG = re.compile(r'^"[\x21\x23-\x7e]+"$')
REVALIDATE = {"private", "no-cache"}


def assert_revalidated(response):
    """Assert the headers of a task read: a strong tag, ``private, no-cache``, ``Vary``.

    Args:
        response: A 200 or 304 of a task read.

    Returns:
        The ETag.
    """
    etag = response.headers.get("etag", "")
    assert STRONG_TAG.fullmatch(etag), etag
    assert header_tokens(response, "cache-control") == REVALIDATE
    assert "authorization" in header_tokens(response, "vary")
    return etag


def assert_not_modified(response, full):
    """Assert a 304 with no body that carries the 200's validator and caching headers.

    Args:
        response: The answer to a matching ``If-None-Match``.
        full: The 200 it stands for.
    """
    assert response.status_code == HTTPStatus.NOT_MODIFIED, response.text
    assert response.content == b""
    assert "content-type" not in response.headers
    # RFC 9110, section 8.6: a 304 may only give the length of the body it stands for.
    assert response.headers.get("content-length") in {None, str(len(full.content))}
    assert assert_revalidated(response) == full.headers["etag"]


def assert_no_store(response):
    """Assert an answer no cache may keep, and that carries no validator.

    Args:
        response: Any answer other than a task read's 200 or 304.
    """
    assert "no-store" in header_tokens(response, "cache-control")
    assert "etag" not in response.headers


@pytest.fixture
def owner(signed_in):
    """A signed-in plain user who owns the tasks of a test."""
    return signed_in()


@pytest.fixture
def task_url(client, owner):
    """The address of a task of ``owner``'s."""
    return f"{TASKS}/{post_task(client, owner, title='Read me twice')['id']}"


def read(client, account, url, tag=None, headers=None):
    """GET ``url`` as ``account``, with ``If-None-Match: tag`` when a tag is given.

    Args:
        client: The client under test.
        account: The signed-in caller.
        url: The task read to ask for.
        tag: The value of If-None-Match, or ``None`` for none.
        headers: More request headers.

    Returns:
        The raw response.
    """
    headers = {**(headers or {}), **account.headers}
    if tag is not None:
        headers["If-None-Match"] = tag
    return client.get(url, headers=headers)


# The tag --------------------------------------------------------------------------------------


def test_a_task_read_carries_a_strong_tag_and_may_be_kept_privately(client, owner, task_url):
    response = read(client, owner, task_url, headers={"Accept-Encoding": "gzip"})

    assert response.status_code == HTTPStatus.OK, response.text
    assert_revalidated(response)
    assert "last-modified" not in response.headers
    # Compression is the proxy's job; the tag is the tag of the bytes the app sent.
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize(
    "query",
    ["", "?status=todo", "?limit=5", "?limit=1&offset=1", "?status=done&limit=100&offset=0"],
)
def test_every_query_of_the_list_carries_a_tag(client, owner, query):
    post_task(client, owner, title="Listed")

    response = client.get(TASKS + query, headers=owner.headers)

    assert response.status_code == HTTPStatus.OK, response.text
    assert_revalidated(response)


def test_the_same_body_gets_the_same_tag(client, owner, task_url):
    first = read(client, owner, task_url)
    second = read(client, owner, task_url)

    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]


def test_pages_with_other_bodies_get_other_tags(client, owner):
    post_task(client, owner, title="One")
    post_task(client, owner, title="Two")

    first = client.get(f"{TASKS}?limit=1", headers=owner.headers)
    second = client.get(f"{TASKS}?limit=1&offset=1", headers=owner.headers)

    assert first.content != second.content
    assert first.headers["etag"] != second.headers["etag"]


# 304 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["task", "list"])
def test_a_matching_tag_is_a_304_without_a_body(client, owner, task_url, target):
    url = task_url if target == "task" else TASKS
    full = read(client, owner, url)

    assert_not_modified(read(client, owner, url, full.headers["etag"]), full)


def test_a_head_with_a_matching_tag_is_a_304(client, owner, task_url):
    full = read(client, owner, task_url)
    headers = {**owner.headers, "If-None-Match": full.headers["etag"]}

    assert_not_modified(client.head(task_url, headers=headers), full)


def test_the_weak_form_of_the_tag_matches(client, owner, task_url):
    # nginx turns a tag weak when it gzips the body; the client sends back what it got.
    full = read(client, owner, task_url)

    assert_not_modified(read(client, owner, task_url, f"W/{full.headers['etag']}"), full)


def test_a_list_of_tags_matches_when_one_of_them_does(client, owner, task_url):
    full = read(client, owner, task_url)
    tags = f'"not-this-one", W/"nor-this", {full.headers["etag"]}'

    assert_not_modified(read(client, owner, task_url, tags), full)


@pytest.mark.parametrize("target", ["task", "list"])
def test_a_star_matches_any_tag(client, owner, task_url, target):
    url = task_url if target == "task" else TASKS
    full = read(client, owner, url)

    assert_not_modified(read(client, owner, url, "*"), full)


@pytest.mark.parametrize("tag", ['"not-the-tag"', 'W/"not-the-tag"', '"0", "1"'])
def test_a_tag_that_does_not_match_gets_the_200(client, owner, task_url, tag):
    first = read(client, owner, task_url)

    response = read(client, owner, task_url, tag)

    assert response.status_code == HTTPStatus.OK, response.text
    assert response.content == first.content
    assert assert_revalidated(response) == first.headers["etag"]


def test_the_old_tag_is_a_200_with_a_new_tag_after_a_patch(client, owner, task_url):
    old = read(client, owner, task_url).headers["etag"]
    changed = client.patch(task_url, json={"title": "Changed"}, headers=owner.headers)
    assert changed.status_code == HTTPStatus.OK, changed.text

    response = read(client, owner, task_url, old)

    assert response.status_code == HTTPStatus.OK, response.text
    assert response.json()["title"] == "Changed"
    assert assert_revalidated(response) != old


def test_the_list_tag_changes_when_a_task_is_added(client, owner):
    post_task(client, owner, title="First")
    old = read(client, owner, TASKS).headers["etag"]
    post_task(client, owner, title="Second")

    response = read(client, owner, TASKS, old)

    assert response.status_code == HTTPStatus.OK, response.text
    assert response.json()["total"] == 2
    assert assert_revalidated(response) != old


def test_if_modified_since_is_ignored(client, owner, task_url):
    headers = {**owner.headers, "If-Modified-Since": "Wed, 01 Jan 2098 00:00:00 GMT"}

    response = client.get(task_url, headers=headers)

    assert response.status_code == HTTPStatus.OK, response.text
    assert "last-modified" not in response.headers


# The checks come first ------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["*", "known"])
@pytest.mark.parametrize("target", ["task", "list"])
def test_no_token_is_a_401_whatever_the_tag(client, owner, task_url, target, tag):
    url = task_url if target == "task" else TASKS
    if tag == "known":
        tag = read(client, owner, url).headers["etag"]

    response = client.get(url, headers={"If-None-Match": tag})

    assert_problem(response, HTTPStatus.UNAUTHORIZED)
    assert_no_store(response)


@pytest.mark.parametrize("tag", ["*", "known"])
def test_another_users_task_is_a_404_whatever_the_tag(client, owner, signed_in, task_url, tag):
    if tag == "known":
        tag = read(client, owner, task_url).headers["etag"]

    response = read(client, signed_in(), task_url, tag)

    assert_problem(response, HTTPStatus.NOT_FOUND)
    assert_no_store(response)


def test_a_missing_task_is_a_404_with_a_star(client, owner):
    response = read(client, owner, f"{TASKS}/{MISSING_ID}", "*")

    assert_problem(response, HTTPStatus.NOT_FOUND)
    assert_no_store(response)


def test_a_bad_query_is_a_422_with_a_star(client, owner):
    response = read(client, owner, f"{TASKS}?limit=0", "*")

    assert_problem(response, HTTPStatus.UNPROCESSABLE_ENTITY)
    assert_no_store(response)


# Every other answer ---------------------------------------------------------------------------


def test_the_account_is_not_kept_and_never_a_304(client, owner):
    response = read(client, owner, ME, "*")

    assert response.status_code == HTTPStatus.OK, response.text
    assert_no_store(response)


def test_writes_and_tokens_are_not_kept(client, owner, unique_email, create_user, task_url):
    created = client.post(TASKS, json={"title": "New"}, headers=owner.headers)
    changed = client.patch(task_url, json={"title": "Other"}, headers=owner.headers)
    email = unique_email("tag")
    create_user(email, DEFAULT_PASSWORD)
    tokens = login(client, email, DEFAULT_PASSWORD)

    for response, status in [
        (created, HTTPStatus.CREATED),
        (changed, HTTPStatus.OK),
        (tokens, HTTPStatus.OK),
    ]:
        assert response.status_code == status, response.text
        assert_no_store(response)


def test_the_export_is_not_kept(client, signed_in):
    account = signed_in({% if with_jobs %}verified=True{% endif %})
    post_task(client, account, title="Exported")

    response = read(client, account, f"{TASKS}/export?format=json", "*")

    assert response.status_code == HTTPStatus.OK, response.text
    assert_no_store(response)


def test_the_health_check_is_not_kept(client):
    response = client.get("/health/live", headers={"If-None-Match": "*"})

    assert response.status_code == HTTPStatus.OK, response.text
    assert_no_store(response)
