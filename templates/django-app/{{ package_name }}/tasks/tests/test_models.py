"""The completion rule of tasks."""

from __future__ import annotations

import pytest

from ..models import Status
from .factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_completed_at_is_set_on_creation_as_done() -> None:
    assert TaskFactory.create(status=Status.DONE).completed_at is not None


def test_completed_at_is_kept_from_done_to_done_and_cleared_when_reopened() -> None:
    task = TaskFactory.create(status=Status.DONE)
    first = task.completed_at

    task.title = "renamed"
    task.save()
    assert task.completed_at == first

    task.status = Status.IN_PROGRESS
    task.save()
    assert task.completed_at is None
