"""Health probes for load balancers and container orchestrators (public by design)."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from .openapi import problems
from .problems import problem_response

if TYPE_CHECKING:
    from django.http import HttpResponse
    from rest_framework.request import Request

# What a probe reads: the process (and, for /ready, the database) answers.
HEALTHY = {"status": "ok"}


class HealthSerializer(serializers.Serializer[Any]):
    """The answer of both probes."""

    status = serializers.CharField(read_only=True)


class LiveView(generics.GenericAPIView[Any]):
    """`GET /health/live`: the process answers."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    serializer_class = HealthSerializer

    @extend_schema(operation_id="health_live", tags=["health"], responses={200: HealthSerializer})
    def get(self, _request: Request) -> Response:
        """Answer while the process runs."""
        return Response(self.get_serializer(HEALTHY).data)


class ReadyView(generics.GenericAPIView[Any]):
    """`GET /health/ready`: the process answers and the database too."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    serializer_class = HealthSerializer

    @extend_schema(
        operation_id="health_ready",
        tags=["health"],
        responses={200: HealthSerializer, **problems(HTTPStatus.SERVICE_UNAVAILABLE)},
    )
    def get(self, _request: Request) -> Response | HttpResponse:
        """Run a trivial query; 503 when the database does not answer."""
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return problem_response(HTTPStatus.SERVICE_UNAVAILABLE, "The database is unavailable.")
        return Response(self.get_serializer(HEALTHY).data)
