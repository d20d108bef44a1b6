"""The Task shape `TaskSerializer` writes, and what it accepts."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ..models import Status
from ..serializers import TaskSerializer
from .factories import TaskFactory

pytestmark = pytest.mark.django_db

# The fields of a task answer, in this order (CONTRACT.md).
TASK_FIELDS = [
    "id",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "owner_id",
    "created_at",
    "updated_at",
    "completed_at",
]


def test_a_task_is_written_with_the_contract_fields_in_order() -> None:
    today = timezone.now().date()
    task = TaskFactory.create(status=Status.DONE, due_date=today)

    data = TaskSerializer(task).data

    assert list(data) == TASK_FIELDS
    assert data["owner_id"] == task.owner_id
    assert data["due_date"] == today.isoformat()
    assert data["created_at"].endswith("Z")
    assert data["completed_at"].endswith("Z")


def test_server_written_fields_are_refused_in_a_body() -> None:
    serializer = TaskSerializer(data={"title": "Write", "owner_id": 2, "id": 3, "colour": "red"})

    assert not serializer.is_valid()
    assert serializer.errors == {
        "owner_id": ["This field is read-only."],
        "id": ["This field is read-only."],
        "colour": ["Unknown field."],
    }
