"""The users in the Django admin (at ADMIN_URL, admins only).

https://docs.djangoproject.com/en/5.2/ref/contrib/admin/
"""

from django.contrib import admin

from .models import RefreshToken, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    """Browse and (de)activate accounts; passwords are never shown."""

    list_display = ("email", "full_name", "role", "is_active", "created_at")
    list_filter = ("role", "is_active")
    search_fields = ("email", "full_name")
    fields = ("email", "full_name", "role", "is_active", "last_login", "created_at")
    readonly_fields = ("last_login", "created_at")
    ordering = ("id",)


@admin.register(RefreshToken)
class RefreshTokenAdmin(admin.ModelAdmin[RefreshToken]):
    """See and revoke sessions; the token hash is not shown."""

    list_display = ("user", "family", "created_at", "expires_at", "revoked_at", "revoked_reason")
    list_filter = ("revoked_reason",)
    fields = ("user", "family", "created_at", "expires_at", "revoked_at", "revoked_reason")
    readonly_fields = ("user", "family", "created_at", "expires_at")
