"""SECRET_KEY: refused in production when weak, replaced loudly elsewhere (CONTRACT.md).

The rule: an empty key, a placeholder (``change-me``, ``secret``, ``django-insecure-...``, in
any case, spaces around it ignored) or a key shorter than 32 characters stops a production
start with a one-line message that names SECRET_KEY and never a value of any setting. In
development and test the process runs on a random key of its own and logs a WARNING naming
SECRET_KEY, so a token signed with the placeholder (which anyone can read in
``.env.example``) is refused.

The start-up tests run the project's ``check`` command (what a server start does before it
serves) in a subprocess, with the settings in its environment; environment variables win over
``.env``, so the project's own ``.env`` does not matter. One real start per outcome (refused,
accepted, warned) proves the command's own handling: exit status, one line, no traceback. The
other keys go through the same settings checks in this process (``check_in_process``), which
saves a Python start-up and the app's imports per key.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import warnings
from http import HTTPStatus
from pathlib import Path

import jwt
import pytest

from tests.contract.helpers import (
    API,
    DEFAULT_PASSWORD,
    access_claims,
    assert_problem,
    bearer,
    login,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ME = f"{API}/users/me"
# Other secret-looking settings in the same environment: no start-up message may print them.
POSTGRES_PASSWORD = "pg-" + secrets.token_hex(16)
ADMIN_PASSWORD = "admin-" + secrets.token_hex(16)
WEAK_KEYS = {
    "empty": "",
    "blank": "   ",
    "placeholder": "change-me",
    "placeholder in another case with spaces": "  Change-Me ",
    "placeholder secret-key": "secret-key",
    "django-insecure prefix": "django-insecure-" + "x" * 40,
    "31 characters": secrets.token_hex(16)[:31],
}


def start_settings(database_url, environment, secret_key):
    """The settings a start is given, named like environment variables.

    Args:
        database_url: The test's database, so the check never touches the project's own.
        environment: The ENVIRONMENT setting.
        secret_key: The SECRET_KEY setting.

    Returns:
        Environment variable names and values.
    """
    return {
        "ENVIRONMENT": environment,
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        # Production settings of some frameworks need the host names they answer to.
        "ALLOWED_HOSTS": "api.example.com",
        "POSTGRES_PASSWORD": POSTGRES_PASSWORD,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
    }


def run_check(project_command, database_url, *, environment, secret_key):
    """Run the project's ``check`` command with these settings in its environment.

    Args:
        project_command: The framework's ``project_command`` fixture.
        database_url: The test's database, so the command never touches the project's own.
        environment: The ENVIRONMENT setting.
        secret_key: The SECRET_KEY setting.

    Returns:
        The finished process, with its output as text.
    """
    return subprocess.run(  # noqa: S603 - a fixed command of this project, no shell
        project_command("check"),
        cwd=PROJECT_ROOT,
        env={**os.environ, **start_settings(database_url, environment, secret_key)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_no_setting_values(output, *values):
    """Assert that no setting's value (nor a traceback) made it into the command's output.

    Args:
        output: stdout and stderr of the command.
        *values: The values of settings given to the command that must not show.
    """
    assert "Traceback" not in output
    for value in (POSTGRES_PASSWORD, ADMIN_PASSWORD, *values):
        if value.strip():
            assert value.strip() not in output, "a setting's value was printed"


def forge(user_id, key):
    """Sign a well-formed access token for ``user_id`` with ``key``.

    Args:
        user_id: The ``sub`` of the token.
        key: The HS256 key to sign with.

    Returns:
        The encoded token.
    """
    claims = access_claims(user_id)
    with warnings.catch_warnings():
        # PyJWT warns about keys shorter than 32 bytes: forging with one is the point here.
        warnings.simplefilter("ignore")
        return jwt.encode(claims, key, algorithm="HS256")


def warning_lines(messages):
    """The messages that are a WARNING naming SECRET_KEY.

    Args:
        messages: Log lines or records' text.

    Returns:
        The matching lines.
    """
    return [line for line in messages if "SECRET_KEY" in line and "WARNING" in line.upper()]


@pytest.mark.long
@pytest.mark.asvs("2.10.4")
@pytest.mark.asvs("7.4.1")
def test_production_check_command_refuses_a_weak_secret_key_in_one_line(
    project_command, database_url
):
    result = run_check(
        project_command, database_url, environment="production", secret_key="change-me"
    )

    assert result.returncode != 0, result.stdout + result.stderr
    assert "SECRET_KEY" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert_no_setting_values(result.stdout + result.stderr, "change-me", database_url)


@pytest.mark.asvs("2.10.4")
@pytest.mark.asvs("7.4.1")
@pytest.mark.parametrize("secret_key", WEAK_KEYS.values(), ids=WEAK_KEYS.keys())
def test_production_refuses_to_start_with_a_weak_secret_key(
    check_in_process, database_url, secret_key
):
    refusal = check_in_process(**start_settings(database_url, "production", secret_key))

    assert refusal is not None, "the weak key was accepted"
    assert "SECRET_KEY" in refusal
    assert_no_setting_values(refusal, secret_key, database_url)


@pytest.mark.long
@pytest.mark.asvs("2.10.4")
def test_production_starts_with_a_strong_secret_key(project_command, database_url):
    secret_key = secrets.token_urlsafe(50)

    result = run_check(
        project_command, database_url, environment="production", secret_key=secret_key
    )

    assert result.returncode == 0, result.stderr
    assert_no_setting_values(result.stdout + result.stderr, secret_key, database_url)


@pytest.mark.long
@pytest.mark.asvs("2.10.4")
def test_development_check_command_warns_loudly_about_a_weak_key(project_command, database_url):
    result = run_check(
        project_command, database_url, environment="development", secret_key="change-me"
    )

    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    warnings = warning_lines(output.splitlines())
    assert warnings, f"no WARNING line naming SECRET_KEY in: {output!r}"
    # The warning says what it costs: tokens signed now die with the process.
    assert any("restart" in line.lower() for line in warnings), warnings
    assert_no_setting_values(output, "change-me", database_url)


@pytest.mark.asvs("2.10.4")
@pytest.mark.parametrize("secret_key", ["change-me", "", "too-short"])
def test_development_replaces_a_weak_key_with_a_loud_warning(
    check_in_process, database_url, caplog, secret_key
):
    caplog.set_level(logging.WARNING)

    refusal = check_in_process(**start_settings(database_url, "development", secret_key))

    assert refusal is None, refusal
    lines = [f"{record.levelname} {record.getMessage()}" for record in caplog.records]
    warnings = warning_lines(lines)
    assert warnings, f"no WARNING naming SECRET_KEY in: {lines!r}"
    # The warning says what it costs: tokens signed now die with the process.
    assert any("restart" in line.lower() for line in warnings), warnings
    assert_no_setting_values("\n".join(lines), secret_key, database_url)


@pytest.mark.asvs("2.10.4")
@pytest.mark.asvs("3.5.3")
def test_a_token_signed_with_the_placeholder_key_is_refused(configured_app_client, create_user):
    client = configured_app_client(SECRET_KEY="change-me")
    user = create_user("placeholder-key@example.com", DEFAULT_PASSWORD)

    forged = client.get(ME, headers=bearer(forge(user["id"], "change-me")))

    assert_problem(forged, HTTPStatus.UNAUTHORIZED)
    # The app does run, on a key of its own: a real login still works.
    response = login(client, "placeholder-key@example.com", DEFAULT_PASSWORD)
    assert response.status_code == HTTPStatus.OK, response.text
    me = client.get(ME, headers=bearer(response.json()["access_token"]))
    assert me.status_code == HTTPStatus.OK, me.text
