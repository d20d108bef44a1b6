"""The create_admin management command."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from ..models import Role, User
from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_an_existing_email_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    UserFactory.create(email="taken@example.com")
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)

    with pytest.raises(CommandError, match="already exists"):
        call_command("create_admin", "--email", "taken@example.com")


def test_the_admin_gets_the_admin_role_and_a_full_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)

    call_command("create_admin", "--email", "root@example.com", "--full-name", "Root")

    admin = User.objects.get(email="root@example.com")
    assert (admin.role, admin.full_name, admin.is_staff) == (Role.ADMIN, "Root", True)
