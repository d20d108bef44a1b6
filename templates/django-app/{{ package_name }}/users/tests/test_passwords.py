"""Password rules (AUTH_PASSWORD_VALIDATORS) and credential checks."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from ..models import User
from ..services import authenticate_credentials
from .factories import PASSWORD, UserFactory


@pytest.mark.parametrize(
    "password",
    ["a" * 11, "b" * 129, "password1234", "123456789012", "1q2w3e4r5t6y", "qwertyuiop12"],
    ids=["11-chars", "129-chars", "common-1", "common-2", "common-3", "common-4"],
)
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, user=User(email="someone@example.com"))


@pytest.mark.parametrize(
    "password",
    ["Twelve-chars", "x7" * 32, "correct horse battery staple", "🔑🔒🗝️ spaced out 🐍"],
    ids=["12-chars", "64-chars", "spaces", "emoji"],
)
def test_strong_passwords_are_accepted(password: str) -> None:
    validate_password(password, user=User(email="someone@example.com"))


def test_the_email_itself_is_refused() -> None:
    with pytest.raises(ValidationError):
        validate_password("alice.smith@example.com", user=User(email="alice.smith@example.com"))


@pytest.mark.django_db
def test_credentials_check_is_case_insensitive_on_the_email() -> None:
    user = UserFactory.create(email="mixed@example.com")

    assert authenticate_credentials(email="MIXED@example.com", password=PASSWORD) == user


@pytest.mark.django_db
def test_credentials_of_unknown_wrong_and_inactive_users_fail_alike() -> None:
    UserFactory.create(email="inactive@example.com", is_active=False)
    UserFactory.create(email="known@example.com")

    assert authenticate_credentials(email="nobody@example.com", password=PASSWORD) is None
    assert authenticate_credentials(email="known@example.com", password="Wrong-pass-123") is None
    assert authenticate_credentials(email="inactive@example.com", password=PASSWORD) is None
