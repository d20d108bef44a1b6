"""Slow tier: the production topology, proven on loopback for each framework.

Debian's nginx in front of two instances of the generated project, which share one
PostgreSQL database and one Redis database. Nothing here is rewritten for the test: the nginx
site is the project's own `deploy/nginx/site.conf.template`, rendered by its own
`make nginx-config` with this test's ports and certificate; the instances are its own
`make run`. Only the main nginx.conf around the site is the test's (a pid file, logs and
temporary folders a non-root run can write, where a distribution's nginx.conf would name
/var and /run).

The client connects from 127.0.0.7 and, to bypass the proxy, from 127.0.0.5; nginx reaches
the instances from 127.0.0.1, the only address in their TRUSTED_PROXIES. Each instance writes
one JSON log line per request with the client address it counted, which is how the test
knows which instance answered and what it believed.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FRAMEWORK_NAMES
from tests.generated.conftest import assert_ok, free_port, make, stop, wait_until_live
from tests.generated.test_generated_projects import PROJECTS
from tests.services import (
    POSTGRES_HOST,
    POSTGRES_PORT,
    REDIS_HOST,
    REDIS_PORT,
    redis_url,
    require,
)

pytestmark = pytest.mark.slow

CLIENT = "127.0.0.7"  # the client, through nginx
OTHER_CLIENT = "127.0.0.8"  # a second client, through nginx
BYPASS = "127.0.0.5"  # a client that reaches an instance directly
FORGED = "203.0.113.9"  # what clients claim in X-Forwarded-For
PASSWORD = "correct horse battery staple 42"  # noqa: S105 - a test user's
METRICS_TOKEN = "m" * 40
TIMEOUT = 30  # seconds for any one request
STARTUP = 120  # seconds for an instance or nginx to come up


def _nginx() -> str:
    """The nginx binary (skip, or fail when services are required, without one)."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if found:
        return found
    message = "nginx is not installed (apt-get install nginx)"
    if os.environ.get("SCAFFOLD_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message}, and SCAFFOLD_REQUIRE_SERVICES=1 requires it")
    pytest.skip(message)


@dataclass
class Answer:
    """One HTTP answer, headers with lower-case names."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


class Relay:
    """A TCP relay on loopback to PostgreSQL, which the test can cut like a failed network.

    The second instance reaches the shared database through it, so one instance alone can
    lose its database while the other keeps it.
    """

    def __init__(self, host: str, port: int) -> None:
        """Listen on a free loopback port; relay each connection to `host:port`."""
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                end.close()

    def cut(self) -> None:
        """Refuse new connections and break the open ones."""
        # shutdown, not only close: a close leaves the thread blocked in accept() listening.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.lock:
            for end in self.open:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()


@dataclass
class Topology:
    """nginx on two ports in front of two instances, and how to talk to each."""

    http_port: int
    https_port: int
    instance_ports: tuple[int, int]
    tls: ssl.SSLContext
    logs: tuple[Path, Path]
    relay: Relay
    servers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
        source: str = CLIENT,
        port: int | None = None,
    ) -> Answer:
        """One request on a new connection: through nginx's HTTPS, or to `port` in plain HTTP."""
        if port is None:
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                "127.0.0.1", self.https_port, context=self.tls, timeout=TIMEOUT,
                source_address=(source, 0),
            )  # fmt: skip
        else:
            connection = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=TIMEOUT, source_address=(source, 0)
            )
        sent = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=data, headers=sent)
            answer = connection.getresponse()
            received: dict[str, str] = {}
            for name, value in answer.getheaders():  # a repeated header is one list
                key = name.lower()
                received[key] = f"{received[key]}, {value}" if key in received else value
            return Answer(answer.status, received, answer.read())
        finally:
            connection.close()

    def log_lines(self, index: int) -> list[dict[str, Any]]:
        """The request lines instance `index` has logged so far."""
        lines = []
        text = self.logs[index].read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # the server's own start-up lines
            if isinstance(record, dict) and {"method", "path", "status"} <= record.keys():
                lines.append(record)
        return lines

    def served(self, path: str, method: str = "GET", *, total: int = 0) -> tuple[int, int]:
        """How many `method path` requests each instance has logged (at least `total` in all).

        An instance may write its line just after the answer has left, so a count that is
        still short of `total` is read again, for up to ten seconds.
        """
        deadline = time.monotonic() + 10
        while True:
            counts = tuple(
                sum(1 for r in self.log_lines(i) if r["path"] == path and r["method"] == method)
                for i in (0, 1)
            )
            if sum(counts) >= total or time.monotonic() > deadline:
                return counts  # type: ignore[return-value]
            time.sleep(0.1)


