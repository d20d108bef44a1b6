"""What the database keeps of credentials (CONTRACT.md, auth details; ASVS 2.4.1).

Black-box on the schema: every table is read whole, whatever the framework named it, so the
test holds for Alembic and Django migrations alike. SQLite through the standard library,
PostgreSQL through psycopg (pinned in every project).
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from contextlib import closing
from http import HTTPStatus
from urllib.parse import unquote

import pytest

LOGIN = "/api/v1/auth/login"
PASSWORD = "at-rest-Test-pass!"


def stored_values(database_url):
    """Every value of every table in the database, as text.

    Args:
        database_url: A ``sqlite:///`` or ``postgresql://`` URL.

    Returns:
        The values, each converted with ``str``.
    """
    if database_url.startswith("sqlite"):
        # sqlite:///./app.db is relative, sqlite:////tmp/app.db absolute (SQLAlchemy's form).
        path = unquote(database_url.split("///", 1)[1])
        with closing(sqlite3.connect(path)) as connection:
            tables = [
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return [
                str(value)
                for table in tables
                # Names come from the database's own catalog, not from any input.
                for row in connection.execute(f'SELECT * FROM "{table}"')  # noqa: S608
                for value in row
            ]
    import psycopg  # noqa: PLC0415 - only PostgreSQL runs need it

    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        ]
        return [
            str(value)
            for table in tables
            for row in connection.execute(f'SELECT * FROM "{table}"'.encode())  # noqa: S608
            for value in row
        ]


@pytest.fixture
def logged_in(client, create_user, unique_email):
    """A user who has logged in once; returns the login's tokens."""
    email = unique_email("at-rest")
    create_user(email, PASSWORD)
    response = client.post(LOGIN, json={"email": email, "password": PASSWORD})
    assert response.status_code == HTTPStatus.OK
    return response.json()


@pytest.mark.asvs("2.4.1")
def test_the_password_is_stored_only_as_an_argon2id_hash(logged_in, database_url):
    values = stored_values(database_url)

    assert not any(PASSWORD in value for value in values)
    # Django writes "argon2$argon2id$...", argon2-cffi "$argon2id$...". A fast hasher in the
    # test settings must still be argon2id (with cheap parameters), or this cannot be shown.
    assert any("$argon2id$" in value for value in values), "no argon2id hash is stored"


def test_refresh_tokens_are_stored_only_as_sha256_hashes(client, logged_in, database_url):
    rotated = client.post(
        "/api/v1/auth/refresh", json={"refresh_token": logged_in["refresh_token"]}
    ).json()
    values = stored_values(database_url)

    for token in (logged_in["refresh_token"], rotated["refresh_token"]):
        digest = hashlib.sha256(token.encode()).digest()
        encodings = {
            digest.hex(),
            base64.urlsafe_b64encode(digest).decode().rstrip("="),
            base64.b64encode(digest).decode(),
        }
        assert not any(token in value for value in values), "a raw refresh token is stored"
        assert any(value in encodings for value in values), "no SHA-256 hash of the token"
