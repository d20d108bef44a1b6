"""`python manage.py create_admin --email EMAIL`: make an administrator account.

The password comes from ADMIN_PASSWORD or a hidden prompt; there is no default account and no
default password. https://docs.djangoproject.com/en/5.2/howto/custom-management-commands/
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...models import Role, User


class Command(BaseCommand):
    """Create an admin with a password the operator chooses."""

    help = "Create an administrator. Password from ADMIN_PASSWORD or a hidden prompt."

    def add_arguments(self, parser: CommandParser) -> None:
        """`--email` (required) and `--full-name`."""
        parser.add_argument("--email", required=True, help="login address of the admin")
        parser.add_argument("--full-name", default="", help="display name")

    def handle(self, *args: Any, **options: Any) -> None:
        """Check the input, then create the account.

        Raises:
            CommandError: Bad email, weak password or an existing account.
        """
        email = str(options["email"]).strip().lower()
        if "@" not in email:
            message = f"{email!r} is not an email address."
            raise CommandError(message)
        if User.objects.filter(email=email).exists():
            message = f"An account with {email} already exists."
            raise CommandError(message)
        password = os.environ.get("ADMIN_PASSWORD") or self._prompt()
        try:
            validate_password(password, user=User(email=email))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        User.objects.create_user(
            email, password, role=Role.ADMIN, full_name=options["full_name"]
        )
        self.stdout.write(self.style.SUCCESS(f"Created admin {email}."))

    @staticmethod
    def _prompt() -> str:
        if not sys.stdin.isatty():
            message = "No terminal to ask for the password: set ADMIN_PASSWORD."
            raise CommandError(message)
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            message = "The passwords do not match."
            raise CommandError(message)
        return password