def _certificate(folder: Path) -> tuple[Path, Path, ssl.SSLContext]:
    """A certificate for 127.0.0.1 from a throwaway authority, and a client that trusts it."""
    import trustme  # only this test needs it

    authority = trustme.CA()
    issued = authority.issue_cert("127.0.0.1", "localhost")
    chain, key = folder / "chain.pem", folder / "key.pem"
    chain.write_bytes(b"".join(blob.bytes() for blob in issued.cert_chain_pems))
    key.write_bytes(issued.private_key_pem.bytes())
    key.chmod(0o600)
    client = ssl.create_default_context()
    authority.configure_trust(client)
    return chain, key, client


def _main_config(folder: Path, site: Path) -> Path:
    """The test's nginx.conf: only what a distribution's would hold, in writable places."""
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir(exist_ok=True)
    mime = Path("/etc/nginx/mime.types")
    config = folder / "nginx.conf"
    config.write_text(
        f"""daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    {f"include {mime};" if mime.exists() else ""}
    default_type application/octet-stream;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {site};
}}
""",
        encoding="utf-8",
    )
    return config


def _start(command: list[str], cwd: Path, env: dict[str, str], log: Path):
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def _nginx_config(
    project: Path, folder: Path, nginx: str, listen: tuple[int, int], ports: tuple[int, int]
) -> tuple[Path, ssl.SSLContext]:
    """The project's site, made by its `make nginx-config` and passed by `nginx -t`.

    Returns:
        The main config that includes it, and a client context that trusts its certificate.
    """
    http_port, https_port = listen
    chain, key, client = _certificate(folder)
    site = folder / "site.conf"
    rendered = make(
        project,
        "nginx-config",
        f"NGINX_CONFIG={site}",
        "NGINX_SERVER_NAME=127.0.0.1",
        f"NGINX_PUBLIC_ORIGIN=https://127.0.0.1:{https_port}",
        f"NGINX_HTTP_LISTEN=127.0.0.1:{http_port}",
        f"NGINX_HTTPS_LISTEN=127.0.0.1:{https_port}",
        f"NGINX_TLS_CERTIFICATE={chain}",
        f"NGINX_TLS_CERTIFICATE_KEY={key}",
        f"NGINX_APP_SERVER_1=127.0.0.1:{ports[0]}",
        f"NGINX_APP_SERVER_2=127.0.0.1:{ports[1]}",
        timeout=60,
    )
    assert_ok(rendered, "make nginx-config")
    assert not re.search(r"\$\{NGINX_", site.read_text(encoding="utf-8")), "left unfilled"
    config = _main_config(folder, site)
    checked = subprocess.run(
        [nginx, "-t", "-c", str(config), "-e", str(folder / "error.log")],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr
    assert "test is successful" in checked.stderr
    return config, client


@pytest.fixture
def topology(
    installed_project: Path, postgres_database: str, tmp_path: Path, request
) -> Iterator[Topology]:
    """nginx with TLS in front of two `make run` instances sharing PostgreSQL and Redis."""
    nginx = _nginx()
    require("Redis", REDIS_HOST, REDIS_PORT)
    framework = request.node.callspec.params["installed_project"]
    # Redis databases 5, 6, 7: apart from the live contract runs' 2, 3, 4; emptied first.
    shared_redis = redis_url(5 + FRAMEWORK_NAMES.index(framework))
    python = str(installed_project / ".venv" / "bin" / "python")
    flush = "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()"
    subprocess.run([python, "-c", flush, shared_redis], check=True, timeout=30)

    http_port, https_port = free_port(), free_port()
    ports = (free_port(), free_port())
    config, client = _nginx_config(
        installed_project, tmp_path, nginx, (http_port, https_port), ports
    )

    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "ENVIRONMENT": "production",
        "DATABASE_URL": postgres_database,
        "REDIS_URL": shared_redis,
        "TRUSTED_PROXIES": "127.0.0.1",
        "METRICS_TOKEN": METRICS_TOKEN,
        # Production settings want a mail server; no job runs here, so none is ever reached.
        "EMAIL_URL": f"smtp://127.0.0.1:{free_port()}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "WEB_CONCURRENCY": "2",
        "WORKERS": "2",
    }
    logs = (tmp_path / "instance-1.log", tmp_path / "instance-2.log")
    # The second instance reaches the same database through a relay the test can cut.
    relay = Relay(POSTGRES_HOST, POSTGRES_PORT)
    relayed_database = postgres_database.replace(
        f"{POSTGRES_HOST}:{POSTGRES_PORT}", f"127.0.0.1:{relay.port}", 1
    )
    assert relayed_database != postgres_database
    databases = (postgres_database, relayed_database)
    topology = Topology(http_port, https_port, ports, client, logs, relay)
    try:
        # One after the other: the first `make run` migrates, the second finds nothing to do,
        # as a migration job before a rolling start would.
        for port, log, database in zip(ports, logs, databases, strict=True):
            own = {**env, "PORT": str(port), "DATABASE_URL": database}
            server = _start(["make", "run"], installed_project, own, log)
            topology.servers.append(server)
            wait_until_live(f"http://127.0.0.1:{port}/health/ready", server, log, STARTUP)
        proxy_log = tmp_path / "nginx.out"
        proxy = _start(
            [nginx, "-c", str(config), "-e", str(tmp_path / "error.log")],
            installed_project, env, proxy_log,
        )  # fmt: skip
        topology.servers.append(proxy)
        deadline = time.monotonic() + STARTUP
        while True:
            try:
                if topology.request("GET", "/health/live").status == 200:
                    break
            except OSError:
                if proxy.poll() is not None or time.monotonic() > deadline:
                    error = (tmp_path / "error.log").read_text(errors="replace")[-3000:]
                    pytest.fail(f"nginx did not come up:\n{error}")
                time.sleep(0.2)
        yield topology
    finally:
        for process in reversed(topology.servers):
            if process.poll() is None:
                stop(process)
        relay.cut()


