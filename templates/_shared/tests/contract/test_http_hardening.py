"""Answers in general: security headers, problem+json errors, 400/413/500 and CORS."""

from __future__ import annotations

import json
import re
from http import HTTPStatus

import pytest

from .helpers import API, DEFAULT_PASSWORD, assert_problem, assert_security_headers

ME = f"{API}/users/me"
LOGIN = f"{API}/auth/login"
TASKS = f"{API}/tasks"
MAX_BODY_BYTES = 1024 * 1024  # the default of CONTRACT.md, which the test settings keep
ALLOWED_ORIGIN = "https://app.example"
VERSION = re.compile(r"\d+\.\d+")


def assert_no_store(response):
    """Assert that an answer carrying user data may not be cached.

    Args:
        response: The answer to check.
    """
    directives = {
        part.strip().lower() for part in response.headers.get("cache-control", "").split(",")
    }
    assert "no-store" in directives


def padded_login_body(size):
    """A JSON login body of exactly ``size`` bytes.

    Args:
        size: The wanted length in bytes.

    Returns:
        The encoded body.
    """
    empty = json.dumps({"email": "big@example.com", "password": ""}).encode()
    body = json.dumps({"email": "big@example.com", "password": "p" * (size - len(empty))})
    assert len(body.encode()) == size
    return body.encode()


# Security headers --------------------------------------------------------------------------


@pytest.mark.asvs("14.4.3")
@pytest.mark.asvs("14.4.4")
@pytest.mark.asvs("14.4.6")
@pytest.mark.asvs("14.4.7")
def test_security_headers_on_a_200(client, signed_in):
    assert_security_headers(client.get(ME, headers=signed_in().headers))
    assert_security_headers(client.get("/health/live"))


@pytest.mark.asvs("14.4.3")
@pytest.mark.asvs("14.4.7")
def test_security_headers_on_a_404(client):
    response = client.get(f"{API}/no-such-resource")

    assert_problem(response, HTTPStatus.NOT_FOUND)
    assert_security_headers(response)


@pytest.mark.asvs("14.4.3")
@pytest.mark.asvs("14.4.7")
def test_security_headers_on_a_401_and_a_422(client, signed_in):
    assert_security_headers(client.get(ME))
    assert_security_headers(client.post(TASKS, json={}, headers=signed_in().headers))


@pytest.mark.asvs("14.4.3")
@pytest.mark.asvs("14.4.7")
@pytest.mark.asvs("7.4.1")
def test_security_headers_on_a_500(client, error_path):
    response = client.get(error_path)

    assert_problem(response, HTTPStatus.INTERNAL_SERVER_ERROR)
    assert_security_headers(response)


def test_docs_page_has_its_own_content_security_policy(client):
    response = client.get("/docs")

    assert response.headers.get("content-security-policy")
    assert response.headers.get("x-frame-options") == "DENY"
    assert response.headers.get("x-content-type-options") == "nosniff"


# The task reads may be kept and revalidated instead: test_conditional_get.py (section 14).
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ME), ("get", f"{TASKS}/export?format=json")],
)
def test_answers_with_user_data_are_not_cached(client, signed_in, method, path):
    response = client.request(method, path, headers=signed_in({% if with_jobs %}verified=True{% endif %}).headers)

    assert response.status_code == HTTPStatus.OK
    assert_no_store(response)


def test_token_answers_are_not_cached(client, signed_in, unique_email, create_user):
    email = unique_email("cache")
    create_user(email, DEFAULT_PASSWORD)

    response = client.post(LOGIN, json={"email": email, "password": DEFAULT_PASSWORD})

    assert response.status_code == HTTPStatus.OK
    assert_no_store(response)


@pytest.mark.asvs("14.3.3")
def test_no_version_is_disclosed_in_headers(client):
    response = client.get("/health/live")

    assert "x-powered-by" not in response.headers
    assert not VERSION.search(response.headers.get("server", ""))


# Errors ------------------------------------------------------------------------------------


def test_unknown_path_is_a_404_problem(client):
    assert_problem(client.get("/no/such/page"), HTTPStatus.NOT_FOUND)


def test_unsupported_method_is_a_405_problem(client, signed_in):
    response = client.put(ME, json={"full_name": "x"}, headers=signed_in().headers)

    assert_problem(response, HTTPStatus.METHOD_NOT_ALLOWED)


