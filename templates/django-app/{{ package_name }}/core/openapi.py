"""OpenAPI helpers: shared error responses and a schema post-processing hook.

https://drf-spectacular.readthedocs.io/en/latest/customization.html
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

PROBLEM = "application/problem+json"


class FieldErrorSerializer(serializers.Serializer[Any]):
    """One validation message and the field it is about."""

    field = serializers.CharField()
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer[Any]):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()


# A 422 problem with its field errors. Built inline because a serializer class cannot declare
# a field named `errors` (DRF serializers already have an `errors` attribute).
ValidationProblemSerializer = inline_serializer(
    "ValidationProblem",
    fields={
        **ProblemSerializer().get_fields(),
        "errors": FieldErrorSerializer(many=True),
    },
)


def problems(*statuses: int) -> dict[Any, Any]:
    """Document error answers as problem+json.

    Args:
        *statuses: The HTTP statuses the operation can answer with.

    Returns:
        Entries for `extend_schema(responses=...)`.
    """
    responses: dict[Any, Any] = {}
    for status in statuses:
        serializer = (
            ValidationProblemSerializer
            if status == HTTPStatus.UNPROCESSABLE_ENTITY
            else ProblemSerializer
        )
        description = HTTPStatus(status).phrase
        responses[(status, PROBLEM)] = OpenApiResponse(serializer, description=description)
    return responses


# Answers any authenticated operation can give.
AUTHENTICATED = (HTTPStatus.UNAUTHORIZED,)


def forbid_unknown_request_fields(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Mark request bodies `additionalProperties: false`, as the API enforces (422).

    Args:
        result: The generated OpenAPI document.
        **_: Generator, request and public flag, unused.

    Returns:
        The document, changed in place.
    """
    schemas = result.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema["additionalProperties"] = False
    return result
