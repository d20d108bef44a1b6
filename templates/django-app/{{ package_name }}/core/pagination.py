"""The page envelope of every list: `{items, total, limit, offset}` (CONTRACT.md).

DRF's `LimitOffsetPagination` with the contract's rules: a `limit` or `offset` out of range
is a 422 naming the parameter (DRF would quietly clamp it), and the answer is the contract's
envelope instead of DRF's `{count, next, previous, results}`.
https://www.django-rest-framework.org/api-guide/pagination/#limitoffsetpagination
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from .validation import MAX_ID, PageQuerySerializer, validate_query

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from rest_framework.request import Request
    from rest_framework.views import APIView


class PagePagination(LimitOffsetPagination):
    """`?limit=` (1-100, default 20) and `?offset=` (default 0) over an ordered queryset."""

    default_limit = 20
    max_limit = 100

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        request: Request,
        view: APIView | None = None,  # noqa: ARG002 -- DRF's signature
    ) -> list[Any]:
        """Read one page: one COUNT, then one SELECT (none past the last row).

        Raises:
            UnprocessableEntity: `limit` or `offset` is not a number in range.
        """
        page = validate_query(PageQuerySerializer, request.query_params)
        self.request = request
        self.limit, self.offset = page["limit"], page["offset"]
        self.count = self.get_count(queryset)
        if self.offset >= self.count:
            return []
        return list(queryset[self.offset : self.offset + self.limit])

    def get_paginated_response(self, data: Any) -> Response:
        """The envelope around the serialized page."""
        return Response(
            {"items": data, "total": self.count, "limit": self.limit, "offset": self.offset}
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The envelope in the OpenAPI document (`schema` is the array of items)."""
        return {
            "type": "object",
            "properties": {
                "items": schema,
                "total": {"type": "integer"},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
            },
            "required": ["items", "limit", "offset", "total"],
        }

    def get_schema_operation_parameters(
        self,
        view: APIView,  # noqa: ARG002 -- DRF's signature
    ) -> list[dict[str, Any]]:
        """`limit` and `offset`, with the bounds `paginate_queryset` enforces."""
        return [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_limit,
                    "default": self.default_limit,
                },
            },
            {
                "name": "offset",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 0,
                    "maximum": MAX_ID,
                    "default": 0,
                },
            },
        ]
