"""Serializer building blocks that make validation strict, as CONTRACT.md asks.

DRF is lenient by default: it ignores unknown fields and turns numbers into strings. Here an
unknown or read-only field is a 422 (no mass assignment) and a string field takes strings only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.core.validators import RegexValidator
from django.db import models
from rest_framework import serializers

from .problems import UnprocessableEntity

if TYPE_CHECKING:
    from django.db.models import Model
    from rest_framework.request import Request

_M = TypeVar("_M", bound="Model")

# The largest id and offset: the largest BIGINT (CONTRACT.md, the OpenAPI document).
MAX_ID = 2**63 - 1

# Text fields refuse C0 control characters other than TAB, LF and CR, NUL included
# (CONTRACT.md). Written with \u escapes so that the same pattern is valid in the OpenAPI
# document (ECMA-262) and in Python; `$` may match before a final line feed, which is allowed.
NO_CONTROL_CHARACTERS = RegexValidator(
    r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F]*$",
    "Control characters other than tab, line feed and carriage return are not allowed.",
)


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of converting them."""

    def to_internal_value(self, data: Any) -> str:
        """Accept only JSON strings."""
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def refuse_unexpected_fields(
    data: Any,
    fields: Mapping[str, serializers.Field[Any, Any, Any, Any]],
    read_only: frozenset[str],
) -> None:
    """Refuse a body naming a field the serializer does not accept (422).

    Args:
        data: The parsed body.
        fields: The serializer's fields.
        read_only: Names the client may read but never write; named so the message says why.

    Raises:
        serializers.ValidationError: One message per unexpected field.
    """
    if not isinstance(data, Mapping):
        return
    errors = {}
    for name in data:
        if name in read_only:
            errors[name] = ["This field is read-only."]
        elif name not in fields or fields[name].read_only:
            errors[name] = ["Unknown field."]
    if errors:
        raise serializers.ValidationError(errors)


class IsoDateField(serializers.DateField):
    """A date given as `YYYY-MM-DD` text only (CONTRACT.md, conventions).

    DRF's `DateField` reads ISO 8601 with Django's `parse_date`, which also takes `20310314`
    and week dates; the other frameworks refuse those, and so does this field.
    """

    iso_date = re.compile(r"\d{4}-\d{2}-\d{2}")

    def to_internal_value(self, value: Any) -> Any:
        """Refuse anything but `YYYY-MM-DD` text, then read it as DRF does."""
        if not isinstance(value, str) or not self.iso_date.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class UtcDateTimeField(serializers.DateTimeField):
    """A date-time written in UTC with a `Z` (CONTRACT.md), whatever time zone is active.

    The database hands back aware UTC date-times (USE_TZ). DRF's own field converts each one
    to the active time zone, which it looks up per value (`timezone.get_current_timezone()`,
    an `asgiref` thread-local read); with the zone fixed here that lookup is gone, and a page
    of 100 tasks writes 200 date-times. Input is read as DRF does, naive values as UTC.
    https://www.django-rest-framework.org/api-guide/fields/#datetimefield
    """

    def __init__(self, **kwargs: Any) -> None:
        """A DRF `DateTimeField` whose `default_timezone` is UTC unless given."""
        kwargs.setdefault("default_timezone", UTC)
        super().__init__(**kwargs)


class StrictSerializer(serializers.Serializer[Any]):
    """A serializer that refuses fields it does not accept."""

    # Fields the client may read but never write; named so the message says why.
    read_only_names: ClassVar[frozenset[str]] = frozenset()

    def to_internal_value(self, data: Any) -> Any:
        """Refuse unknown and read-only fields, then validate as usual."""
        refuse_unexpected_fields(data, self.fields, self.read_only_names)
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer[_M]):
    """A model serializer (the output and input of a resource) that refuses unknown fields.

    Its read-only fields are written to the answer and refused in a request body.
    """

    # Read-only names that are not fields of the answer (e.g. `owner` beside `owner_id`).
    read_only_names: ClassVar[frozenset[str]] = frozenset()

    # The model fields' serializer fields, with date-times in UTC (UtcDateTimeField).
    # https://www.django-rest-framework.org/api-guide/serializers/#serializer_field_mapping
    serializer_field_mapping = {  # noqa: RUF012 -- DRF only reads it
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UtcDateTimeField,
    }

    def to_internal_value(self, data: Any) -> Any:
        """Refuse unknown and read-only fields, then validate as usual."""
        read_only = frozenset(name for name, field in self.fields.items() if field.read_only)
        refuse_unexpected_fields(data, self.fields, read_only | self.read_only_names)
        return super().to_internal_value(data)


class PageQuerySerializer(serializers.Serializer[Any]):
    """`limit` (1-100, default 20) and `offset` (0 to 2**63-1, default 0) of a list."""

    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)
    offset = serializers.IntegerField(min_value=0, max_value=MAX_ID, default=0)


def validate_query(serializer_class: type[serializers.Serializer[Any]], params: Any) -> Any:
    """Validate query parameters; errors name the bare parameter and answer 422.

    Args:
        serializer_class: The serializer describing the parameters.
        params: `request.query_params`.

    Returns:
        The validated values.

    Raises:
        UnprocessableEntity: A parameter is missing or invalid.
    """
    # A plain dict, not the QueryDict: DRF reads an empty form value of an optional field as
    # "not sent", and `?status=` must be refused (422), not ignored (CONTRACT.md).
    data = params.dict() if hasattr(params, "dict") else params
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise UnprocessableEntity(serializer.errors)
    return serializer.validated_data


def require_body(request: Request) -> None:
    """Refuse a request without a body: every route that takes one requires it (422).

    An empty body would otherwise read as `{}`, which a partial update accepts.

    Raises:
        UnprocessableEntity: The request has no body.
    """
    if request.META.get("CONTENT_LENGTH", "0") in {"", "0"}:
        raise UnprocessableEntity({"": ["A JSON body is required."]})


def parse_id(value: str) -> int | None:
    """Parse a path id.

    Args:
        value: The path segment.

    Returns:
        The id, or None when the segment is not a decimal integer in 1..2**63-1: no row has
        such an id, so the caller answers 404, exactly as for an id that exists nowhere.
    """
    if not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    # Larger than any BIGINT: no such row, and the database would reject the query.
    return number if 0 < number <= MAX_ID else None
