"""Bearer-token authentication for DRF.

https://www.django-rest-framework.org/api-guide/authentication/#custom-authentication
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import jwt
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions
from typing_extensions import override

from .models import User
from .tokens import decode_access_token

if TYPE_CHECKING:
    from rest_framework.request import Request


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Reads `Authorization: Bearer <JWT>`; the user must exist and be active."""

    keyword = "Bearer"

    @override
    def authenticate(self, request: Request) -> tuple[User, dict[str, object]] | None:
        """Return (user, claims), None without a bearer header, or fail on a bad token.

        Raises:
            AuthenticationFailed: The token is invalid or its user is inactive or gone.
        """
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            message = "Invalid Authorization header."
            raise exceptions.AuthenticationFailed(message)
        try:
            claims = decode_access_token(header[1].decode("ascii"))
            user_id = int(claims["sub"])
        except (jwt.InvalidTokenError, UnicodeDecodeError, ValueError) as error:
            message = "Invalid or expired token."
            raise exceptions.AuthenticationFailed(message) from error
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            message = "Invalid or expired token."
            raise exceptions.AuthenticationFailed(message)
        return user, claims

    @override
    def authenticate_header(self, request: Request) -> str:
        """Makes DRF answer 401 (not 403) when no credentials were sent."""
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Describes the bearer scheme in the OpenAPI document."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    @override
    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        """An HTTP bearer scheme carrying a JWT."""
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix=BearerTokenAuthentication.keyword,
            bearer_format="JWT",
        )
