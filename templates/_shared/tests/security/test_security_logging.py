"""Security logging: events, redaction and one line per record (ASVS 7.1.1).

The app logs each event with the event name as the message, so caplog finds it whatever the
framework; ``log_formatter`` is the formatter the app writes its JSON lines with.
"""

from __future__ import annotations

import json
import logging
import re
from http import HTTPStatus

import pytest

LOGIN = "/api/v1/auth/login"
PASSWORD = "logging-Test-pass!"
# An id to quote when reporting an error: a run of 8 or more letters, digits and dashes with
# at least one digit (which keeps ordinary words out).
ERROR_ID = re.compile(r"\b(?=[A-Za-z0-9-]*\d)[A-Za-z0-9-]{8,}\b")
UTC_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)")


@pytest.fixture
def captured(caplog, in_process):
    """Capture every record the in-process app logs, from DEBUG up."""
    caplog.set_level(logging.DEBUG)
    return caplog


def events(caplog):
    """The messages of every captured record.

    Args:
        caplog: pytest's log capture.

    Returns:
        The list of messages, in order.
    """
    return [record.getMessage() for record in caplog.records]


def formatted_lines(caplog, formatter):
    """Format every captured record the way the app writes it.

    Args:
        caplog: pytest's log capture.
        formatter: The app's formatter.

    Returns:
        One string per record.
    """
    return [formatter.format(record) for record in caplog.records]


def make_record(message, *args, **extra):
    """Build a log record as a logger call with ``extra`` would.

    Args:
        message: The format string.
        *args: Its arguments.
        **extra: Attributes set on the record, like ``logger.info(..., extra=...)``.

    Returns:
        The record.
    """
    record = logging.LogRecord("security", logging.WARNING, __file__, 1, message, args, None)
    for name, value in extra.items():
        setattr(record, name, value)
    return record


@pytest.mark.asvs("7.1.1")
def test_a_successful_login_is_logged(client, create_user, unique_email, captured):
    email = unique_email("logged")
    create_user(email, PASSWORD)

    assert client.post(LOGIN, json={"email": email, "password": PASSWORD}).status_code == (
        HTTPStatus.OK
    )

    assert "authn_login_success" in events(captured)
    assert "authn_login_fail" not in events(captured)


@pytest.mark.asvs("7.1.1")
def test_a_failed_login_is_logged(client, create_user, unique_email, captured):
    email = unique_email("logged")
    create_user(email, PASSWORD)

    response = client.post(LOGIN, json={"email": email, "password": "wrong-password-1"})

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "authn_login_fail" in events(captured)
    assert "authn_login_success" not in events(captured)


@pytest.mark.asvs("7.1.1")
def test_a_throttled_login_is_logged(client, unique_email, captured):
    email = unique_email("locked")
    for _ in range(6):
        response = client.post(LOGIN, json={"email": email, "password": "wrong-password-1"})

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "authn_login_lock" in events(captured)


@pytest.mark.asvs("7.1.1")
def test_a_refused_admin_operation_is_logged(client, signed_in, captured):
    user = signed_in()

    response = client.get("/api/v1/users", headers=user.headers)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "authz_fail" in events(captured)


@pytest.mark.asvs("7.4.1")
def test_a_500_logs_the_error_id_it_shows(client, error_path, captured, log_formatter):
    response = client.get(error_path)

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    shown = ERROR_ID.findall(response.text)
    assert shown, "the 500 answer carries no error id"
    logged = "\n".join(formatted_lines(captured, log_formatter))
    assert any(error_id in logged for error_id in shown)


@pytest.mark.asvs("7.1.1")
def test_no_log_line_holds_a_password_or_token(
    client, create_user, unique_email, captured, log_formatter
):
    email = unique_email("secret")
    create_user(email, PASSWORD)
    client.post(LOGIN, json={"email": email, "password": "wrong-password-1"})
    tokens = client.post(LOGIN, json={"email": email, "password": PASSWORD}).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    client.get("/api/v1/users/me", headers=bearer)
    client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    client.post("/api/v1/auth/logout", json={"refresh_token": "x"}, headers=bearer)

    lines = formatted_lines(captured, log_formatter)
    assert lines, "the app logged nothing"
    for line in lines:
        for secret in (PASSWORD, "wrong-password-1", tokens["access_token"]):
            assert secret not in line
        assert tokens["refresh_token"] not in line


@pytest.mark.asvs("7.1.1")
def test_a_crlf_in_an_email_stays_on_one_log_line(client, captured, log_formatter):
    forged = 'victim@example.com\r\n{"message": "authn_login_success"}'

    client.post(LOGIN, json={"email": forged, "password": "wrong-password-1"})
    record = make_record("authn_login_fail", email=forged)
    record.msg = "authn_login_fail %s"
    record.args = (forged,)

    for line in [*formatted_lines(captured, log_formatter), log_formatter.format(record)]:
        assert "\n" not in line
        assert "\r" not in line


@pytest.mark.asvs("7.1.1")
def test_the_formatter_writes_one_json_object_in_utc(log_formatter):
    line = log_formatter.format(make_record("authn_login_fail"))

    entry = json.loads(line)
    assert isinstance(entry, dict)
    assert "authn_login_fail" in entry.values()
    assert any(
        isinstance(value, str) and UTC_TIMESTAMP.fullmatch(value) for value in entry.values()
    )


@pytest.mark.asvs("7.1.1")
def test_the_formatter_redacts_credentials_passed_as_extra(log_formatter):
    record = make_record(
        "authn_login_fail",
        password="hunter2-hunter2",
        token="tok-3f9a8b",
        authorization="Bearer abc.def.ghi",
        cookie="session=s3cr3t",
        secret="very-secret-value",
    )

    line = log_formatter.format(record)

    for value in ("hunter2-hunter2", "tok-3f9a8b", "abc.def.ghi", "s3cr3t", "very-secret-value"):
        assert value not in line
