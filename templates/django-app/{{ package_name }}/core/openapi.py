"""OpenAPI helpers: shared error responses and a schema post-processing hook.

https://drf-spectacular.readthedocs.io/en/latest/customization.html
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any, ClassVar

from django.conf import settings
from django.utils.translation import get_language
from drf_spectacular.generators import SchemaGenerator
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


# Errors any JSON body can produce.
BODY_ERRORS = (
    HTTPStatus.BAD_REQUEST,
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    HTTPStatus.UNPROCESSABLE_ENTITY,
)

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


def answers_carry_every_field(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Mark every field of an answer required: serializers always write all their fields.

    drf-spectacular leaves out fields that have a default for request bodies (`description`,
    `status`...), yet the answer always holds them.

    Args:
        result: The generated OpenAPI document.
        **_: Generator, request and public flag, unused.

    Returns:
        The document, changed in place.
    """
    schemas = result.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        if not name.endswith("Request") and "properties" in schema:
            schema["required"] = sorted(schema["properties"])
    return result


# What drf-spectacular adds beside a pattern when a field allows "": a second way to match "".
BLANK_ALTERNATIVE = {"type": "string", "maxLength": 0}


def state_request_rules(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Make the document say what the views enforce about request bodies.

    - Every request body is required: a request without one is a 422
      (`core.generics.BodyRequiredMixin`).
    - A text field whose pattern already matches "" loses the `oneOf` drf-spectacular builds
      for blank strings, in which "" would match both branches and so neither.

    Args:
        result: The generated OpenAPI document.
        **_: Generator, request and public flag, unused.

    Returns:
        The document, changed in place.
    """
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation["requestBody"]["required"] = True
    for schema in result.get("components", {}).get("schemas", {}).values():
        for name, field in schema.get("properties", {}).items():
            choices = field.get("oneOf", [])
            if len(choices) == 2 and choices[1] == BLANK_ALTERNATIVE:
                pattern = choices[0].get("pattern")
                if pattern is not None and re.search(pattern, ""):
                    schema["properties"][name] = choices[0]
    return result


class BuiltOnceSchemaGenerator(SchemaGenerator):
    """drf-spectacular's generator, keeping each document it builds for the process's life.

    The document follows from the code, which a process never changes, yet building it takes
    drf-spectacular tens of milliseconds of CPU, and /openapi.json is public: each request
    would pay it again. One document per language (`?lang=`), API version and URLconf, when the
    document is public (drf-spectacular's SERVE_PUBLIC, on here).
    """

    documents: ClassVar[dict[tuple[Any, ...], dict[str, Any]]] = {}

    def get_schema(
        self,
        request: Any = None,
        public: bool = False,  # noqa: FBT001, FBT002 -- drf-spectacular's signature
    ) -> dict[str, Any]:
        """The document, built at the first request for it; never change the dict returned."""
        if not public:
            # Built for the request's user (SERVE_PUBLIC off): not one document for everyone.
            return self._build(request, public=False)
        key = (get_language(), self.api_version, self.urlconf or settings.ROOT_URLCONF)
        if key not in self.documents:
            self.documents[key] = self._build(request, public=True)
        return self.documents[key]

    def _build(self, request: Any, *, public: bool) -> dict[str, Any]:
        document: dict[str, Any] = super().get_schema(request=request, public=public)  # type: ignore[no-untyped-call]
        return document


# The settings a document is built from, beside the code: a test that changes one gets a
# new document.
DOCUMENT_SETTINGS = frozenset({"INSTALLED_APPS", "REST_FRAMEWORK", "SPECTACULAR_SETTINGS"})


def forget_documents(*, setting: str, **_: Any) -> None:
    """Receiver of `setting_changed` (tests): the next request builds the document afresh."""
    if setting in DOCUMENT_SETTINGS:
        BuiltOnceSchemaGenerator.documents.clear()
