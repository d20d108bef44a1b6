"""Bare Django: a Django REST framework view over ORM `.values()` rows, like django-app,
minus its middleware (security headers, request logs, CORS, body limit) and authentication.

One file: settings, model, views and URLs.  gunicorn django_bare:application
"""

import os

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
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

FIELDS = (
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


def live(_request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


class TaskList(APIView):
    def get(self, request: Request) -> Response:
        limit = int(request.query_params.get("limit", 20))
        offset = int(request.query_params.get("offset", 0))
        tasks = Task.objects.filter(owner_id=OWNER_ID)
        rows = tasks.order_by("-created_at", "-id").values(*FIELDS)[offset : offset + limit]
        return Response(
            {"items": list(rows), "total": tasks.count(), "limit": limit, "offset": offset}
        )


urlpatterns = [path("health/live", live), path("api/v1/tasks", TaskList.as_view())]
application = get_wsgi_application()
