"""Password rules beyond Django's built-in validators.

https://docs.djangoproject.com/en/5.2/topics/auth/passwords/#writing-your-own-validator
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128


class MaximumLengthValidator:
    """At most 128 characters: long enough for passphrases, short enough to hash cheaply."""

    def __init__(self, max_length: int = MAX_PASSWORD_LENGTH) -> None:
        """Set the limit."""
        self.max_length = max_length

    def validate(self, password: str, _user: Any = None) -> None:
        """Refuse a password longer than the limit (never truncate it).

        Raises:
            ValidationError: The password is too long.
        """
        if len(password) > self.max_length:
            message = (
                f"This password is too long. It must be at most {self.max_length} characters."
            )
            raise ValidationError(message, code="password_too_long")

    def get_help_text(self) -> str:
        """Describe the rule."""
        return f"Your password must contain at most {self.max_length} characters."
