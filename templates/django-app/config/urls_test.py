"""Test-only routing: the real routes plus one that crashes on purpose."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from config.urls import urlpatterns as project_urlpatterns

ERROR_PATH = "/__test__/error"


def raise_error(_request: HttpRequest) -> HttpResponse:
    """Fail like a bug would, to prove the last-resort handler hides the details.

    Raises:
        RuntimeError: Always, with text that must never reach the client.
    """
    message = "boom: SELECT secret FROM users, see /srv/app/settings.py line 1"
    raise RuntimeError(message)


urlpatterns: list[URLPattern | URLResolver] = [
    *project_urlpatterns,
    path(ERROR_PATH.lstrip("/"), raise_error),
]
