"""Request and response bodies (pydantic).

Inputs and outputs are separate classes: inputs forbid unknown fields (so `role` or `owner_id`
in a body is a 422, not a silent privilege change), outputs list exactly what a client may see.
"""

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from app.core.emails import normalise_email
from app.core.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class TaskStatus(StrEnum):
    """Where a task stands."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class TaskPriority(StrEnum):
    """How urgent a task is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Role(StrEnum):
    """What a user may do: admins also see every task and the reports."""

    USER = "user"
    ADMIN = "admin"


class ExportFormat(StrEnum):
    """File formats of the task export."""

    CSV = "csv"
    JSON = "json"
    XML = "xml"


# Text fields refuse C0 control characters other than tab, line feed and carriage return
# (NUL included): they have no place in a title and confuse terminals and log viewers. The
# pattern is in the OpenAPI document too, so clients know the rule (CONTRACT.md, tasks).
PLAIN_TEXT = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F]*$"
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=PLAIN_TEXT),
]
Description = Annotated[str, Field(max_length=10_000, pattern=PLAIN_TEXT)]
FullName = Annotated[str, Field(max_length=200, pattern=PLAIN_TEXT)]


def _any_case(word: str) -> str:
    return "".join(f"[{letter}{letter.upper()}]" for letter in word)


# The email rule (app/core/emails.py) as a regular expression, for the OpenAPI document only:
# clients and fuzzers learn which strings are addresses here (ASCII ones: the server also
# takes international domain names). Dot-separated atoms before the @; host-name labels without
# "--" in 3rd-4th position (IDNA); a letters-only top-level domain that is not a special-use
# one (`test`, `localhost`, ...). Spaces around it are trimmed.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"(?![A-Za-z0-9-]{2}--)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_SPECIAL_USE = "|".join(
    _any_case(name) for name in ("arpa", "invalid", "local", "localhost", "onion", "test")
)
EMAIL_PATTERN = (
    rf"^\s*{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+(?!(?:{_SPECIAL_USE})\s*$)[A-Za-z]{{2,63}}\s*$"
)
# At most 254 characters (RFC 5321's path limit less the angle brackets).
Email = Annotated[str, Field(max_length=254, json_schema_extra={"pattern": EMAIL_PATTERN})]
# New passwords: the length rule is in the schema; the rest (common, equal to the email) is
# checked by the route, which knows the email (app/core/passwords.py).
NewPassword = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)]


class InputModel(BaseModel):
    """Base of request bodies: unknown fields are an error (no mass assignment)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def storable_text(cls, value: object) -> object:
        """Refuse text the database cannot store: NUL characters and lone surrogates.

        JSON allows both (`"\\u0000"`, `"\\ud800"`), but PostgreSQL text cannot hold NUL and
        UTF-8 cannot encode a lone surrogate; without this check they would end in a 500.
        """
        if isinstance(value, str):
            if "\x00" in value:
                msg = "must not contain NUL characters"
                raise ValueError(msg)
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                msg = "must be valid Unicode text"
                raise ValueError(msg) from None
        return value

    iso_date: ClassVar[re.Pattern[str]] = re.compile(r"\d{4}-\d{2}-\d{2}")

    @field_validator("*", mode="before")
    @classmethod
    def dates_as_text(cls, value: object, info: ValidationInfo) -> object:
        """Take a date only as `YYYY-MM-DD` text (CONTRACT.md, conventions).

        pydantic's lax mode would also take a datetime at midnight or a Unix timestamp for a
        `date` field; the other frameworks refuse both, and so does this one.
        """
        annotation = cls.model_fields[info.field_name].annotation if info.field_name else None
        # `date` itself, or `date | None`; not `datetime` (a subclass), which keeps its rules.
        kinds = getattr(annotation, "__args__", (annotation,))
        is_text_date = isinstance(value, str) and cls.iso_date.fullmatch(value) is not None
        if value is not None and date in kinds and not is_text_date:
            msg = "must be a date written YYYY-MM-DD"
            raise ValueError(msg)
        return value


class UserRegister(InputModel):
    """POST /auth/register. Password rules are checked by the route (they need the email)."""

    email: Email
    password: NewPassword
    full_name: FullName = ""

    @field_validator("email")
    @classmethod
    def check_email(cls, value: str) -> str:
        """One rule for every framework (`email-validator`), stored lower-cased."""
        return normalise_email(value)


class LoginRequest(InputModel):
    """POST /auth/login. No format or length rule: any wrong pair is the same 401, counted."""

    email: Annotated[str, Field(max_length=254)]
    password: Annotated[str, Field(max_length=1024)]


class RefreshRequest(InputModel):
    """POST /auth/refresh and /auth/logout."""

    refresh_token: Annotated[str, Field(max_length=512)]


class TokenPair(BaseModel):
    """What login and refresh return."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret
    expires_in: int = Field(description="Lifetime of the access token in seconds")


