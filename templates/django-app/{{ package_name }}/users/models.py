"""The custom user model (email login, a role) and refresh tokens.

A custom user model from the first migration is what Django recommends: changing it later is
hard. https://docs.djangoproject.com/en/5.2/topics/auth/customizing/#using-a-custom-user-model-when-starting-a-project
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models


class Role(models.TextChoices):
    """What a user may do: admins see every task, the user list and the reports."""

    USER = "user", "User"
    ADMIN = "admin", "Admin"


class UserManager(BaseUserManager["User"]):
    """Creates users with a lower-cased email and a hashed password."""

    def create_user(
        self, email: str, password: str | None, *, role: str = Role.USER, **fields: Any
    ) -> User:
        """Create and save a user.

        Args:
            email: Login address; stored lower-cased.
            password: Plain password, hashed before saving.
            role: "user" or "admin".
            **fields: Other model fields (full_name, is_active).

        Returns:
            The saved user.
        """
        user = self.model(email=email.strip().lower(), role=role, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None, **fields: Any) -> User:
        """Create an admin; used by Django's `createsuperuser` (prefer `create_admin`)."""
        return self.create_user(email, password, role=Role.ADMIN, **fields)


class User(AbstractBaseUser):
    """An account that logs in with its email address."""

    email = models.EmailField(unique=True, max_length=254)
    full_name = models.CharField(max_length=150, blank=True, default="")
    role = models.CharField(max_length=5, choices=Role.choices, default=Role.USER)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        """Show the email address."""
        return self.email

    @property
    def is_admin(self) -> bool:
        """Whether the user has the admin role."""
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        """Admins may use the Django admin site."""
        return self.is_active and self.is_admin

    def has_perm(self, _perm: str, _obj: object = None) -> bool:
        """Admins hold every permission in the Django admin; users none."""
        return self.is_staff

    def has_module_perms(self, _app_label: str) -> bool:
        """Admins see every app in the Django admin; users none."""
        return self.is_staff


class RevokeReason(models.TextChoices):
    """Why a refresh token stopped working."""

    ROTATED = "rotated", "Rotated"
    LOGOUT = "logout", "Logged out"
    PASSWORD_CHANGE = "password_change", "Password changed"
    REUSE = "reuse", "Reuse detected"


class RefreshToken(models.Model):
    """A refresh token, stored only as its SHA-256 hash.

    Every token issued from one login shares a `family`; presenting a rotated token again
    revokes the whole family (reuse detection).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    family = models.UUIDField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=16, choices=RevokeReason.choices, blank=True)

    def __str__(self) -> str:
        """Name the owner and the family, never the hash."""
        return f"refresh token of user {self.user_id} (family {self.family})"
