"""factory-boy factories for tasks."""

from __future__ import annotations

from factory.declarations import Sequence, SubFactory
from factory.django import DjangoModelFactory

from ...users.tests.factories import UserFactory
from ..models import Task


class TaskFactory(DjangoModelFactory[Task]):
    """A to-do task of a fresh user."""

    class Meta:
        model = Task

    owner = SubFactory(UserFactory)
    title = Sequence(lambda number: f"task {number}")