class PatchModel(InputModel):
    """Base of PATCH bodies: a field left out keeps its value, an explicit `null` is a 422.

    Fields are declared `X | None = Field(default=None, json_schema_extra=not_nullable)`:
    None marks "not sent" (handlers read `model_dump(exclude_unset=True)`), `refuse_null`
    rejects a `null` that was sent, and the OpenAPI document shows the plain type.
    """

    @field_validator("*", mode="before")
    @classmethod
    def refuse_null(cls, value: object, info: ValidationInfo) -> object:
        """Only fields that may really be cleared (listed in `nullable`) accept `null`."""
        if value is None and info.field_name not in cls.nullable:
            msg = "must not be null"
            raise ValueError(msg)
        return value

    nullable: ClassVar[frozenset[str]] = frozenset()


def not_nullable(schema: dict[str, Any]) -> None:
    """Document an optional PATCH field as its plain type, since `null` is refused."""
    variants = schema.pop("anyOf", [])
    schema.update(next(v for v in variants if v.get("type") != "null"))
    schema.pop("default", None)


class UserUpdate(PatchModel):
    """PATCH /users/me: only the name; role, email and is_active are not writable here."""

    full_name: FullName | None = Field(default=None, json_schema_extra=not_nullable)


class PasswordChange(InputModel):
    """POST /users/me/password."""

    current_password: Annotated[str, Field(max_length=1024)]
    new_password: NewPassword


class UserOut(BaseModel):
    """The public form of a user: never a password hash or token."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str
    role: Role
    is_active: bool
    created_at: datetime


class TaskCreate(InputModel):
    """POST /tasks. `title` is trimmed before its length is checked."""

    title: Title
    description: Description = ""
    status: TaskStatus = TaskStatus.TODO
    priority: TaskPriority = TaskPriority.MEDIUM
    due_date: date | None = None


class TaskUpdate(PatchModel):
    """PATCH /tasks/{id}: only `due_date` may be null (it clears the date)."""

    nullable: ClassVar[frozenset[str]] = frozenset({"due_date"})

    title: Title | None = Field(default=None, json_schema_extra=not_nullable)
    description: Description | None = Field(default=None, json_schema_extra=not_nullable)
    status: TaskStatus | None = Field(default=None, json_schema_extra=not_nullable)
    priority: TaskPriority | None = Field(default=None, json_schema_extra=not_nullable)
    due_date: date | None = None


class TaskOut(BaseModel):
    """A task as clients see it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    status: TaskStatus
    priority: TaskPriority
    due_date: date | None
    owner_id: int
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


class UserPage(BaseModel):
    """One page of users."""

    items: list[UserOut]
    total: int
    limit: int
    offset: int


class TaskPage(BaseModel):
    """One page of tasks."""

    items: list[TaskOut]
    total: int
    limit: int
    offset: int


class TasksByStatus(BaseModel):
    """Task counts per status."""

    todo: int
    in_progress: int
    done: int


class CompletedOnDay(BaseModel):
    """How many tasks were completed on one UTC day."""

    date: date
    count: int


class Summary(BaseModel):
    """GET /reports/summary."""

    users_total: int
    tasks_total: int
    tasks_by_status: TasksByStatus
    overdue: int
    completed_per_day: list[CompletedOnDay]


class Health(BaseModel):
    """Health check answer."""

    status: Literal["ok"] = "ok"


class FieldError(BaseModel):
    """One invalid input in a 422 answer."""

    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class ValidationProblem(Problem):
    """A 422 problem with one entry per invalid field."""

    errors: list[FieldError]
