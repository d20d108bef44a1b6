"""Request bodies and query parameters of the task endpoints, and the documented Task shape."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import RegexValidator
from rest_framework import serializers

from ..core.validation import StrictCharField, StrictSerializer
from .models import Priority, Status

READ_ONLY = frozenset({"id", "owner_id", "owner", "created_at", "updated_at", "completed_at"})

# At least one character that is not whitespace, since the title is stored trimmed.
NOT_BLANK = RegexValidator(r"\S", "The title must not be blank.")


class TaskSerializer(serializers.Serializer[Any]):
    """The Task shape (documentation of `queries.task_json`)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)
    due_date = serializers.DateField(allow_null=True)
    owner_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class TaskPageSerializer(serializers.Serializer[Any]):
    """One page of tasks."""

    items = TaskSerializer(many=True)
    total = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()


class TaskCreateSerializer(StrictSerializer):
    """POST /tasks."""

    read_only_names: ClassVar[frozenset[str]] = READ_ONLY

    title = StrictCharField(max_length=200, validators=[NOT_BLANK])
    description = StrictCharField(
        max_length=10_000, allow_blank=True, trim_whitespace=False, default=""
    )
    status = serializers.ChoiceField(choices=Status.choices, default=Status.TODO)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.MEDIUM)
    due_date = serializers.DateField(allow_null=True, default=None)


class TaskUpdateSerializer(TaskCreateSerializer):
    """PATCH /tasks/{id}: any subset of the fields; null only clears `due_date`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Validate only the fields sent (DRF's partial mode skips defaults too)."""
        super().__init__(*args, partial=True, **kwargs)


class TaskListQuerySerializer(serializers.Serializer[Any]):
    """GET /tasks query parameters."""

    status = serializers.ChoiceField(choices=Status.choices, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)
    offset = serializers.IntegerField(min_value=0, max_value=2**62, default=0)


class ExportQuerySerializer(serializers.Serializer[Any]):
    """GET /tasks/export query parameters."""

    format = serializers.ChoiceField(choices=["csv", "json"])


class TasksByStatusSerializer(serializers.Serializer[Any]):
    """How many tasks have each status."""

    todo = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    done = serializers.IntegerField()


class CompletedDaySerializer(serializers.Serializer[Any]):
    """Tasks completed on one UTC day."""

    date = serializers.DateField()
    count = serializers.IntegerField()


class SummarySerializer(serializers.Serializer[Any]):
    """GET /reports/summary."""

    users_total = serializers.IntegerField()
    tasks_total = serializers.IntegerField()
    tasks_by_status = TasksByStatusSerializer()
    overdue = serializers.IntegerField()
    completed_per_day = CompletedDaySerializer(many=True)