@pytest.mark.parametrize("body", ['{"email": "a@example.com", ', "not json", "{'a': 1}"])
def test_a_body_that_is_not_json_is_400(client, body):
    response = client.post(LOGIN, content=body, headers={"Content-Type": "application/json"})

    assert_problem(response, HTTPStatus.BAD_REQUEST)


def test_a_bad_json_body_to_an_authenticated_route_is_400(client, signed_in):
    headers = {**signed_in().headers, "Content-Type": "application/json"}

    response = client.post(TASKS, content='{"title": ', headers=headers)

    assert_problem(response, HTTPStatus.BAD_REQUEST)


def test_validation_error_names_the_body_field(client, signed_in):
    response = client.post(TASKS, json={"title": ""}, headers=signed_in().headers)

    body = assert_problem(response, HTTPStatus.UNPROCESSABLE_ENTITY)
    assert [error["field"] for error in body["errors"]] == ["title"]
    assert isinstance(body["errors"][0]["message"], str)


def test_validation_error_names_the_query_parameter(client, signed_in):
    response = client.get(TASKS, params={"limit": 0}, headers=signed_in().headers)

    body = assert_problem(response, HTTPStatus.UNPROCESSABLE_ENTITY)
    assert [error["field"] for error in body["errors"]] == ["limit"]


def test_a_body_that_is_not_an_object_is_422(client, signed_in):
    response = client.post(TASKS, json=["title"], headers=signed_in().headers)

    assert_problem(response, HTTPStatus.UNPROCESSABLE_ENTITY)


@pytest.mark.asvs("7.4.1")
def test_a_500_shows_no_traceback_path_or_sql(client, error_path):
    response = client.get(error_path)

    assert_problem(response, HTTPStatus.INTERNAL_SERVER_ERROR)
    leaks = ("Traceback", 'File "', ".py", "site-packages", "RuntimeError", "SELECT ", "INSERT ")
    for leak in leaks:
        assert leak not in response.text, f"the 500 answer shows {leak!r}"


@pytest.mark.asvs("7.4.1")
@pytest.mark.asvs("14.3.2")
def test_a_500_shows_no_traceback_even_with_debug_on(configured_app_client, error_path):
    client = configured_app_client(DEBUG="true")

    response = client.get(error_path)

    assert_problem(response, HTTPStatus.INTERNAL_SERVER_ERROR)
    for leak in ("Traceback", 'File "', ".py", "RuntimeError"):
        assert leak not in response.text, f"the 500 answer shows {leak!r}"


# Request size ------------------------------------------------------------------------------


@pytest.mark.asvs("12.1.1")
def test_a_body_one_byte_over_the_limit_is_413(client):
    body = padded_login_body(MAX_BODY_BYTES + 1)

    response = client.post(LOGIN, content=body, headers={"Content-Type": "application/json"})

    assert_problem(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)


@pytest.mark.asvs("12.1.1")
def test_a_body_at_the_limit_is_let_through(client):
    body = padded_login_body(MAX_BODY_BYTES)

    response = client.post(LOGIN, content=body, headers={"Content-Type": "application/json"})

    # Judged on its content (a password over 128 characters), not on its size.
    assert response.status_code != HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR


@pytest.mark.asvs("12.1.1")
def test_an_oversized_task_is_413_and_not_stored(client, signed_in):
    account = signed_in()
    body = json.dumps({"title": "big", "description": "d" * MAX_BODY_BYTES}).encode()
    headers = {**account.headers, "Content-Type": "application/json"}

    response = client.post(TASKS, content=body, headers=headers)

    assert_problem(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    assert client.get(TASKS, headers=account.headers).json()["total"] == 0


# CORS --------------------------------------------------------------------------------------


def preflight(client, origin, path=TASKS):
    """Send a CORS preflight for a GET with an Authorization header.

    Args:
        client: The client under test.
        origin: The Origin header to send.
        path: The path to ask about.

    Returns:
        The raw response.
    """
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )


def assert_not_allowed(client, origin):
    """Assert that ``origin`` gets no CORS grant, on a simple request or a preflight.

    Args:
        client: The client under test.
        origin: The Origin header to send.
    """
    simple = client.get("/health/live", headers={"Origin": origin})
    assert "access-control-allow-origin" not in simple.headers
    answer = preflight(client, origin)
    granted = [name for name in answer.headers if name.lower().startswith("access-control-allow-")]
    assert granted == [], f"preflight from {origin} got {granted}"


@pytest.mark.asvs("14.5.3")
@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
def test_hostile_origins_get_no_cors_grant(client, origin):
    assert_not_allowed(client, origin)


