"""The attachment model: a file on a task, stored under a random key (CONTRACT.md, section 13)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Attachment(models.Model):
    """A file attached to a task: where it is stored, and what was read from it at upload.

    The file lives in the project's storage under `storage_key` (never under its original
    name, which is only shown in `filename` and echoed at download). The backup tool reads
    `storage_key`, `size` and `sha256` of this table, so their names and meaning are fixed.
    """

    # A task's deletion deletes its attachments (and, once committed, their files: apps.py).
    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="attachments")
    storage_key = models.CharField(max_length=32, unique=True)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The name the contract and the backup tool use, in every framework's project.
        db_table = "attachments"

    def __str__(self) -> str:
        """Show the original name."""
        return self.filename
