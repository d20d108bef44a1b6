"""Auth and user endpoints under /api/v1."""

from __future__ import annotations

from http import HTTPStatus

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..core.logging import security_event
from ..core.openapi import problems
from ..core.problems import BadRequest, Conflict, TooManyRequests, Unauthorized
from ..core.validation import PageQuerySerializer, validate_query
from . import services, tokens
from .models import User
from .permissions import IsAdmin
from .serializers import (
    LoginSerializer,
    PasswordChangeSerializer,
    RefreshSerializer,
    RegisterSerializer,
    TokenPairSerializer,
    UpdateMeSerializer,
    UserPageSerializer,
    UserSerializer,
)
from .throttling import get_login_throttle

INVALID_CREDENTIALS = "Invalid email or password."

# Errors any JSON body can produce.
BODY_ERRORS = (HTTPStatus.BAD_REQUEST, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, HTTPStatus.UNPROCESSABLE_ENTITY)


def validated(serializer_class: type[RegisterSerializer] | type, request: Request) -> dict:
    """Validate a JSON body (422 on failure) and return its values."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def current_user(request: Request) -> User:
    """The authenticated user (views using it require authentication)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 -- narrows the type; IsAuthenticated ran first
    return user


class RegisterView(APIView):
    """Public: anyone may create a plain user account."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_register",
        tags=["auth"],
        request=RegisterSerializer,
        responses={201: UserSerializer, **problems(*BODY_ERRORS, HTTPStatus.CONFLICT)},
    )
    def post(self, request: Request) -> Response:
        """Register; 409 if the email is taken (an accepted enumeration channel)."""
        data = validated(RegisterSerializer, request)
        try:
            user = services.register_user(**data)
        except services.EmailTakenError as error:
            message = "An account with this email already exists."
            raise Conflict(message) from error
        return Response(services.user_json(user), status=HTTPStatus.CREATED)


class LoginView(APIView):
    """Public: exchange email and password for tokens, throttled per email."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_login",
        tags=["auth"],
        request=LoginSerializer,
        responses={
            200: TokenPairSerializer,
            **problems(*BODY_ERRORS, HTTPStatus.UNAUTHORIZED, HTTPStatus.TOO_MANY_REQUESTS),
        },
    )
    def post(self, request: Request) -> Response:
        """Log in; the same 401 for an unknown email, a wrong password and an inactive user."""
        data = validated(LoginSerializer, request)
        email = data["email"].lower()
        throttle = get_login_throttle()
        wait = throttle.retry_after(email)
        if wait is not None:
            security_event("authn_login_lock", email=email)
            raise TooManyRequests(wait)
        user = services.authenticate_credentials(email=email, password=data["password"])
        if user is None:
            throttle.record_failure(email)
            security_event("authn_login_fail", email=email)
            raise Unauthorized(INVALID_CREDENTIALS)
        security_event("authn_login_success", user_id=user.pk)
        return Response(tokens.issue_tokens(user).as_json())


class RefreshView(APIView):
    """Public: trade a refresh token for a new pair (the old token stops working)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_refresh",
        tags=["auth"],
        request=RefreshSerializer,
        responses={200: TokenPairSerializer, **problems(*BODY_ERRORS, HTTPStatus.UNAUTHORIZED)},
    )
    def post(self, request: Request) -> Response:
        """Rotate; a reused token revokes every token of its login."""
        data = validated(RefreshSerializer, request)
        try:
            pair = tokens.rotate_refresh_token(data["refresh_token"])
        except tokens.InvalidRefreshTokenError as error:
            security_event("authn_refresh_fail")
            message = "Invalid or expired refresh token."
            raise Unauthorized(message) from error
        return Response(pair.as_json())


class LogoutView(APIView):
    """Revoke one refresh token of the bearer."""

    @extend_schema(
        operation_id="auth_logout",
        tags=["auth"],
        request=RefreshSerializer,
        responses={204: None, **problems(*BODY_ERRORS, HTTPStatus.UNAUTHORIZED)},
    )
    def post(self, request: Request) -> Response:
        """Always 204; the token is revoked only if it belongs to the bearer."""
        data = validated(RefreshSerializer, request)
        tokens.revoke_refresh_token(data["refresh_token"], current_user(request))
        return Response(status=HTTPStatus.NO_CONTENT)


class MeView(APIView):
    """The authenticated user's own account."""

    @extend_schema(
        operation_id="users_me",
        tags=["users"],
        responses={200: UserSerializer, **problems(HTTPStatus.UNAUTHORIZED)},
    )
    def get(self, request: Request) -> Response:
        """Show the account."""
        return Response(services.user_json(current_user(request)))

    @extend_schema(
        operation_id="users_me_update",
        tags=["users"],
        request=UpdateMeSerializer,
        responses={200: UserSerializer, **problems(*BODY_ERRORS, HTTPStatus.UNAUTHORIZED)},
    )
    def patch(self, request: Request) -> Response:
        """Change the name; any other field is a 422."""
        data = validated(UpdateMeSerializer, request)
        user = current_user(request)
        if "full_name" in data:
            user.full_name = data["full_name"]
            user.save(update_fields=["full_name"])
        return Response(services.user_json(user))


class PasswordView(APIView):
    """Change one's own password."""

    @extend_schema(
        operation_id="users_me_password",
        tags=["users"],
        request=PasswordChangeSerializer,
        responses={204: None, **problems(*BODY_ERRORS, HTTPStatus.UNAUTHORIZED)},
    )
    def post(self, request: Request) -> Response:
        """400 for a wrong current password; on success every refresh token is revoked."""
        data = validated(PasswordChangeSerializer, request)
        user = current_user(request)
        if not user.check_password(data["current_password"]):
            message = "The current password is wrong."
            raise BadRequest(message)
        services.change_password(user, data["new_password"])
        return Response(status=HTTPStatus.NO_CONTENT)


class UserListView(APIView):
    """Admins list every user."""

    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="users_list",
        tags=["users"],
        parameters=[
            OpenApiParameter("limit", int, description="1-100, default 20"),
            OpenApiParameter("offset", int, description="0 or more, default 0"),
        ],
        responses={
            200: UserPageSerializer,
            **problems(
                HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN, HTTPStatus.UNPROCESSABLE_ENTITY
            ),
        },
    )
    def get(self, request: Request) -> Response:
        """A page of users by id."""
        page = validate_query(PageQuerySerializer, request.query_params)
        users = User.objects.order_by("id")
        limit, offset = page["limit"], page["offset"]
        items = [services.user_json(user) for user in users[offset : offset + limit]]
        return Response({"items": items, "total": users.count(), "limit": limit, "offset": offset})
