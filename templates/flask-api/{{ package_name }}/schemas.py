"""Request and response schemas (marshmallow), which APIFlask also turns into OpenAPI.

Input and output schemas are separate classes: an input schema lists only what a client may
set, and marshmallow's default ``unknown = RAISE`` turns anything else (``id``, ``role``,
``owner_id``...) into a 422, which is what stops mass assignment (OWASP API3).
https://marshmallow.readthedocs.io/en/stable/quickstart.html#handling-unknown-fields
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from apiflask import Schema
from apiflask.fields import Boolean, Date, DateTime, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range
from email_validator import SPECIAL_USE_DOMAIN_NAMES
from marshmallow import ValidationError, validates_schema
from typing_extensions import override

from .emails import normalise_email
from .models import PRIORITIES, ROLES, STATUSES
from .passwords import MAX_LENGTH, MIN_LENGTH, password_problems

MAX_PAGE_SIZE = 100
# Bound offsets to what every database accepts as a 64-bit integer.
MAX_OFFSET = 2**63 - 1


# JSON Schema's spelling of "no NUL character" (PostgreSQL text cannot hold one).
NO_NUL = "^[^\\u0000]*$"


class Text(String):
    """A string that every database can store: no NUL character, valid UTF-8."""

    def __init__(self, **kwargs: Any) -> None:
        """Document the refused NUL character as a ``pattern``."""
        kwargs.setdefault("metadata", {}).setdefault("pattern", NO_NUL)
        super().__init__(**kwargs)

    @override
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            msg = "Must not contain NUL characters."
            raise ValidationError(msg)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            msg = "Must be valid Unicode text."
            raise ValidationError(msg) from error
        return text


def _any_case(word: str) -> str:
    # JSON Schema patterns have no case-insensitive flag.
    return "".join(
        f"[{letter.lower()}{letter.upper()}]" if letter.isalpha() else letter for letter in word
    )


# The schema's word for "not a special-use domain such as localhost or *.test", which
# email-validator refuses (and so does this API), in any case.
NOT_SPECIAL_USE = (
    "^[^@]*@(?!(?:[^@]*\\.)?(?:"
    + "|".join(_any_case(name) for name in SPECIAL_USE_DOMAIN_NAMES)
    + ")$)"
)


class EmailAddress(String):
    """An email address under the contract's one rule (:mod:`.emails`), stored lower-cased."""

    def __init__(self, **kwargs: Any) -> None:
        """Document the field as an email of at most 254 characters, no special-use domain."""
        metadata = kwargs.setdefault("metadata", {})
        metadata.setdefault("format", "email")
        metadata.setdefault("pattern", NOT_SPECIAL_USE)
        super().__init__(validate=Length(max=254), **kwargs)

    @override
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalise_email(text)
        except ValueError as error:
            msg = "Must be a valid email address."
            raise ValidationError(msg) from error


# C0 control characters other than TAB, LF and CR (NUL included), as JSON Schema states it.
CONTROL_CHARACTERS = "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F"
NO_CONTROL_CHARACTERS = f"^[^{CONTROL_CHARACTERS}]*$"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Prose(Text):
    """Text people read (titles, descriptions, names): no control characters but TAB, LF, CR.

    The schema states the rule as a ``pattern``, so clients and fuzzers know it.
    """

    def __init__(self, **kwargs: Any) -> None:
        """Document the refused characters as a ``pattern``."""
        kwargs.setdefault("metadata", {}).setdefault("pattern", NO_CONTROL_CHARACTERS)
        super().__init__(**kwargs)

    @override
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if _CONTROL.search(text):
            msg = "Must not contain control characters other than tab and line breaks."
            raise ValidationError(msg)
        return text


class UTCDateTime(DateTime):
    """ISO 8601 timestamps in UTC, written with ``Z`` as the contract asks."""

    @override
    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        stamp: dt.datetime = value.astimezone(dt.UTC)
        return stamp.isoformat().replace("+00:00", "Z")


# ---- users and auth -------------------------------------------------------------------


class UserOut(Schema):
    """The public form of a user: never a password, hash or token."""

    id = Integer(required=True)
    email = String(required=True)
    full_name = String(required=True)
    role = String(required=True, validate=OneOf(ROLES))
    is_active = Boolean(required=True)
    created_at = UTCDateTime(required=True)


class RegisterIn(Schema):
    """POST /auth/register."""

    # Trimmed and lower-cased by the field, so that one mailbox has one account.
    email = EmailAddress(required=True)
    password = Text(required=True, validate=Length(min=MIN_LENGTH, max=MAX_LENGTH))
    full_name = Prose(load_default="", validate=Length(max=200))

    @validates_schema
    def check_password(self, data: dict[str, Any], **_: Any) -> None:
        """Apply the password rules, which need the email too."""
        problems = password_problems(data["password"], email=data["email"])
        if problems:
            raise ValidationError(problems, field_name="password")


class LoginIn(Schema):
    """POST /auth/login."""

    # No rule but a bound on the work: an address that names no account, "" included, is a 401.
    email = Text(required=True, validate=Length(max=254))
    # Not length-checked beyond a bound on the work: a wrong password of any length is a 401.
    password = Text(required=True, validate=Length(max=1024))


class RefreshIn(Schema):
    """POST /auth/refresh and /auth/logout."""

    refresh_token = Text(required=True, validate=Length(max=4096))


class TokenOut(Schema):
    """The answer to a login or a refresh."""

    access_token = String(required=True)
    refresh_token = String(required=True)
    token_type = String(required=True, validate=OneOf(["bearer"]))
    expires_in = Integer(required=True)


