"""factory-boy factories for users: `UserFactory.create()` saves a user with a known password.

https://factoryboy.readthedocs.io/en/stable/orms.html#django
"""

from __future__ import annotations

from factory.declarations import Sequence
from factory.django import DjangoModelFactory, Password
from factory.faker import Faker

from ..models import Role, User

PASSWORD = "Factory-made-pass!"


class UserFactory(DjangoModelFactory[User]):
    """A plain, active user whose password is PASSWORD."""

    class Meta:
        model = User

    email = Sequence(lambda number: f"user{number}@example.com")
    full_name = Faker("name")
    role = Role.USER
    is_active = True
    password = Password(PASSWORD)


class AdminFactory(UserFactory):
    """A user with the admin role."""

    role = Role.ADMIN
