"""Account operations the views call: registration, credential checks, password change."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import serializers

from .models import Role, User
from .tokens import revoke_all_refresh_tokens


def check_new_password(password: str, user: User, field: str) -> None:
    """Apply AUTH_PASSWORD_VALIDATORS and report failures under `field`.

    Raises:
        serializers.ValidationError: The password breaks a rule (422).
    """
    try:
        validate_password(password, user=user)
    except DjangoValidationError as error:
        raise serializers.ValidationError({field: list(error.messages)}) from error


class EmailTakenError(Exception):
    """Another account already uses this email."""


def register_user(*, email: str, password: str, full_name: str) -> User:
    """Create a plain user after checking the password rules.

    Raises:
        EmailTakenError: The email is already registered (409).
    """
    email = email.lower()
    check_new_password(password, User(email=email, full_name=full_name), "password")
    try:
        with transaction.atomic():
            return User.objects.create_user(email, password, role=Role.USER, full_name=full_name)
    except IntegrityError as error:
        raise EmailTakenError from error


def authenticate_credentials(*, email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None; timing does not tell why.

    An unknown email still costs one password hash, the same as a wrong password, so response
    time does not reveal which addresses have accounts. `check_password` also rehashes the
    password when the hasher's parameters changed.
    """
    user = User.objects.filter(email=email.lower()).first()
    if user is None:
        # Hash the attempt anyway (Django's ModelBackend does the same) to equalise timing.
        User().set_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session (all refresh tokens)."""
    check_new_password(new_password, user, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    revoke_all_refresh_tokens(user)
