"""Access tokens and refresh-token hashing, without the app."""

import hashlib
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from app.core.security import InvalidTokenError, TokenService, hash_refresh_token

SECRET = "unit-test-secret-that-is-long-enough-for-hs256"


@pytest.fixture
def tokens() -> TokenService:
    return TokenService(
        secret_key=SECRET,
        access_lifetime=timedelta(minutes=15),
        refresh_lifetime=timedelta(days=14),
    )


def test_an_access_token_names_its_user(tokens: TokenService) -> None:
    assert tokens.decode_access_token(tokens.create_access_token(42)) == 42


def test_an_access_token_carries_the_required_claims(tokens: TokenService) -> None:
    claims = jwt.decode(tokens.create_access_token(7), SECRET, algorithms=["HS256"])

    assert {"sub", "exp", "iat", "jti", "type"} <= claims.keys()
    assert claims["type"] == "access"
    assert claims["exp"] - claims["iat"] == 15 * 60


def test_tokens_of_another_type_are_refused(tokens: TokenService) -> None:
    now = datetime.now(UTC)
    claims = {"sub": "1", "iat": now, "exp": now + timedelta(minutes=5), "jti": "x"}
    token = jwt.encode({**claims, "type": "refresh"}, SECRET, algorithm="HS256")

    with pytest.raises(InvalidTokenError):
        tokens.decode_access_token(token)


def test_tokens_without_a_jti_are_refused(tokens: TokenService) -> None:
    now = datetime.now(UTC)
    claims = {"sub": "1", "iat": now, "exp": now + timedelta(minutes=5), "type": "access"}

    with pytest.raises(InvalidTokenError):
        tokens.decode_access_token(jwt.encode(claims, SECRET, algorithm="HS256"))


def test_refresh_tokens_have_256_random_bits(tokens: TokenService) -> None:
    first, second = tokens.new_refresh_token(), tokens.new_refresh_token()

    assert first != second
    assert len(first) >= 43  # 32 bytes in URL-safe base64


def test_refresh_tokens_are_stored_as_sha256_hex() -> None:
    assert hash_refresh_token("abc") == hashlib.sha256(b"abc").hexdigest()
