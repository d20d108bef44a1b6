"""Routes of the attachment endpoints (mounted under /api/v1/, beside the task routes)."""

from django.urls import path

from . import views

urlpatterns = [
    # Any segment reaches the views, which answer 404 for an id that is not an integer.
    path(
        "tasks/<str:id>/attachments",
        views.AttachmentListView.as_view(),
        name="attachments-list",
    ),
    path(
        "tasks/<str:id>/attachments/<str:attachment_id>",
        views.AttachmentDetailView.as_view(),
        name="attachments-detail",
    ),
]