class ProfileIn(Schema):
    """PATCH /users/me: only the name can be changed here."""

    full_name = Prose(validate=Length(max=200))


class PasswordChangeIn(Schema):
    """POST /users/me/password."""

    current_password = Text(required=True, validate=Length(min=1, max=1024))
    new_password = Text(required=True, validate=Length(min=MIN_LENGTH, max=MAX_LENGTH))


class PageQuery(Schema):
    """``limit`` and ``offset`` of every list."""

    limit = Integer(load_default=20, validate=Range(min=1, max=MAX_PAGE_SIZE))
    offset = Integer(load_default=0, validate=Range(min=0, max=MAX_OFFSET))


class UserPage(Schema):
    """A page of users."""

    items = List(Nested(UserOut), required=True)
    total = Integer(required=True)
    limit = Integer(required=True)
    offset = Integer(required=True)


# ---- tasks ----------------------------------------------------------------------------


MAX_TITLE_LENGTH = 200
# A title as JSON Schema can say it: at most 200 characters between the first and the last
# that are not white space, with any white space (but no control character) around them.
_EDGE = f"[^\\S{CONTROL_CHARACTERS}]"
_SOLID = f"[^\\s{CONTROL_CHARACTERS}]"
_ANY = f"[^{CONTROL_CHARACTERS}]"
TITLE_PATTERN = f"^{_EDGE}*{_SOLID}(?:{_ANY}{{0,{MAX_TITLE_LENGTH - 2}}}{_SOLID})?{_EDGE}*$"


class Title(Prose):
    """A task title: stored trimmed, and 1 to 200 characters once trimmed.

    The length is checked here, after trimming, rather than by a ``Length`` validator, which
    would document ``maxLength: 200`` for the text as sent; the ``pattern`` states the rule.
    """

    def __init__(self, **kwargs: Any) -> None:
        """Document the rule as the ``pattern``."""
        kwargs.setdefault("metadata", {}).setdefault("pattern", TITLE_PATTERN)
        super().__init__(**kwargs)

    @override
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        title = super()._deserialize(value, attr, data, **kwargs).strip()
        if not 1 <= len(title) <= MAX_TITLE_LENGTH:
            msg = f"Length must be between 1 and {MAX_TITLE_LENGTH}."
            raise ValidationError(msg)
        return title


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class IsoDate(Date):
    """A date given as ``YYYY-MM-DD`` text only (CONTRACT.md, conventions).

    marshmallow's ``Date`` reads with ``date.fromisoformat``, which also takes ``20310314``
    and ``2031-W11-5``; the other frameworks refuse those, and so does this field.
    """

    @override
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            # The field's own "Not a valid date." message, as for any other bad date.
            error = "invalid"
            raise self.make_error(error)
        day: dt.date = super()._deserialize(value, attr, data, **kwargs)
        return day


class TaskIn(Schema):
    """POST /tasks."""

    title = Title(required=True)
    description = Prose(load_default="", validate=Length(max=10_000))
    status = String(load_default="todo", validate=OneOf(STATUSES))
    priority = String(load_default="medium", validate=OneOf(PRIORITIES))
    due_date = IsoDate(load_default=None, allow_none=True)


class TaskPatch(Schema):
    """PATCH /tasks/{id}: every field optional; ``null`` only clears ``due_date``."""

    title = Title()
    description = Prose(validate=Length(max=10_000))
    status = String(validate=OneOf(STATUSES))
    priority = String(validate=OneOf(PRIORITIES))
    due_date = IsoDate(allow_none=True)


class TaskOut(Schema):
    """A task as the API shows it."""

    id = Integer(required=True)
    title = String(required=True)
    description = String(required=True)
    status = String(required=True, validate=OneOf(STATUSES))
    priority = String(required=True, validate=OneOf(PRIORITIES))
    due_date = Date(required=True, allow_none=True)
    owner_id = Integer(required=True)
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)
    completed_at = UTCDateTime(required=True, allow_none=True)


class TaskQuery(PageQuery):
    """GET /tasks filters."""

    status = String(validate=OneOf(STATUSES))


class TaskPage(Schema):
    """A page of tasks."""

    items = List(Nested(TaskOut), required=True)
    total = Integer(required=True)
    limit = Integer(required=True)
    offset = Integer(required=True)


class ExportQuery(Schema):
    """GET /tasks/export."""

    format = String(required=True, validate=OneOf(["csv", "json", "xml"]))


# ---- reports and health ---------------------------------------------------------------


class StatusCounts(Schema):
    """Tasks per status."""

    todo = Integer(required=True)
    in_progress = Integer(required=True)
    done = Integer(required=True)


class DayCount(Schema):
    """Tasks completed on one UTC day."""

    date = Date(required=True)
    count = Integer(required=True)


class SummaryOut(Schema):
    """GET /reports/summary."""

    users_total = Integer(required=True)
    tasks_total = Integer(required=True)
    tasks_by_status = Nested(StatusCounts, required=True)
    overdue = Integer(required=True)
    completed_per_day = List(Nested(DayCount), required=True)


class HealthOut(Schema):
    """The health endpoints' body."""

    status = String(required=True)


class ProblemOut(Schema):
    """An RFC 9457 problem, as every 4xx/5xx answer carries it."""

    type = String(required=True)
    title = String(required=True)
    status = Integer(required=True)
    detail = String(required=True)


class FieldError(Schema):
    """One invalid field of a 422 answer."""

    field = String(required=True)
    message = String(required=True)


class ValidationProblemOut(ProblemOut):
    """A 422 problem with the list of invalid fields."""

    errors = List(Nested(FieldError), required=True)
