"""Fixtures of the black-box suites: contract (CONTRACT.md) and security.

One file, included as the ``conftest.py`` of both ``tests/contract/`` and ``tests/security/``.
The framework's root ``tests/conftest.py`` provides the in-process fixtures listed in
CONTRIBUTING.md and loads ``tests.contract.plugin``. This file binds the two names every test
uses, so that one suite runs in-process and against ``--base-url``:

- ``client``: the framework's ``app_client``, or an ``httpx.Client`` on the live server;
- ``create_user``: the framework's (direct database write), or registration through the API.

A fixture here overrides one of the same name in the root conftest, which a plugin cannot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx


@pytest.fixture
def client(contract_client: httpx.Client) -> httpx.Client:
    """The HTTP client of the app under test."""
    return contract_client


@pytest.fixture
def create_user(
    request: pytest.FixtureRequest, live_base_url: str | None
) -> Callable[..., dict[str, Any]]:
{%- if with_jobs %}
    """``create_user(email, password, role="user", *, is_active=True) -> dict`` (User JSON).

    ``email_verified=True`` makes a user whose address is verified (CONTRACT.md, section 12).
    """
{%- else %}
    """``create_user(email, password, role="user", *, is_active=True) -> dict`` (User JSON)."""
{%- endif %}
    if live_base_url is None:
        # A fixture that asks for its own name gets the one it overrides, here the
        # framework's; looked up lazily so a live run never touches the in-process database.
        return request.getfixturevalue("create_user")
    return request.getfixturevalue("live_create_user")

{%- if with_deploy %}


@pytest.fixture
def metrics_token(request: pytest.FixtureRequest, live_base_url: str | None) -> str:
    """The ``METRICS_TOKEN`` of the app under test: the framework's, or ``--metrics-token``."""
    if live_base_url is None:
        # The framework's fixture of the same name: the token of the in-process test app.
        token: str = request.getfixturevalue("metrics_token")
        return token
    token = request.config.getoption("contract_metrics_token")
    if not token:
        pytest.skip("reading a live server's metrics needs --metrics-token (its METRICS_TOKEN)")
    return token
{%- endif %}
