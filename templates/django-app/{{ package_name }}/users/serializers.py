"""Request bodies of the auth and user endpoints, and the documented User shape."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers

from ..core.validation import StrictCharField, StrictSerializer
from .models import Role
from .validators import MAX_PASSWORD_LENGTH

# Long enough for any password the rules accept; the validators give the precise message.
PASSWORD_FIELD_MAX = MAX_PASSWORD_LENGTH * 4


def password_field() -> StrictCharField:
    """A password: spaces kept as typed (never trimmed), rules checked by the validators."""
    return StrictCharField(trim_whitespace=False, max_length=PASSWORD_FIELD_MAX)


class UserSerializer(serializers.Serializer[Any]):
    """The public form of a user (documentation of `services.user_json`)."""

    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class UserPageSerializer(serializers.Serializer[Any]):
    """One page of users."""

    items = UserSerializer(many=True)
    total = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()


class RegisterSerializer(StrictSerializer):
    """POST /auth/register."""

    email = serializers.EmailField(max_length=254)
    password = password_field()
    full_name = StrictCharField(max_length=150, allow_blank=True)


class LoginSerializer(StrictSerializer):
    """POST /auth/login. The email is not format-checked: a bad one simply fails (401)."""

    email = StrictCharField(max_length=254, trim_whitespace=False)
    password = password_field()


class TokenPairSerializer(serializers.Serializer[Any]):
    """Login and refresh answers."""

    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.ChoiceField(choices=["bearer"])
    expires_in = serializers.IntegerField()


class RefreshSerializer(StrictSerializer):
    """POST /auth/refresh and /auth/logout."""

    # Any string is accepted (an unknown or empty one is simply not valid: 401 or 204).
    refresh_token = StrictCharField(max_length=512, allow_blank=True, trim_whitespace=False)


class UpdateMeSerializer(StrictSerializer):
    """PATCH /users/me: only the name; role, email and is_active are not the user's to set."""

    read_only_names: ClassVar[frozenset[str]] = frozenset(
        {"id", "email", "role", "is_active", "created_at"}
    )

    full_name = StrictCharField(max_length=150, allow_blank=True)


class PasswordChangeSerializer(StrictSerializer):
    """POST /users/me/password."""

    current_password = password_field()
    new_password = password_field()