@pytest.mark.asvs("14.5.3")
def test_no_origin_is_allowed_by_default(client, in_process):
    # The test settings leave CORS_ORIGINS empty, as the template's default does.
    assert_not_allowed(client, ALLOWED_ORIGIN)


@pytest.mark.asvs("14.5.3")
def test_a_configured_origin_is_echoed(configured_app_client):
    client = configured_app_client(CORS_ORIGINS=ALLOWED_ORIGIN)

    simple = client.get("/health/live", headers={"Origin": ALLOWED_ORIGIN})
    answer = preflight(client, ALLOWED_ORIGIN)

    assert simple.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
    assert answer.status_code < HTTPStatus.BAD_REQUEST
    assert answer.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
    assert "GET" in answer.headers.get("access-control-allow-methods", "").upper()


@pytest.mark.asvs("14.5.3")
@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "null", "https://app.example.evil.example", "http://app.example"],
)
def test_other_origins_are_refused_when_one_is_configured(configured_app_client, origin):
    assert_not_allowed(configured_app_client(CORS_ORIGINS=ALLOWED_ORIGIN), origin)


def _tokens(response, name):
    """The comma-separated tokens of a header, lower-cased."""
    return {part.strip().lower() for part in response.headers.get(name, "").split(",")} - {""}


def test_a_configured_origin_gets_exactly_the_grants_of_the_contract(configured_app_client):
    # The same grants in every framework (CONTRACT.md, section 7): a browser app written
    # against one of them works against the others.
    client = configured_app_client(CORS_ORIGINS=ALLOWED_ORIGIN)

    simple = client.get("/health/live", headers={"Origin": ALLOWED_ORIGIN})
    answer = client.options(
        TASKS,
        headers={
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, content-type, x-request-id",
        },
    )

    exposed = {"location", "retry-after", "content-disposition", "x-request-id"}
    assert exposed <= _tokens(simple, "access-control-expose-headers")
    assert "origin" in _tokens(simple, "vary")
    assert answer.status_code < HTTPStatus.BAD_REQUEST
    assert _tokens(answer, "access-control-allow-methods") == {"get", "post", "patch", "delete"}
    assert {"authorization", "content-type", "x-request-id"} <= _tokens(
        answer, "access-control-allow-headers"
    )
    assert answer.headers.get("access-control-max-age") == "600"
    for response in (simple, answer):
        assert "access-control-allow-credentials" not in response.headers


def test_a_preflight_grants_no_other_request_header(configured_app_client):
    client = configured_app_client(CORS_ORIGINS=ALLOWED_ORIGIN)

    answer = client.options(
        TASKS,
        headers={
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-api-key",
        },
    )

    assert "x-api-key" not in _tokens(answer, "access-control-allow-headers")


@pytest.mark.asvs("14.5.3")
def test_a_configured_origin_is_never_answered_with_a_wildcard(configured_app_client):
    client = configured_app_client(CORS_ORIGINS=ALLOWED_ORIGIN)

    answer = preflight(client, ALLOWED_ORIGIN)

    assert answer.headers.get("access-control-allow-origin") != "*"


# Accept is not negotiated ------------------------------------------------------------------


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "text/csv"])
def test_every_answer_is_json_whatever_accept_asks_for(client, signed_in, accept):
    headers = {**signed_in().headers, "Accept": accept}

    for path in ("/health/live", ME, TASKS):
        answer = client.get(path, headers=headers)
        assert answer.status_code == HTTPStatus.OK, (path, answer.status_code, answer.text)
        assert answer.headers["content-type"].startswith("application/json"), path
        answer.json()

    refused = client.get(ME, headers={"Accept": accept})
    assert_problem(refused, HTTPStatus.UNAUTHORIZED)


def test_the_export_format_comes_from_the_query_alone(client, signed_in):
    headers = {**signed_in({% if with_jobs %}verified=True{% endif %}).headers, "Accept": "application/json"}

    answer = client.get(f"{TASKS}/export", params={"format": "csv"}, headers=headers)

    assert answer.status_code == HTTPStatus.OK
    assert answer.headers["content-type"].startswith("text/csv")


@pytest.mark.parametrize("path", [f"{TASKS}/", f"{ME}/", "/health/live/", "/docs/"])
def test_a_trailing_slash_is_another_path_not_a_redirect(client, signed_in, path):
    answer = client.get(path, headers=signed_in().headers, follow_redirects=False)

    assert_problem(answer, HTTPStatus.NOT_FOUND)
