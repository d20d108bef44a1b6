"""The signed-in user's own account, and the admin's list of users."""

from http import HTTPStatus

from fastapi import APIRouter, Depends, HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api.deps import (
    AdminUser,
    CurrentUser,
    Limit,
    Offset,
    PasswordsDep,
    SessionDep,
    get_current_user,
)
from app.api.errors import FieldValidationError
from app.api.responses import json_response, problems
from app.api.routing import LimitedRoute
from app.core.passwords import password_problem
from app.crud.tokens import revoke_all_for_user
from app.crud.users import list_users, update_user
from app.schemas import PasswordChange, UserOut, UserPage, UserUpdate

# Every route here needs a signed-in user (deny by default); admin routes also ask for AdminUser.
router = APIRouter(
    route_class=LimitedRoute,
    prefix="/users",
    tags=["users"],
    dependencies=[Depends(get_current_user)],
    responses=problems(401),
)


@router.get("/me", response_model=UserOut)
async def read_me(user: CurrentUser) -> Response:
    """The caller's own account."""
    return json_response(UserOut.model_validate(user))


@router.patch("/me", response_model=UserOut, responses=problems(400, 413, 422))
async def update_me(body: UserUpdate, user: CurrentUser, session: SessionDep) -> Response:
    """Change the caller's name; nothing else about an account is writable here."""
    update_user(session, user, full_name=body.full_name)
    session.commit()
    return json_response(UserOut.model_validate(user))


@router.post("/me/password", status_code=HTTPStatus.NO_CONTENT, responses=problems(400, 413, 422))
async def change_password(
    body: PasswordChange, user: CurrentUser, session: SessionDep, passwords: PasswordsDep
) -> Response:
    """Change the caller's password and sign out every other session (refresh tokens)."""
    if not await run_in_threadpool(passwords.verify, user.password_hash, body.current_password):
        detail = "The current password is not correct."
        raise HTTPException(HTTPStatus.BAD_REQUEST, detail)
    if problem := password_problem(body.new_password, email=user.email):
        raise FieldValidationError(field="new_password", message=problem)
    new_hash = await run_in_threadpool(passwords.hash, body.new_password)
    update_user(session, user, password_hash=new_hash)
    revoke_all_for_user(session, user=user)
    session.commit()
    return Response(status_code=HTTPStatus.NO_CONTENT)


@router.get("", response_model=UserPage, responses=problems(403, 422))
async def read_users(
    _admin: AdminUser,
    session: SessionDep,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """All users by id (admin only)."""
    users, total = list_users(session, limit=limit, offset=offset)
    page = UserPage.model_validate(
        {"items": users, "total": total, "limit": limit, "offset": offset}, from_attributes=True
    )
    return json_response(page)
