"""Exercise 16: the web server limits logins per client address before the app sees them.

The project's own nginx site (deploy/nginx/site.conf.template, made by `make nginx-config`)
runs on loopback in front of two small stand-in instances that answer every request and
remember what reached them, so the test sees what nginx passed on and what it answered
itself. It needs Debian's nginx and envsubst (gettext-base), and skips with the reason
without them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from .support import serving

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.exercise

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/api/v1/auth/login"
CREDENTIALS = {"email": "someone@example.com", "password": "not the password at all"}
# The limit the exercise asks for: 10 a minute, 5 more at once.
BURST = 5
TOOLS = ("nginx", "envsubst", "openssl", "make")
TOOLS_PACKAGES = "nginx gettext-base openssl make"


class Upstream(ThreadingHTTPServer):
    """A stand-in app instance: answers 200 to everything and records each request."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.seen: list[tuple[str, str, str]] = []

    @property
    def address(self) -> str:
        host, port = self.server_address[:2]
        return f"{host!s}:{port}"


class _Recorder(BaseHTTPRequestHandler):
    server: Upstream

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.seen.append((self.command, self.path, self.headers.get("X-Forwarded-For", "")))
        body = b'{"reached": "the app"}'
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer  # noqa: N815 - the names http.server calls

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Keep the test's output clean."""


@dataclass(frozen=True)
class Proxy:
    """nginx on loopback: a client of it, the stand-ins behind it, and how to reach it."""

    client: httpx.Client
    upstreams: list[Upstream]
    base_url: str
    trust: ssl.SSLContext

    def logins_reached(self) -> int:
        """How many logins reached the stand-ins."""
        return sum(1 for up in self.upstreams for _, path, _ in up.seen if path == LOGIN)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tools() -> dict[str, str]:
    """The full paths of the commands the test runs; skip when one is missing."""
    found = {name: shutil.which(name, path=f"{os.defpath}:/usr/sbin:/sbin") for name in TOOLS}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} missing (Debian: apt-get install {TOOLS_PACKAGES})")
    return {name: path for name, path in found.items() if path is not None}


