"""Pytest plugin shared by the contract and security suites.

The root ``tests/conftest.py`` of every framework loads it with::

    pytest_plugins = ["tests.contract.plugin"]

It adds ``--base-url URL`` (run the suites against a live server), skips tests that need the
in-process app when that option is given, and provides the fixtures both suites build on:
``live_base_url``, ``contract_client``, ``unique_email``, ``signed_in`` and ``in_process``{% if with_jobs %},
and ``mail_sink``, the SMTP server the project's mail reaches in the tests
(``--smtp-port`` puts it on the port a live server's worker sends to){% endif %}{% if with_files %},
``s3_server`` (moto's S3 API on loopback), ``file_storage`` (each test once on the local folder
and once on a bucket of that server) and ``files_client``{% endif %}.
The names the tests use for the app (``client``, ``create_user``) are bound in
``tests/contract/conftest.py`` and ``tests/security/conftest.py``: a fixture in a sub-folder
conftest overrides the framework's root conftest, and a plugin fixture could not.

``pytest_addoption`` is only honoured in a plugin or a root conftest, which is why this module
exists: https://docs.pytest.org/en/stable/reference/reference.html#pytest.hookspec.pytest_addoption
"""

from __future__ import annotations

import uuid
{%- if with_files %}
from dataclasses import dataclass, field
{%- endif %}
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import httpx
import pytest
{%- if with_files %}

from tests.files.s3 import S3Server
{%- endif %}

from .helpers import API, DEFAULT_PASSWORD, Account, login
{%- if with_jobs %}
from .mail import MailSink
{%- endif %}

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
{%- if with_files %}
    from pathlib import Path
{%- endif %}

