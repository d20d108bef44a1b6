"""Settings, secrets and the server's identity (SECURITY.md 12, 13, 15, 25)."""

import re
import socket
import threading
import time
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.main import create_app
from app.models import User
from tests.conftest import PROJECT_ROOT

STRONG_SECRET = "k" * 20 + "-production-grade-random-key-0123456789"
VERSION = re.compile(r"\d+\.\d+")


@pytest.fixture
def no_settings_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An empty environment and a folder without .env, as on a fresh machine."""
    monkeypatch.chdir(tmp_path)
    for name in ("DEBUG", "ENVIRONMENT", "SECRET_KEY", "DATABASE_URL", "CORS_ORIGINS"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.asvs("14.3.2")
@pytest.mark.usefixtures("no_settings_environment")
def test_debug_is_off_by_default() -> None:
    settings = Settings()

    assert settings.debug is False
    assert create_app(settings).debug is False


@pytest.mark.asvs("14.3.2")
@pytest.mark.usefixtures("no_settings_environment")
@pytest.mark.parametrize("secret", ["", "change-me", "CHANGE-ME", "too-short-for-hs256"])
def test_production_refuses_a_missing_placeholder_or_short_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=SecretStr(secret))


@pytest.mark.asvs("14.3.2")
@pytest.mark.usefixtures("no_settings_environment")
def test_production_refuses_debug() -> None:
    with pytest.raises(ValidationError, match="DEBUG"):
        Settings(environment="production", secret_key=SecretStr(STRONG_SECRET), debug=True)


@pytest.mark.asvs("14.4.5")
def test_production_answers_carry_hsts(test_settings: Settings) -> None:
    production = test_settings.model_copy(
        update={"environment": "production", "secret_key": SecretStr(STRONG_SECRET)}
    )
    with TestClient(create_app(production)) as client:
        response = client.get("/health/live")

    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_development_answers_carry_no_hsts(app_client: TestClient) -> None:
    assert "strict-transport-security" not in app_client.get("/health/live").headers


@pytest.mark.asvs("2.10.4")
@pytest.mark.usefixtures("no_settings_environment")
def test_settings_come_from_dotenv_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Path(".env").write_text(
        "DATABASE_URL=sqlite:///./from-dotenv.db\nCORS_ORIGINS=https://dotenv.example\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CORS_ORIGINS", "https://env.example")

    settings = Settings()

    assert settings.database_url == "sqlite:///./from-dotenv.db"
    assert settings.cors_origins == ("https://env.example",)


@pytest.mark.asvs("2.10.4")
def test_dotenv_is_gitignored_and_the_example_holds_only_placeholders() -> None:
    ignored = (PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    example = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")

    assert ".env" in ignored
    assert re.search(r"^SECRET_KEY=change-me$", example, re.MULTILINE)


@pytest.mark.asvs("2.5.4")
def test_no_user_exists_after_migrating(db_sessions: sessionmaker[Session]) -> None:
    with db_sessions() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def live_server(test_settings: Settings) -> Iterator[str]:
    """An app behind a real uvicorn, configured like `make run` (no Server header).

    An app of its own: uvicorn runs the app's lifespan, whose shutdown would close the
    resources of the app the other tests share.
    """
    app = create_app(test_settings)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, server_header=False, log_config=None)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.asvs("14.3.3")
def test_the_server_discloses_no_name_or_version(live_server: str) -> None:
    response = httpx.get(f"{live_server}/health/live")

    assert response.status_code == HTTPStatus.OK
    assert "server" not in response.headers
    assert "x-powered-by" not in response.headers
    assert not any(VERSION.search(value) for value in response.headers.values())


@pytest.mark.asvs("14.3.3")
@pytest.mark.parametrize("launcher", ["Makefile", "Dockerfile"])
def test_every_production_launch_turns_the_server_header_off(launcher: str) -> None:
    text = (PROJECT_ROOT / launcher).read_text(encoding="utf-8").replace("\\\n", " ")
    launches = [line for line in text.splitlines() if "uvicorn app.main" in line]

    assert launches
    assert all("--no-server-header" in line for line in launches)
