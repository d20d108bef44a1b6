"""The signed-in user's own account, and the admin's list of users.

Plain `def` routes (FastAPI runs them in its thread pool), so neither a query nor argon2
hashing ever runs on the event loop; FastAPI validates what they return with `response_model`.
"""

from http import HTTPStatus

from fastapi import APIRouter, Depends, HTTPException, Response

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
from app.api.openapi import problems
from app.api.routing import LimitedRoute
from app.core.passwords import password_problem
from app.crud.tokens import revoke_all_for_user
from app.crud.users import list_users, update_user
from app.models import User
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
def read_me(user: CurrentUser) -> User:
    """The caller's own account."""
    return user


@router.patch("/me", response_model=UserOut, responses=problems(400, 413, 415, 422))
def update_me(body: UserUpdate, user: CurrentUser, session: SessionDep) -> User:
    """Change the caller's name; nothing else about an account is writable here."""
    update_user(session, user, full_name=body.full_name)
    session.commit()
    return user


@router.post(
    "/me/password",
    status_code=HTTPStatus.NO_CONTENT,
    response_class=Response,
    responses=problems(400, 413, 415, 422),
)
def change_password(
    body: PasswordChange, user: CurrentUser, session: SessionDep, passwords: PasswordsDep
) -> None:
    """Change the caller's password and sign out every other session (refresh tokens)."""
    if not passwords.verify(user.password_hash, body.current_password):
        detail = "The current password is not correct."
        raise HTTPException(HTTPStatus.BAD_REQUEST, detail)
    if problem := password_problem(body.new_password, email=user.email):
        raise FieldValidationError(field="new_password", message=problem)
    update_user(session, user, password_hash=passwords.hash(body.new_password))
    revoke_all_for_user(session, user=user)
    session.commit()


@router.get("", response_model=UserPage, responses=problems(403, 422))
def read_users(
    _admin: AdminUser,
    session: SessionDep,
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, object]:
    """All users by id (admin only)."""
    users, total = list_users(session, limit=limit, offset=offset)
    return {"items": users, "total": total, "limit": limit, "offset": offset}
