"""``/api/v1/users``: the caller's profile and password, and the admin's user list."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from apiflask import APIBlueprint, HTTPError
from werkzeug.exceptions import BadRequest

from ..auth import admin_required, current_user
from ..extensions import password_hasher
from ..passwords import password_problems
from ..schemas import PageQuery, PasswordChangeIn, ProfileIn, UserOut, UserPage
from ..services.users import change_password, list_users, update_profile

bp = APIBlueprint("users", __name__, tag="Users")


@bp.get("/me")
@bp.output(UserOut)
def read_me() -> Any:
    """The caller's own account."""
    return current_user()


@bp.patch("/me")
@bp.input(ProfileIn, arg_name="body")
@bp.output(UserOut)
def update_me(body: dict[str, Any]) -> Any:
    """Change the caller's name; role, email and activity are not the caller's to set."""
    return update_profile(user=current_user(), changes=body)


@bp.post("/me/password")
@bp.input(PasswordChangeIn, arg_name="body")
@bp.output({}, status_code=HTTPStatus.NO_CONTENT)
@bp.doc(responses=[HTTPStatus.BAD_REQUEST])
def change_my_password(body: dict[str, Any]) -> Any:
    """Change the caller's password; every refresh token of the caller is revoked."""
    user = current_user()
    if not password_hasher.verify(user.password_hash, body["current_password"]):
        raise BadRequest(description="The current password is not correct.")
    problems = password_problems(body["new_password"], email=user.email)
    if problems:
        raise HTTPError(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            detail={"json": {"new_password": problems}},
        )
    change_password(user=user, new_password=body["new_password"])
    return ""


@bp.get("")
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(UserPage)
@admin_required
def list_all(query: dict[str, Any]) -> Any:
    """Every user, by id (admin only)."""
    items, total = list_users(limit=query["limit"], offset=query["offset"])
    return {"items": items, "total": total, "limit": query["limit"], "offset": query["offset"]}
