"""Routes of the task and report endpoints (mounted under /api/v1/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("tasks", views.TaskListView.as_view(), name="tasks-list"),
    path("tasks/export", views.TaskExportView.as_view(), name="tasks-export"),
    # Any segment reaches the view, which answers 422 for a non-integer id (CONTRACT.md).
    path("tasks/<str:pk>", views.TaskDetailView.as_view(), name="tasks-detail"),
    path("reports/summary", views.SummaryView.as_view(), name="reports-summary"),
]
