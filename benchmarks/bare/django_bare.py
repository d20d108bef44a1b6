"""Bare Django: django-app's idiom for the task list (a DRF generic view, a ModelSerializer,
a LimitOffsetPagination subclass with the same envelope, the same query: one COUNT, one page
newest first) and for `/health/live` (a DRF generic view answering through a serializer),
minus its middleware (security headers, request logs, CORS, body limit), authentication and
query validation.

One file: settings, model, views and URLs.  gunicorn django_bare:application
"""

import os
from datetime import UTC

import django
from django.conf import settings

OWNER_ID = int(os.environ["BARE_OWNER_ID"])

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-benchmark-app-serves-loopback-only",  # noqa: S106 - signs nothing here
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=["rest_framework"],
    DATABASES={
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["BARE_DATABASE"]}
    },
    USE_TZ=True,
    TIME_ZONE="UTC",
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": [],
        "DEFAULT_PERMISSION_CLASSES": [],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "UNAUTHENTICATED_USER": None,
    },
)
django.setup()

# Django needs its settings before models and views can be imported.
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import models  # noqa: E402
from django.db.models import QuerySet  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework import generics, serializers  # noqa: E402
from rest_framework.pagination import LimitOffsetPagination  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.response import Response  # noqa: E402


class Task(models.Model):
    """django-app's tasks table, read only."""

    title = models.CharField(max_length=200)
    description = models.TextField()
    status = models.CharField(max_length=11)
    priority = models.CharField(max_length=6)
    due_date = models.DateField(null=True)
    owner_id = models.IntegerField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True)

    class Meta:
        app_label = "bare"
        db_table = os.environ.get("BARE_TASKS_TABLE", "tasks_task")
        managed = False


class UtcDateTimeField(serializers.DateTimeField):
    """As django-app's: UTC date-times, without a per-value look-up of the active time zone."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(default_timezone=UTC, **kwargs)


class TaskSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {  # noqa: RUF012 -- DRF only reads it
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UtcDateTimeField,
    }

    class Meta:
        model = Task
        fields = (
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
        )
        read_only_fields = fields


class Page(LimitOffsetPagination):
    default_limit = 20
    max_limit = 100

    def get_paginated_response(self, data: list[dict]) -> Response:
        return Response(
            {"items": data, "total": self.count, "limit": self.limit, "offset": self.offset}
        )


class HealthSerializer(serializers.Serializer):
    status = serializers.CharField(read_only=True)


class LiveView(generics.GenericAPIView):
    serializer_class = HealthSerializer

    def get(self, _request: Request) -> Response:
        return Response(self.get_serializer({"status": "ok"}).data)


class TaskList(generics.ListAPIView):
    serializer_class = TaskSerializer
    pagination_class = Page

    def get_queryset(self) -> QuerySet[Task]:
        return Task.objects.filter(owner_id=OWNER_ID).order_by("-created_at", "-id")


urlpatterns = [path("health/live", LiveView.as_view()), path("api/v1/tasks", TaskList.as_view())]
application = get_wsgi_application()
