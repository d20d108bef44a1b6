"""Security logging and generic errors of this FastAPI project (SECURITY.md 14, 23)."""

import json
import logging
from http import HTTPStatus

import pytest
from fastapi.testclient import TestClient

from tests.conftest import CreateUser

LOGIN = "/api/v1/auth/login"
PASSWORD = "logging-test-passphrase"


@pytest.mark.asvs("7.4.1")
def test_a_crash_answers_a_generic_500_whose_error_id_is_logged(
    app_client: TestClient, error_path: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = app_client.get(error_path)

    body = response.json()
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert response.headers["content-type"] == "application/problem+json"
    assert "Traceback" not in response.text
    assert "boom" not in response.text
    assert ".py" not in response.text
    logged = [r for r in caplog.records if getattr(r, "error_id", None) == body["error_id"]]
    assert len(logged) == 1
    assert logged[0].exc_info is not None


@pytest.mark.asvs("7.1.1")
def test_login_events_never_log_the_password_or_tokens(
    app_client: TestClient,
    create_user: CreateUser,
    caplog: pytest.LogCaptureFixture,
    log_formatter: logging.Formatter,
) -> None:
    create_user("log@example.com", PASSWORD)
    app_client.post(LOGIN, json={"email": "log@example.com", "password": "wrong-" + PASSWORD})
    tokens = app_client.post(LOGIN, json={"email": "log@example.com", "password": PASSWORD}).json()

    lines = [log_formatter.format(record) for record in caplog.records]

    assert {"authn_login_fail", "authn_login_success"} <= {r.getMessage() for r in caplog.records}
    text = "\n".join(lines)
    assert PASSWORD not in text
    assert tokens["access_token"] not in text
    assert tokens["refresh_token"] not in text


@pytest.mark.asvs("7.3.1")
def test_a_crlf_in_an_email_yields_one_log_line(
    app_client: TestClient, caplog: pytest.LogCaptureFixture, log_formatter: logging.Formatter
) -> None:
    forged = 'x@example.com\r\n{"message": "authn_login_success", "user_id": 1}'

    app_client.post(LOGIN, json={"email": forged, "password": PASSWORD})

    failures = [r for r in caplog.records if r.getMessage() == "authn_login_fail"]
    assert len(failures) == 1
    line = log_formatter.format(failures[0])
    assert "\n" not in line
    assert "\r" not in line
    assert json.loads(line)["message"] == "authn_login_fail"


@pytest.mark.asvs("7.1.1")
def test_the_formatter_redacts_secret_fields(log_formatter: logging.Formatter) -> None:
    record = logging.LogRecord("app", logging.INFO, __file__, 1, "event", None, None)
    record.authorization = "Bearer abc.def.ghi"
    record.new_password = PASSWORD

    line = log_formatter.format(record)

    assert "abc.def.ghi" not in line
    assert PASSWORD not in line