# Fixtures the framework conftest implements against the in-process app. A live server has
# none of them, so a test that asks for one is skipped under --base-url.
IN_PROCESS_FIXTURES = frozenset(
    {
        "app_client",
        "check_in_process",
        "client_from",
        "configured_app_client",
        "database_url",
        "delete_user",
        "error_path",
{%- if with_jobs %}
        "expire_mail_tokens",
{%- endif %}
{%- if with_files %}
        "file_storage",
        "files_client",
{%- endif %}
        "in_process",
        "jwt_secret",
        "log_formatter",
        "project_command",
{%- if with_jobs %}
        "queued_app_client",
{%- endif %}
        "set_user_active",
{%- if with_jobs %}
        "start_worker",
        "stored_mail_tokens",
{%- endif %}
    }
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--base-url``, which points the shared suites at a running server."""
    group = parser.getgroup("contract", "shared contract and security suites")
    group.addoption(
        "--base-url",
        dest="contract_base_url",
        default=None,
        metavar="URL",
        help="run tests/contract and tests/security against a live server at URL "
        "(tests that need the in-process app are skipped)",
    )
{%- if with_jobs %}
    group.addoption(
        "--smtp-port",
        dest="contract_smtp_port",
        type=int,
        default=0,
        metavar="PORT",
        help="with --base-url: receive mail on 127.0.0.1:PORT, where the live server's worker "
        "sends it (EMAIL_URL=smtp://127.0.0.1:PORT); without it, mail tests are skipped",
    )
{%- endif %}
{%- if with_deploy %}
    group.addoption(
        "--metrics-token",
        dest="contract_metrics_token",
        default="",
        metavar="TOKEN",
        help="with --base-url: the live server's METRICS_TOKEN, for GET /metrics; without it, "
        "the metrics tests that read the metrics are skipped",
    )
{%- endif %}


# tryfirst: the long tests move to the front before pytest-django sorts by database marker.
# That sort is stable, so they stay first within each of its groups.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the ``long`` tests first; skip in-process-only tests under ``--base-url``.

    `make test` runs ``pytest -n 2 --dist worksteal``: a worker that runs out of tests takes
    half of the other's queue. Short tests at the end of the run can be shared out that way;
    a long one left until last cannot, and one worker would wait for the other.
    """
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
    if not config.getoption("contract_base_url"):
        return
    for item in items:
        needed = IN_PROCESS_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if needed:
            reason = f"needs the in-process app ({', '.join(sorted(needed))}); not with --base-url"
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def live_base_url(request: pytest.FixtureRequest) -> str | None:
    """The ``--base-url`` value, or ``None`` when the suite runs in-process."""
    return request.config.getoption("contract_base_url")


@pytest.fixture
def in_process() -> None:
    """Ask for this when a test needs the in-process app but none of its fixtures.

    Caplog, for example, only sees the app's log records when the app runs in this process.
    Under ``--base-url`` such a test is skipped before it starts.
    """


@pytest.fixture
def contract_client(
    request: pytest.FixtureRequest, live_base_url: str | None
) -> Iterator[httpx.Client]:
    """The client the suites talk to: the framework's ``app_client`` or a live server."""
    if live_base_url is None:
        # Looked up lazily so that a live run never builds the in-process app.
        yield request.getfixturevalue("app_client")
        return
    transport = RetryStaleConnection()
    with httpx.Client(base_url=live_base_url, timeout=30.0, transport=transport) as live_client:
        yield live_client


class RetryStaleConnection(httpx.HTTPTransport):
    """Send a safe request once more when its kept-alive connection closed under it.

    HTTP/1.1 lets a server close an idle persistent connection at any moment, so a request
    sent just as the close happens gets no answer at all; RFC 9112 section 9.3.1 lets a client
    send such a request again when its method is idempotent, and browsers and urllib3 do.
    httpx does not, so on a busy machine a live run would fail at random on that race. Only
    safe methods are sent again, and only when not a byte of an answer came back.
    """

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; a safe one gets a second try on a fresh connection."""
        try:
            return super().handle_request(request)
        except httpx.RemoteProtocolError:
            if request.method not in self.SAFE_METHODS:
                raise
            return super().handle_request(request)


{%- if with_jobs %}


@pytest.fixture(scope="session")
def mail_sink(pytestconfig: pytest.Config) -> Iterator[MailSink]:
    """The SMTP server (aiosmtpd, on 127.0.0.1) every message of the tests arrives at.

    In-process, the test app's `EMAIL_URL` points here. Under ``--base-url`` the live server's
    worker must send here, so the port comes from ``--smtp-port``; without it the tests that
    read mail are skipped.
    """
    port = pytestconfig.getoption("contract_smtp_port")
    if pytestconfig.getoption("contract_base_url") and not port:
        pytest.skip("reading mail from a live server needs --smtp-port (its worker's SMTP port)")
    sink = MailSink(port)
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session", autouse=True)
def _live_mail_sink_from_the_start(
    pytestconfig: pytest.Config, request: pytest.FixtureRequest
) -> None:
    """Against a live server, the SMTP server is up before the first test registers anyone.

    Started by the first mail test instead, it would find the worker's queue full of the
    verification mails of every account registered before it, each failed and waiting for
    its retry, and its own message behind them.
    """
    live = pytestconfig.getoption("contract_base_url")
    if live and pytestconfig.getoption("contract_smtp_port"):
        request.getfixturevalue("mail_sink")
{%- endif %}


{%- if with_files %}


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server on 127.0.0.1 for the whole session (CONTRACT.md, section 13)."""
    server = S3Server()
    server.start()
    yield server
    server.stop()


@dataclass
class StorageUnderTest:
    """One storage the attachment tests run on: its settings and a look at what it holds."""

    kind: str
    settings: dict[str, str]
    folder: Path | None = None
    bucket: str = ""
    server: S3Server | None = field(default=None, repr=False)

    def keys(self) -> list[str]:
        """The names of every stored object (file names in the folder, keys in the bucket)."""
        if self.server is not None:
            return self.server.keys(self.bucket)
        assert self.folder is not None
        return sorted(path.name for path in self.folder.rglob("*") if path.is_file())


@pytest.fixture(params=["local", "s3"])
def file_storage(request: pytest.FixtureRequest, tmp_path: Path) -> StorageUnderTest:
    """A fresh, empty storage: a folder under ``tmp_path``, then a new bucket on moto."""
    if request.param == "local":
        folder = tmp_path / "files"
        return StorageUnderTest("local", {"FILES_DIR": str(folder), "S3_BUCKET": ""}, folder)
    server: S3Server = request.getfixturevalue("s3_server")
    bucket = server.new_bucket()
    return StorageUnderTest("s3", server.settings(bucket), bucket=bucket, server=server)


@pytest.fixture
def files_client(
    file_storage: StorageUnderTest, configured_app_client: Callable[..., httpx.Client]
) -> Callable[..., httpx.Client]:
    """``files_client(**settings)``: an in-process app storing in ``file_storage``.

    Settings are named like the environment variables (``ATTACHMENT_MAX_BYTES="4096"``); the
    app shares the database of ``client``, so ``signed_in`` accounts work on it.
    """

    def make(**settings: str) -> httpx.Client:
        return configured_app_client(**{**file_storage.settings, **settings})

    return make
{%- endif %}


@pytest.fixture
def live_create_user(
    request: pytest.FixtureRequest, contract_client: httpx.Client
) -> Callable[..., dict[str, Any]]:
    """``create_user`` for a live server: plain users are registered through the API.

    An admin or an inactive user cannot be made through the API, so a test asking for one is
    skipped.{% if with_jobs %} A verified one follows the link of the verification message.{% endif %}
    """

    def register(
        email: str,
        password: str,
        role: str = "user",
        *,
        is_active: bool = True,
{%- if with_jobs %}
        email_verified: bool = False,
{%- endif %}
    ) -> dict[str, Any]:
        if role != "user":
            pytest.skip("an admin can only be created in-process (never through the API)")
        if not is_active:
            pytest.skip("deactivating a user needs the in-process database")
        response = contract_client.post(
            f"{API}/auth/register",
            json={"email": email, "password": password, "full_name": "Contract Tester"},
        )
        assert response.status_code == HTTPStatus.CREATED, response.text
{%- if with_jobs %}
        if email_verified:
            sink: MailSink = request.getfixturevalue("mail_sink")
            token = sink.token(email, "verify-email")
            verified = contract_client.post(f"{API}/auth/verify-email", json={"token": token})
            assert verified.status_code == HTTPStatus.NO_CONTENT, verified.text
            return {**response.json(), "email_verified": True}
{%- endif %}
        return response.json()

    return register


@pytest.fixture
def unique_email() -> Callable[[str], str]:
    """Return a maker of addresses no other test uses.

    Unique addresses keep a live run clear of the per-email login throttle across tests.
    """

    def make(prefix: str = "user") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"

    return make


@pytest.fixture
def signed_in(
    client: httpx.Client,
    create_user: Callable[..., dict[str, Any]],
    unique_email: Callable[[str], str],
) -> Callable[..., Account]:
    """Return ``signed_in(role="user", *, email=None, password=DEFAULT_PASSWORD) -> Account``.

    The user is made with ``create_user`` and logged in once through the API.{% if with_jobs %}
    ``signed_in(verified=True)`` makes one whose address is verified (CONTRACT.md, section 12).{% endif %}
    """

    def make(
        role: str = "user",
        *,
        email: str | None = None,
        password: str = DEFAULT_PASSWORD,
{%- if with_jobs %}
        verified: bool = False,
{%- endif %}
    ) -> Account:
        address = email or unique_email(role)
{%- if with_jobs %}
        user = create_user(address, password, role, email_verified=verified)
{%- else %}
        user = create_user(address, password, role)
{%- endif %}
        response = login(client, address, password)
        assert response.status_code == HTTPStatus.OK, response.text
        tokens = response.json()
        return Account(
            user=user,
            email=address,
            password=password,
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
        )

    return make
