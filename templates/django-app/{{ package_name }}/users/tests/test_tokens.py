"""Access and refresh tokens: claims, refusals, rotation and reuse detection."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.utils import timezone

from .. import tokens
from ..models import RefreshToken, RevokeReason
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_access_token_carries_the_required_claims() -> None:
    user = UserFactory.create()
    token, expires_in = tokens.create_access_token(user)

    claims = tokens.decode_access_token(token)

    assert claims["sub"] == str(user.pk)
    assert claims["type"] == "access"
    assert {"exp", "iat", "jti"} <= set(claims)
    assert expires_in == settings.ACCESS_TOKEN_MINUTES * 60


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "1", "iat": 0, "jti": "x", "type": "access"},
        {"sub": "1", "exp": 1, "iat": 0, "jti": "x", "type": "access"},
        {"sub": "1", "exp": 4102444800, "iat": 0, "jti": "x", "type": "refresh"},
    ],
    ids=["no-exp", "expired", "wrong-type"],
)
def test_tokens_without_exp_expired_or_of_another_type_are_refused(
    claims: dict[str, object],
) -> None:
    token = jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")

    with pytest.raises(jwt.InvalidTokenError):
        tokens.decode_access_token(token)


def test_a_token_with_another_algorithm_is_refused() -> None:
    claims = {"sub": "1", "exp": 4102444800, "iat": 0, "jti": "x", "type": "access"}
    token = jwt.encode(claims, settings.SECRET_KEY, algorithm="HS512")

    with pytest.raises(jwt.InvalidAlgorithmError):
        tokens.decode_access_token(token)


def test_refresh_tokens_are_stored_as_sha256_only() -> None:
    pair = tokens.issue_tokens(UserFactory.create())

    stored = RefreshToken.objects.get()
    assert stored.token_hash == tokens.hash_refresh_token(pair.refresh_token)
    assert pair.refresh_token not in stored.token_hash


def test_rotation_retires_the_old_token_and_keeps_the_family() -> None:
    first = tokens.issue_tokens(UserFactory.create())

    second = tokens.rotate_refresh_token(first.refresh_token)

    old, new = RefreshToken.objects.order_by("id")
    assert old.revoked_reason == RevokeReason.ROTATED
    assert new.revoked_at is None
    assert new.family == old.family
    assert second.refresh_token != first.refresh_token


def test_reusing_a_rotated_token_revokes_the_whole_family() -> None:
    first = tokens.issue_tokens(UserFactory.create())
    second = tokens.rotate_refresh_token(first.refresh_token)

    with pytest.raises(tokens.InvalidRefreshTokenError):
        tokens.rotate_refresh_token(first.refresh_token)

    with pytest.raises(tokens.InvalidRefreshTokenError):
        tokens.rotate_refresh_token(second.refresh_token)
    assert not RefreshToken.objects.filter(revoked_at__isnull=True).exists()


def test_an_expired_refresh_token_is_refused() -> None:
    pair = tokens.issue_tokens(UserFactory.create())
    RefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(tokens.InvalidRefreshTokenError):
        tokens.rotate_refresh_token(pair.refresh_token)


def test_logout_revokes_only_a_token_of_the_same_user() -> None:
    pair = tokens.issue_tokens(UserFactory.create())

    tokens.revoke_refresh_token(pair.refresh_token, UserFactory.create())
    assert RefreshToken.objects.get().revoked_at is None

    tokens.revoke_refresh_token(pair.refresh_token, RefreshToken.objects.get().user)
    assert RefreshToken.objects.get().revoked_reason == RevokeReason.LOGOUT
