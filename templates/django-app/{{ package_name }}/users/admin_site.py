"""The admin site, whose login shares the API's login throttle and security events.

Django's admin login would otherwise let anyone guess an admin's password at full speed, and
let an email locked out of the API in through the back door. Here every admin login attempt
is counted with the API's counters (per email and client address, and per email), a locked
email gets the same 429 as the API, and the same events are logged (CONTRACT.md).
https://docs.djangoproject.com/en/5.2/ref/contrib/admin/#overriding-the-default-admin-site
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from django.contrib import admin

from ..core.logging import security_event
from ..core.problems import TooManyRequests, problem_response
from .throttling import client_address, get_login_throttle

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


class ThrottledAdminSite(admin.AdminSite):
    """The default admin site with a throttled login."""

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Check the throttle before the admin's login form judges a posted password.

        Args:
            request: The login request.
            extra_context: Passed on to the admin's login view.

        Returns:
            The admin's answer, or a 429 problem while the email is locked.
        """
        email = str(request.POST.get("username", "")).strip().lower()
        if request.method != "POST" or not email:
            return super().login(request, extra_context)
        address = client_address(request)
        throttle = get_login_throttle()
        wait = throttle.retry_after(email, address)
        if wait is not None:
            security_event("authn_login_lock", email=email, client=address, via="admin")
            locked = TooManyRequests(wait)
            return problem_response(
                locked.status_code,
                str(locked.detail),
                headers={"Retry-After": str(locked.retry_after)},
            )
        response = super().login(request, extra_context)
        # The admin answers a refused form with the form again (200) and a login with a redirect.
        if response.status_code == HTTPStatus.OK:
            throttle.record_failure(email, address)
            security_event("authn_login_fail", email=email, client=address, via="admin")
        else:
            security_event("authn_login_success", user_id=request.user.pk, via="admin")
        return response