def _register_and_login(topology: Topology, email: str) -> dict[str, Any]:
    registered = topology.request(
        "POST", "/api/v1/auth/register",
        body={"email": email, "password": PASSWORD, "full_name": "Ada Lovelace"},
    )  # fmt: skip
    assert registered.status == 201, registered
    login = topology.request(
        "POST", "/api/v1/auth/login", body={"email": email, "password": PASSWORD}
    )
    assert login.status == 200, login
    return login.json()


def _bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def _metric(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include `labels` (0 when there are none)."""
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"^{re.escape(name)}(?:\{{(.*)\}})? (\S+)$", line)
        if not match:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(1) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(match.group(2))
    return total


@pytest.mark.parametrize("installed_project", PROJECTS, indirect=True)
def test_nginx_in_front_of_two_instances(topology: Topology) -> None:  # noqa: PLR0915
    """TLS, redirect, spread, shared state, client address, delivery and metrics, in order."""
    # Plain HTTP only redirects, to the configured origin whatever Host the client sent.
    redirect = topology.request(
        "GET", "/api/v1/tasks?limit=5", headers={"Host": "evil.example"},
        port=topology.http_port,
    )  # fmt: skip
    assert redirect.status == 301, redirect
    assert redirect.headers["location"] == (
        f"https://127.0.0.1:{topology.https_port}/api/v1/tasks?limit=5"
    )
    assert "nginx/" not in redirect.headers.get("server", "")

    # Requests spread over both instances.
    tokens = _register_and_login(topology, "ada@example.com")
    before = topology.served("/api/v1/tasks")
    for _ in range(10):
        assert topology.request("GET", "/api/v1/tasks", headers=_bearer(tokens)).status == 200
    after = topology.served("/api/v1/tasks", total=sum(before) + 10)
    spread = [b - a for a, b in zip(before, after, strict=True)]
    assert sum(spread) == 10, spread
    assert min(spread) >= 3, spread

    # A refresh token rotated on one instance is refused on the other (then the whole family).
    rotated = topology.request(
        "POST", "/api/v1/auth/refresh", body={"refresh_token": tokens["refresh_token"]}
    )
    assert rotated.status == 200, rotated
    replayed = topology.request(
        "POST", "/api/v1/auth/refresh", body={"refresh_token": tokens["refresh_token"]}
    )
    assert replayed.status == 401, replayed
    assert topology.served("/api/v1/auth/refresh", "POST", total=2) == (1, 1)
    descendant = topology.request(
        "POST", "/api/v1/auth/refresh", body={"refresh_token": rotated.json()["refresh_token"]}
    )
    assert descendant.status == 401, descendant  # the replay revoked the family everywhere
    tokens = topology.request(
        "POST", "/api/v1/auth/login", body={"email": "ada@example.com", "password": PASSWORD}
    ).json()

    # Five failures spread over both instances lock the email for this client; a header the
    # client writes does not change who it is, and another client is not locked out.
    _register_and_login(topology, "grace@example.com")
    failed = {"email": "grace@example.com", "password": "wrong password 12345"}
    counted_before = topology.served("/api/v1/auth/login", "POST")
    for _ in range(5):
        assert topology.request("POST", "/api/v1/auth/login", body=failed).status == 401
    counted = topology.served("/api/v1/auth/login", "POST", total=sum(counted_before) + 5)
    assert min(b - a for a, b in zip(counted_before, counted, strict=True)) >= 2, counted
    right = {"email": "grace@example.com", "password": PASSWORD}
    for forged in (None, FORGED):
        headers = {"X-Forwarded-For": forged} if forged else {}
        locked = topology.request("POST", "/api/v1/auth/login", body=right, headers=headers)
        assert locked.status == 429, locked
        assert int(locked.headers["retry-after"]) > 0
    elsewhere = topology.request("POST", "/api/v1/auth/login", body=right, source=OTHER_CLIENT)
    assert elsewhere.status == 200, elsewhere

    # The address the instances log: the proxy's header only when the proxy sent it.
    topology.request("GET", "/api/v1/users/me", headers={"X-Forwarded-For": FORGED})
    direct = topology.request(
        "GET", "/api/v1/users/me", headers={"X-Forwarded-For": FORGED},
        source=BYPASS, port=topology.instance_ports[0],
    )  # fmt: skip
    # 401, or Django's production settings first sending plain HTTP to HTTPS: either way the
    # instance logged the line this checks.
    assert direct.status in {401, 301}, direct
    topology.served("/api/v1/users/me", total=2)
    clients = {
        r["client"]
        for i in (0, 1)
        for r in topology.log_lines(i)
        if r["path"] == "/api/v1/users/me"
    }
    assert clients == {CLIENT, BYPASS}, clients

    # Delivery: gzip from nginx, ETag from the app (weakened by nginx), 304 on a match.
    for number in range(12):
        created = topology.request(
            "POST", "/api/v1/tasks", headers=_bearer(tokens),
            body={"title": f"Task {number}", "description": "x" * 80},
        )  # fmt: skip
        assert created.status == 201, created
    listed = topology.request(
        "GET", "/api/v1/tasks", headers={**_bearer(tokens), "Accept-Encoding": "gzip"}
    )
    assert listed.status == 200
    assert listed.headers.get("content-encoding") == "gzip", listed.headers
    assert "Accept-Encoding" in listed.headers.get("vary", "")
    assert json.loads(gzip.decompress(listed.body))["total"] == 12
    etag = listed.headers["etag"]
    assert listed.headers["cache-control"] == "private, no-cache"
    for _ in range(2):  # once on each instance
        again = topology.request(
            "GET", "/api/v1/tasks",
            headers={**_bearer(tokens), "Accept-Encoding": "gzip", "If-None-Match": etag},
        )  # fmt: skip
        assert again.status == 304, again
        assert again.body == b""
    plain = topology.request("GET", "/api/v1/tasks", headers=_bearer(tokens))
    assert "content-encoding" not in plain.headers
    assert json.loads(plain.body)["total"] == 12

    # Metrics: not public; with the token, through nginx, the counters move.
    assert topology.request("GET", "/metrics").status == 404
    scrape_headers = {"Authorization": f"Bearer {METRICS_TOKEN}"}

    def scrape_both() -> tuple[float, float]:
        # Round robin: two scrapes in a row reach both instances, and the sum is theirs.
        texts = [topology.request("GET", "/metrics", headers=scrape_headers) for _ in range(2)]
        assert all(t.status == 200 for t in texts), texts
        bodies = [t.body.decode() for t in texts]
        return (
            sum(_metric(b, "http_requests_total", route="/api/v1/tasks", method="GET")
                for b in bodies),
            sum(_metric(b, "login_failures_total") for b in bodies),
        )  # fmt: skip

    requests_before, failures_before = scrape_both()
    assert failures_before >= 5
    for _ in range(6):
        topology.request("GET", "/api/v1/tasks", headers=_bearer(tokens))
    topology.request("POST", "/api/v1/auth/login", body=failed, source=OTHER_CLIENT)
    requests_after, failures_after = scrape_both()
    assert requests_after - requests_before == 6
    assert failures_after - failures_before == 1


@pytest.mark.parametrize("installed_project", PROJECTS, indirect=True)
def test_an_instance_stopped_mid_run_loses_no_retryable_request(topology: Topology) -> None:
    """GETs keep succeeding while one instance shuts down; the other takes them all."""
    tokens = _register_and_login(topology, "ada@example.com")
    failures: list[str] = []
    answered = 0
    stop = threading.Event()

    def keep_reading() -> None:
        nonlocal answered
        while not stop.is_set() and answered < 400:
            try:
                answer = topology.request("GET", "/api/v1/tasks", headers=_bearer(tokens))
            except OSError as error:
                failures.append(repr(error))
                continue
            if answer.status != 200:
                failures.append(f"{answer.status} {answer.body[:200]!r}")
            answered += 1

    readers = [threading.Thread(target=keep_reading) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        time.sleep(1.5)
        # The second instance's `make run`, gunicorn or uvicorn and its workers: SIGTERM, as
        # a rolling restart sends it, and it is gone for the rest of the run.
        os.killpg(topology.servers[1].pid, signal.SIGTERM)
        topology.servers[1].wait(timeout=60)
        served_by_stopped = topology.served("/api/v1/tasks")[1]
        time.sleep(2)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=60)
    assert not failures, failures[:5]
    assert answered >= 20, answered
    # The stopped instance served some before it went, and none after.
    assert served_by_stopped > 0
    assert topology.served("/api/v1/tasks")[1] == served_by_stopped
    assert topology.request("GET", "/health/ready").status == 200


@pytest.mark.parametrize("installed_project", PROJECTS, indirect=True)
def test_an_instance_that_is_not_ready_is_taken_out(topology: Topology) -> None:
    """The second instance loses its database: its 503 from /health/ready takes it out.

    Open-source nginx checks passively: the 503 makes it pass the request to the other
    instance and count a failure, and for the next 10 s (fail_timeout) every request goes to
    the instance that is ready.
    """
    tokens = _register_and_login(topology, "ada@example.com")
    topology.relay.cut()
    itself = topology.request(
        "GET", "/health/ready", source="127.0.0.1", port=topology.instance_ports[1]
    )
    assert itself.status == 503, itself
    for _ in range(4):
        assert topology.request("GET", "/health/ready").status == 200
    before = topology.served("/api/v1/tasks")
    for _ in range(8):
        read = topology.request("GET", "/api/v1/tasks", headers=_bearer(tokens))
        assert read.status == 200, read
    after = topology.served("/api/v1/tasks", total=sum(before) + 8)
    assert after[0] - before[0] == 8, (before, after)
    assert after[1] == before[1]
