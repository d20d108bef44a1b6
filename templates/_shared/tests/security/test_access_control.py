"""Deny by default, walked over the app's own OpenAPI document (ASVS 4.1.3, API5)."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest

# The only operations anyone may call without a token (CONTRACT.md). Anything else the
# document lists, including endpoints added later, must refuse an anonymous caller.
PUBLIC_OPERATIONS = frozenset(
    {
        ("post", "/api/v1/auth/register"),
        ("post", "/api/v1/auth/login"),
        ("post", "/api/v1/auth/refresh"),
{%- if with_jobs %}
        ("post", "/api/v1/auth/password-reset"),
        ("post", "/api/v1/auth/password-reset/confirm"),
        ("post", "/api/v1/auth/verify-email"),
{%- endif %}
        ("get", "/health/live"),
        ("get", "/health/ready"),
        ("get", "/openapi.json"),
        ("get", "/docs"),
    }
)
# Admin-only operations of CONTRACT.md: a plain user gets 403.
ADMIN_OPERATIONS = frozenset({("get", "/api/v1/users"), ("get", "/api/v1/reports/summary")})
PROBLEM = "application/problem+json"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
PATH_PARAMETER = re.compile(r"\{[^}]*\}")


def operations(document):
    """List every (method, path template, operation) of an OpenAPI document.

    Args:
        document: The parsed OpenAPI document.

    Returns:
        The operations, in document order.
    """
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def sample(schema):
    """A plausible value for a parameter schema, so that only the token decides.

    Args:
        schema: The parameter's JSON schema (may be empty).

    Returns:
        A string to send.
    """
    if schema.get("enum"):
        return str(schema["enum"][0])
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        if option.get("enum"):
            return str(option["enum"][0])
    if "default" in schema and schema["default"] is not None:
        return str(schema["default"])
    return "1"


def send(client, method, path, operation, headers):
    """Call one documented operation with its required query parameters filled in.

    Args:
        client: The client under test.
        method: Lower-case HTTP method.
        path: The path template.
        operation: The OpenAPI operation object.
        headers: Headers to send (or none).

    Returns:
        The raw response.
    """
    url = PATH_PARAMETER.sub("1", path)
    params = {
        parameter["name"]: sample(parameter.get("schema", {}))
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "query" and parameter.get("required")
    }
    body: dict[str, object] | None = {} if "requestBody" in operation else None
    return client.request(method, url, params=params, json=body, headers=headers)


@pytest.fixture
def openapi(client):
    """The app's OpenAPI document."""
    response = client.get("/openapi.json")
    assert response.status_code == HTTPStatus.OK
    return response.json()


def test_the_document_lists_the_contract_operations(openapi):
    listed = {(method, path) for method, path, _ in operations(openapi)}

    assert listed >= ADMIN_OPERATIONS
    assert len(listed - PUBLIC_OPERATIONS) >= 12


@pytest.mark.asvs("4.1.3")
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"Authorization": "Bearer invalid.token.value"}, id="bad-token"),
    ],
)
def test_every_non_public_operation_refuses_an_anonymous_caller(client, openapi, headers):
    wrong = []
    for method, path, operation in operations(openapi):
        if (method, path) in PUBLIC_OPERATIONS:
            continue
        response = send(client, method, path, operation, headers)
        media_type = response.headers.get("content-type", "").split(";")[0]
        if (response.status_code, media_type) != (HTTPStatus.UNAUTHORIZED, PROBLEM):
            wrong.append(f"{method.upper()} {path}: {response.status_code} {media_type}")

    assert wrong == [], "operations open without a valid token:\n" + "\n".join(wrong)


@pytest.mark.asvs("4.1.3")
def test_admin_operations_are_403_for_a_plain_user(client, openapi, signed_in):
    user = signed_in()
    wrong = []
    for method, path, operation in operations(openapi):
        if (method, path) not in ADMIN_OPERATIONS:
            continue
        response = send(client, method, path, operation, user.headers)
        if response.status_code != HTTPStatus.FORBIDDEN:
            wrong.append(f"{method.upper()} {path}: {response.status_code}")

    assert wrong == [], "admin operations open to a plain user:\n" + "\n".join(wrong)


@pytest.mark.asvs("4.1.3")
def test_admin_operations_are_open_to_an_admin(client, openapi, signed_in):
    admin = signed_in("admin")
    for method, path, operation in operations(openapi):
        if (method, path) in ADMIN_OPERATIONS:
            response = send(client, method, path, operation, admin.headers)
            assert response.status_code == HTTPStatus.OK, f"{method.upper()} {path}"


@pytest.mark.asvs("4.1.3")
def test_public_operations_need_no_token(client):
    assert client.get("/health/live").status_code == HTTPStatus.OK
    assert client.get("/openapi.json").status_code == HTTPStatus.OK
    response = client.post("/api/v1/auth/login", json={"email": "x@example.com"})
    # Judged on its body (422), not refused for want of a token.
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
