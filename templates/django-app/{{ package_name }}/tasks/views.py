"""Task endpoints under /api/v1: CRUD scoped to the owner, export, and the admin report."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..core.logging import security_event
from ..core.openapi import problems
from ..core.validation import parse_id, validate_query
from ..users.permissions import IsAdmin
from ..users.views import BODY_ERRORS, current_user, validated
from . import queries, reports
from .exports import to_csv
from .models import Task
from .serializers import (
    ExportQuerySerializer,
    SummarySerializer,
    TaskCreateSerializer,
    TaskListQuerySerializer,
    TaskPageSerializer,
    TaskSerializer,
    TaskUpdateSerializer,
)

API_PREFIX = "/api/v1"
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="task id")
NOT_FOUND = "No task with this id."


class TaskListView(APIView):
    """List and create one's tasks (an admin lists everyone's)."""

    @extend_schema(
        operation_id="tasks_list",
        tags=["tasks"],
        parameters=[TaskListQuerySerializer],
        responses={
            200: TaskPageSerializer,
            **problems(HTTPStatus.UNAUTHORIZED, HTTPStatus.UNPROCESSABLE_ENTITY),
        },
    )
    def get(self, request: Request) -> Response:
        """A page of tasks, newest first, optionally of one status."""
        query = validate_query(TaskListQuerySerializer, request.query_params)
        tasks = queries.visible_tasks(current_user(request))
        if "status" in query:
            tasks = tasks.filter(status=query["status"])
        limit, offset = query["limit"], query["offset"]
        items = list(queries.task_rows(queries.newest_first(tasks)[offset : offset + limit]))
        return Response({"items": items, "total": tasks.count(), "limit": limit, "offset": offset})

    @extend_schema(
        operation_id="tasks_create",
        tags=["tasks"],
        request=TaskCreateSerializer,
        responses={201: TaskSerializer, **problems(*BODY_ERRORS, HTTPStatus.UNAUTHORIZED)},
    )
    def post(self, request: Request) -> Response:
        """Create a task owned by the caller; `Location` points at it."""
        data = validated(TaskCreateSerializer, request)
        task = Task.objects.create(owner=current_user(request), **data)
        headers = {"Location": f"{API_PREFIX}/tasks/{task.pk}"}
        return Response(queries.task_instance_json(task), status=HTTPStatus.CREATED, headers=headers)


class TaskDetailView(APIView):
    """One task, for its owner or an admin; anyone else gets 404."""

    def get_task(self, request: Request, pk: str) -> Task:
        """Find the task among those the caller may see.

        Raises:
            NotFound: No such task, or it belongs to someone else (logged as authz_fail).
        """
        task_id = parse_id(pk)
        user = current_user(request)
        task = queries.visible_tasks(user).filter(pk=task_id).first() if task_id else None
        if task is None:
            if task_id and Task.objects.filter(pk=task_id).exists():
                security_event("authz_fail", user_id=user.pk, task_id=task_id, reason="not_owner")
            raise NotFound(NOT_FOUND)
        return task

    @extend_schema(
        operation_id="tasks_get",
        tags=["tasks"],
        parameters=[ID_PARAMETER],
        responses={
            200: TaskSerializer,
            **problems(
                HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY
            ),
        },
    )
    def get(self, request: Request, pk: str) -> Response:
        """Show a task."""
        return Response(queries.task_instance_json(self.get_task(request, pk)))

    @extend_schema(
        operation_id="tasks_update",
        tags=["tasks"],
        parameters=[ID_PARAMETER],
        request=TaskUpdateSerializer,
        responses={
            200: TaskSerializer,
            **problems(*BODY_ERRORS, HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND),
        },
    )
    def patch(self, request: Request, pk: str) -> Response:
        """Change some fields; `completed_at` follows `status`."""
        task = self.get_task(request, pk)
        data: dict[str, Any] = validated(TaskUpdateSerializer, request)
        for field, value in data.items():
            setattr(task, field, value)
        task.save()
        return Response(queries.task_instance_json(task))

    @extend_schema(
        operation_id="tasks_delete",
        tags=["tasks"],
        parameters=[ID_PARAMETER],
        responses={
            204: None,
            **problems(
                HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY
            ),
        },
    )
    def delete(self, request: Request, pk: str) -> Response:
        """Delete a task."""
        self.get_task(request, pk).delete()
        return Response(status=HTTPStatus.NO_CONTENT)


class TaskExportView(APIView):
    """Download one's tasks (an admin: all) as CSV or JSON."""

    @extend_schema(
        operation_id="tasks_export",
        tags=["tasks"],
        parameters=[ExportQuerySerializer],
        responses={
            (200, "application/json"): TaskSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV with a header row"),
            **problems(HTTPStatus.UNAUTHORIZED, HTTPStatus.UNPROCESSABLE_ENTITY),
        },
    )
    def get(self, request: Request) -> Response | HttpResponse:
        """Export newest first; CSV cells that could run as formulas are escaped."""
        query = validate_query(ExportQuerySerializer, request.query_params)
        tasks = queries.newest_first(queries.visible_tasks(current_user(request)))
        rows = queries.task_rows(tasks)
        if query["format"] == "json":
            return Response(list(rows))
        response = HttpResponse(
            to_csv(rows, queries.TASK_FIELDS), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="tasks.csv"'
        return response


class SummaryView(APIView):
    """Admins see totals, overdue tasks and completions per day."""

    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="reports_summary",
        tags=["reports"],
        responses={
            200: SummarySerializer,
            **problems(HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN),
        },
    )
    def get(self, request: Request) -> Response:
        """The report."""
        return Response(reports.summary())
