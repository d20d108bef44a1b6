"""Role checks for DRF views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.permissions import BasePermission
from typing_extensions import override

if TYPE_CHECKING:
    from rest_framework.request import Request


class IsAdmin(BasePermission):
    """Only users with the admin role (others get 403)."""

    message = "Only administrators may do this."

    @override
    def has_permission(self, request: Request, view: Any) -> bool:
        """Check the role of the authenticated user."""
        return bool(request.user and getattr(request.user, "is_admin", False))
