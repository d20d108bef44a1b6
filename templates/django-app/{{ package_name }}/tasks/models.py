"""The task model and its business rule on `completed_at`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    """Where a task stands."""

    TODO = "todo", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Priority(models.TextChoices):
    """How urgent a task is."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Task(models.Model):
    """A task owned by one user."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10_000, blank=True, default="")
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.TODO)
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.MEDIUM)
    due_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The list endpoints read newest first, per owner (users) or overall (admins).
        indexes = (
            models.Index(fields=["owner", "-created_at", "-id"], name="task_owner_newest"),
            models.Index(fields=["-created_at", "-id"], name="task_newest"),
        )

    def __str__(self) -> str:
        """Show the title."""
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep `completed_at` in step with `status` before saving."""
        self.apply_completion_rule()
        super().save(*args, **kwargs)

    def apply_completion_rule(self) -> None:
        """Set `completed_at` when done (kept on done->done), clear it otherwise."""
        if self.status == Status.DONE:
            if self.completed_at is None:
                self.completed_at = timezone.now()
        else:
            self.completed_at = None
