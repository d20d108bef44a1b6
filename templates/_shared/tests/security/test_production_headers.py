"""Every answer in production carries the headers of CONTRACT.md (ASVS 14.4).

Framework-made answers (the 404 of an unrouted path, a 405) and static files are checked
too: they are the ones a middleware that only decorates the app's own views misses. The app
runs with ENVIRONMENT=production over HTTPS, as behind the TLS-terminating proxy.
"""

from __future__ import annotations

from html.parser import HTMLParser
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import pytest

from tests.contract.helpers import assert_security_headers, header_tokens

ORIGIN = "https://testserver"
HSTS = "max-age=31536000; includeSubDomains"
# A key that passes every rule of CONTRACT.md: production refuses to start without one.
PRODUCTION_SECRET_KEY = "production-headers-test-key-" + "k3y" * 16
STATIC_CACHE = {"public", "max-age=86400"}


class ScriptCollector(HTMLParser):
    """Collect the scripts and stylesheets the docs page loads from the app."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record ``<script src>`` and ``<link rel="stylesheet" href>``."""
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.assets.append(values["src"] or "")
        elif tag == "link" and "stylesheet" in (values.get("rel") or "") and values.get("href"):
            self.assets.append(values["href"] or "")


@pytest.fixture
def production(configured_app_client):
    """A client of the app configured for production."""
    return configured_app_client(ENVIRONMENT="production", SECRET_KEY=PRODUCTION_SECRET_KEY)


def assert_production_headers(response):
    """Assert the security headers every production answer carries: the API's and HSTS.

    Args:
        response: Any answer of the app in production.
    """
    assert_security_headers(response)
    assert response.headers.get("strict-transport-security") == HSTS


REQUESTS = [
    pytest.param("GET", "/no/such/path", HTTPStatus.NOT_FOUND, id="unrouted-404"),
    pytest.param("DELETE", "/health/live", HTTPStatus.METHOD_NOT_ALLOWED, id="405"),
    pytest.param("GET", "/health/live", HTTPStatus.OK, id="health"),
    pytest.param("GET", "/api/v1/users/me", HTTPStatus.UNAUTHORIZED, id="api-401"),
    pytest.param("GET", "/docs", HTTPStatus.OK, id="docs"),
]


@pytest.mark.asvs("14.4.5")
@pytest.mark.asvs("14.4.6")
@pytest.mark.parametrize(("method", "path", "status"), REQUESTS)
def test_every_answer_carries_the_security_headers_and_hsts(production, method, path, status):
    response = production.request(method, ORIGIN + path)

    assert response.status_code == status, response.text
    assert_production_headers(response)


@pytest.mark.asvs("8.2.1")
@pytest.mark.parametrize(("method", "path", "status"), REQUESTS)
def test_no_answer_but_a_static_file_may_be_stored(production, method, path, status):
    response = production.request(method, ORIGIN + path)

    assert response.status_code == status, response.text
    assert "no-store" in header_tokens(response, "cache-control")


@pytest.mark.asvs("14.4.5")
def test_docs_assets_carry_the_headers_and_are_cacheable_for_a_day(production):
    page = production.get(ORIGIN + "/docs")
    assert page.status_code == HTTPStatus.OK, page.text
    collector = ScriptCollector()
    collector.feed(page.text)
    # Files, not what the docs page itself serves under its own path (a generated script).
    urls = [urlsplit(urljoin(ORIGIN + "/docs", asset)) for asset in collector.assets]
    files = [url.path for url in urls if url.path != "/docs"]
    assert files, "the docs page loads no script or stylesheet file"

    for path in files:
        response = production.get(ORIGIN + path)
        assert response.status_code == HTTPStatus.OK, path
        assert_production_headers(response)
        assert header_tokens(response, "cache-control") == STATIC_CACHE, path