def _certificate(openssl: str, folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603 - a found openssl, fixed arguments
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return certificate, key


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[Proxy]:
    """nginx with the project's site in front of two stand-ins; a client that trusts it."""
    tools = _tools()
    nginx = tools["nginx"]
    upstreams = [Upstream(), Upstream()]
    certificate, key = _certificate(tools["openssl"], tmp_path)
    port = _free_port()
    site = tmp_path / "site.conf"
    settings = {
        "NGINX_CONFIG": str(site),
        "NGINX_SERVER_NAME": "127.0.0.1",
        "NGINX_HTTP_LISTEN": f"127.0.0.1:{_free_port()}",
        "NGINX_HTTPS_LISTEN": f"127.0.0.1:{port}",
        "NGINX_TLS_CERTIFICATE": str(certificate),
        "NGINX_TLS_CERTIFICATE_KEY": str(key),
        "NGINX_APP_SERVER_1": upstreams[0].address,
        "NGINX_APP_SERVER_2": upstreams[1].address,
    }
    assignments = [f"{name}={value}" for name, value in settings.items()]
    # `make nginx-config` runs envsubst, which must be on PATH.
    made = subprocess.run(  # noqa: S603 - a found make, fixed target and values
        [tools["make"], "--no-print-directory", "nginx-config", *assignments],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    main = tmp_path / "nginx.conf"
    # nginx's main config around the site, written line by line (this file is a template
    # of scaffold's, where doubled braces would be read as its own expressions).
    lines = [
        "worker_processes 1;",
        f"pid {tmp_path / 'nginx.pid'};",
        f"error_log {tmp_path / 'error.log'} notice;",
        "events { }",
        "http {",
        "    access_log off;",
        *(f"    {kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy")),
        f"    include {site};",
        "}",
    ]
    main.write_text("\n".join(lines) + "\n", encoding="utf-8")
    checked = subprocess.run(  # noqa: S603 - a found nginx, fixed arguments
        [nginx, "-t", "-c", str(main), "-e", str(tmp_path / "error.log")],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, f"nginx -t refused the site:\n{checked.stderr}"
    server = subprocess.Popen(  # noqa: S603 - nginx found above, fixed arguments
        [nginx, "-c", str(main), "-e", str(tmp_path / "error.log"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    context = ssl.create_default_context(cafile=str(certificate))
    base = f"https://127.0.0.1:{port}"
    try:
        with (
            serving(upstreams[0]),
            serving(upstreams[1]),
            httpx.Client(base_url=base, verify=context, timeout=10) as client,
        ):
            deadline = time.monotonic() + 20
            while True:
                try:
                    client.get("/health/live")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.1)
            for upstream in upstreams:
                upstream.seen.clear()
            yield Proxy(client, upstreams, base, context)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_logins_beyond_the_burst_are_refused_by_nginx(proxy: Proxy) -> None:
    statuses = [proxy.client.post(LOGIN, json=CREDENTIALS).status_code for _ in range(BURST + 6)]

    passed = statuses.count(HTTPStatus.OK)
    assert HTTPStatus.TOO_MANY_REQUESTS in statuses, (
        f"{len(statuses)} logins in a row from one address all reached the app: "
        "limit POST /api/v1/auth/login in deploy/nginx/site.conf.template"
    )
    assert BURST + 1 <= passed <= BURST + 2, (
        f"{passed} of {len(statuses)} quick logins reached the app; the limit lets the first "
        f"one and a burst of {BURST} more through at once ({statuses})"
    )
    assert proxy.logins_reached() == passed, "a refused login must never reach the app"


def test_the_refusal_is_the_contracts_429_problem_with_retry_after(proxy: Proxy) -> None:
    for _ in range(BURST + 3):
        answer = proxy.client.post(LOGIN, json=CREDENTIALS)
    assert answer.status_code == HTTPStatus.TOO_MANY_REQUESTS, (
        f"the login after the burst answered {answer.status_code}, expected 429"
    )
    assert answer.headers.get("content-type", "").startswith("application/problem+json"), (
        f"nginx's 429 is {answer.headers.get('content-type')!r}: answer the contract's problem "
        "(application/problem+json) from a named location"
    )
    problem = json.loads(answer.text)
    assert problem.get("status") == HTTPStatus.TOO_MANY_REQUESTS, problem
    assert problem.get("title") == "Too Many Requests", problem
    assert answer.headers.get("retry-after", "").isdigit(), (
        "a 429 carries Retry-After in whole seconds (CONTRACT.md, section 2)"
    )


def test_other_routes_and_other_addresses_are_not_limited(proxy: Proxy) -> None:
    client = proxy.client
    for _ in range(BURST + 3):
        client.post(LOGIN, json=CREDENTIALS)
    other = [client.get("/api/v1/tasks").status_code for _ in range(2 * BURST)]
    assert set(other) == {HTTPStatus.OK}, f"GET /api/v1/tasks was limited too: {other}"
    registered = client.post("/api/v1/auth/register", json=CREDENTIALS)
    assert registered.status_code == HTTPStatus.OK, "only the login is limited"

    # Another client address (Linux answers on all of 127.0.0.0/8) has its own allowance.
    transport = httpx.HTTPTransport(verify=proxy.trust, local_address="127.0.0.2")
    with httpx.Client(base_url=proxy.base_url, transport=transport, timeout=10) as second:
        answer = second.post(LOGIN, json=CREDENTIALS)
    assert answer.status_code == HTTPStatus.OK, (
        f"a login from another address answered {answer.status_code}: limit per client "
        "address ($binary_remote_addr), not for everyone at once"
    )
    forwarded = {xff for up in proxy.upstreams for _, path, xff in up.seen if path == LOGIN}
    assert forwarded == {"127.0.0.1", "127.0.0.2"}, (
        f"the login location must pass requests on like the others (X-Forwarded-For: {forwarded})"
    )
