"""Health endpoints, /openapi.json and /docs (CONTRACT.md)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import pytest

from .helpers import assert_problem

# Every endpoint of CONTRACT.md, path parameters written as "{}" so that any name matches.
CONTRACT_OPERATIONS = [
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/users/me"),
    ("patch", "/api/v1/users/me"),
    ("post", "/api/v1/users/me/password"),
    ("get", "/api/v1/users"),
    ("get", "/api/v1/tasks"),
    ("post", "/api/v1/tasks"),
    ("get", "/api/v1/tasks/{}"),
    ("patch", "/api/v1/tasks/{}"),
    ("delete", "/api/v1/tasks/{}"),
    ("get", "/api/v1/tasks/export"),
    ("get", "/api/v1/reports/summary"),
    ("get", "/health/live"),
    ("get", "/health/ready"),
]
PATH_PARAMETER = re.compile(r"\{[^}]*\}")


class AssetCollector(HTMLParser):
    """Collect the scripts and stylesheets a page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record ``<script src>`` and ``<link rel="stylesheet" href>``."""
        values = dict(attrs)
        source, target = values.get("src"), values.get("href")
        if tag == "script" and source:
            self.assets.append(source)
        elif tag == "link" and "stylesheet" in (values.get("rel") or "") and target:
            self.assets.append(target)


def test_health_live_is_ok(client):
    response = client.get("/health/live")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok"}


def test_health_ready_is_200_when_the_database_answers(client):
    assert client.get("/health/ready").status_code == HTTPStatus.OK


def test_health_ready_is_503_when_the_database_does_not_answer(configured_app_client, tmp_path):
    # A SQLite file inside a folder that does not exist cannot be opened.
    unreachable = f"sqlite:///{tmp_path / 'no-such-folder' / 'app.db'}"
    client = configured_app_client(DATABASE_URL=unreachable)

    assert_problem(client.get("/health/ready"), HTTPStatus.SERVICE_UNAVAILABLE)
    # Liveness does not depend on the database.
    assert client.get("/health/live").status_code == HTTPStatus.OK


@pytest.fixture
def openapi(client):
    """The app's OpenAPI document."""
    response = client.get("/openapi.json")
    assert response.status_code == HTTPStatus.OK
    return response.json()


def test_openapi_document_is_openapi_3(client):
    response = client.get("/openapi.json")

    assert response.status_code == HTTPStatus.OK
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["openapi"].startswith("3.")


@pytest.mark.parametrize(("method", "path"), CONTRACT_OPERATIONS)
def test_openapi_describes_every_contract_endpoint(openapi, method, path):
    described = {
        (verb.lower(), PATH_PARAMETER.sub("{}", template))
        for template, operations in openapi["paths"].items()
        for verb in operations
    }

    assert (method, path) in described


def test_docs_page_is_html(client):
    response = client.get("/docs")

    assert response.status_code == HTTPStatus.OK
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text.lower()


def test_docs_page_works_offline(client):
    response = client.get("/docs")
    collector = AssetCollector()
    collector.feed(response.text)

    assert collector.assets, "the interactive docs need their scripts"
    for asset in collector.assets:
        url = urlsplit(urljoin("/docs", asset))
        # Served by the app itself, not by a CDN that an offline machine cannot reach.
        assert not url.netloc, f"{asset} is loaded from another host"
        assert client.get(url.path).status_code == HTTPStatus.OK, asset
