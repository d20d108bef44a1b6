"""The admin site at ADMIN_URL, made with sqladmin (CONTRACT.md, section 16).

sqladmin draws the pages (lists, search, filters, edit forms) from the models; this package
adds what a site for staff needs on top of it:

- `auth.py`: who may enter (active users with the `admin` role), the login that shares the
  API's password check and throttle, server-side sessions with timeouts, and CSRF tokens;
- `views.py`: what each page shows and may change, and the audit log of every change;
- `templates/sqladmin/`: the few of sqladmin's templates that carry a CSRF token or the
  logout form, and the logout page (the others are sqladmin's own);
- `static/`: the one script that hands the CSRF token to sqladmin's delete button.

https://aminalaee.github.io/sqladmin/
"""

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqladmin import Admin, ModelView
from sqladmin.authentication import login_required
from starlette.datastructures import URL, FormData
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app import PROJECT_NAME
from app.admin.auth import AdminAuth, AdminHeadersMiddleware
from app.admin.views import AuditLogAdmin, TaskAdmin, UserAdmin
from app.core.config import Settings
from app.core.db import create_session_factory

HERE = Path(__file__).resolve().parent


class StaffAdmin(Admin):
    """sqladmin's `Admin`, whose logout is a POST: a link could be followed from anywhere.

    The menu's Logout link (a GET) opens a page whose button posts the logout form.
    """

    def __init__(self, app: FastAPI, settings: Settings, auth: AdminAuth) -> None:
        """Mount the admin on `app` under ADMIN_URL, behind `auth`."""
        super().__init__(
            app,
            # A session factory of its own: sqladmin reconfigures the one it is given, and
            # the API's must stay as it is.
            session_maker=create_session_factory(app.state.engine),
            base_url=settings.admin_url.rstrip("/"),
            title=f"{PROJECT_NAME} admin",
            templates_dir=str(HERE / "templates"),
            # Our static folder first (the CSRF script), then sqladmin's own files.
            static_files_kwargs={"directory": str(HERE / "static")},
            authentication_backend=auth,
            middlewares=[Middleware(AdminHeadersMiddleware)],
        )
        for route in self.admin.router.routes:
            if isinstance(route, Route) and route.name == "logout":
                route.methods = {"GET", "HEAD", "POST"}

    async def logout(self, request: Request) -> Response:
        """POST logs out (sqladmin's own logout, CSRF checked); GET asks to confirm."""
        if request.method == "POST":
            return await super().logout(request)
        page: Response = await self.logout_page(request)
        return page

    @login_required
    async def logout_page(self, request: Request) -> Response:
        """The page behind the menu's Logout link, for a logged-in admin."""
        return await self.templates.TemplateResponse(request, "sqladmin/logout.html")

    @staticmethod
    def get_save_redirect_url(
        request: Request, form: FormData, model_view: ModelView, obj: Any
    ) -> str | URL:
        """After an edit: the edit page again if asked for, else the list.

        sqladmin sends a form posted without its submit button (a script, a test) to the
        create page, which no view here has.
        """
        if form.get("save") == "Save and continue editing":
            return Admin.get_save_redirect_url(request, form, model_view, obj)
        return request.url_for("admin:list", identity=model_view.identity)


def install_admin(app: FastAPI, settings: Settings) -> None:
    """Mount the admin site on `app` (call it only when `settings.admin_on`)."""
    auth = AdminAuth(app.state, settings)
    admin = StaffAdmin(app, settings, auth)
    auth.templates = admin.templates
    admin.templates.env.globals["csrf_token"] = auth.csrf_token
    for view in (UserAdmin, TaskAdmin, AuditLogAdmin):
        # sqladmin keeps its state (session factory, admin) on the view class: a subclass
        # per app keeps two apps of one process (the tests build several) apart.
        admin.add_view(type(view.__name__, (view,), {"app_state": app.state}))
