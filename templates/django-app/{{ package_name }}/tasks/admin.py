"""Tasks in the Django admin."""

from django.contrib import admin

from .models import Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin[Task]):
    """Browse and fix tasks."""

    list_display = ("title", "owner", "status", "priority", "due_date", "created_at")
    list_filter = ("status", "priority")
    search_fields = ("title",)
    raw_id_fields = ("owner",)
    readonly_fields = ("created_at", "updated_at", "completed_at")
