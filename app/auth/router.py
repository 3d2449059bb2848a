from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from app.auth import service
from app.auth.dependencies import AdminViewer, CurrentViewer
from app.auth.models import ApiToken, User
from app.auth.schemas import (
    Me,
    TokenCreate,
    TokenCreated,
    TokenPublic,
    UserCreate,
    UserCreated,
    UserPublic,
    UserUpdate,
)
from app.core.deps import DatabaseDep
from app.core.errors import error_responses
from app.core.text import MAX_ID

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
AUTH_ERRORS = error_responses(401, 403)


def _token_public(token: ApiToken) -> TokenPublic:
    return TokenPublic.model_validate(token, from_attributes=True)


def _user_public(user: User) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


@router.get("/me", tags=["auth"], response_model=Me, responses=error_responses(401))
async def me(viewer: CurrentViewer) -> Me:
    """The user behind the token in use."""
    return Me(
        id=viewer.user_id,
        name=viewer.name,
        role=viewer.role,
        token_id=viewer.token_id,
        token_kind=viewer.token_kind,
    )


@router.get("/tokens", tags=["tokens"], response_model=list[TokenPublic], responses=AUTH_ERRORS)
async def list_tokens(
    database: DatabaseDep,
    viewer: CurrentViewer,
    user_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Admins only.")] = None,
) -> list[TokenPublic]:
    """Your tokens (admins: anyone's, or one user's with user_id), without their secrets."""
    tokens = await database.read(service.list_tokens, viewer=viewer, user_id=user_id)
    return [_token_public(token) for token in tokens]


@router.post(
    "/tokens",
    tags=["tokens"],
    status_code=status.HTTP_201_CREATED,
    response_model=TokenCreated,
    responses=error_responses(401, 403, 404, 422),
)
async def create_token(
    database: DatabaseDep, viewer: CurrentViewer, data: TokenCreate
) -> TokenCreated:
    """Create a token; its secret is in this response only.

    A non-admin's new token expires no later than the token that creates it (its
    `expires_at` says when); admins may create tokens that live longer."""
    token, secret = await database.write(service.create_token, viewer=viewer, data=data)
    return TokenCreated(**_token_public(token).model_dump(), token=secret)


@router.delete(
    "/tokens/{token_id}",
    tags=["tokens"],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 404),
)
async def revoke_token(database: DatabaseDep, viewer: CurrentViewer, token_id: Id) -> None:
    """Revoke a token; it stops working at once."""
    await database.write(service.revoke_token, viewer=viewer, token_id=token_id)


@router.get("/users", tags=["users"], response_model=list[UserPublic], responses=AUTH_ERRORS)
async def list_users(database: DatabaseDep, _viewer: AdminViewer) -> list[UserPublic]:
    """All users (admins only)."""
    return [_user_public(user) for user in await database.read(service.list_users)]


@router.post(
    "/users",
    tags=["users"],
    status_code=status.HTTP_201_CREATED,
    response_model=UserCreated,
    responses=error_responses(401, 403, 409, 422),
)
async def create_user(database: DatabaseDep, _viewer: AdminViewer, data: UserCreate) -> UserCreated:
    """Create a user with a first token (admins only); the secret is shown once."""
    user, secret = await database.write(service.create_user, data=data)
    return UserCreated(**_user_public(user).model_dump(), token=secret)


@router.patch(
    "/users/{user_id}",
    tags=["users"],
    response_model=UserPublic,
    responses=error_responses(401, 403, 404, 409, 422),
)
async def update_user(
    database: DatabaseDep, _viewer: AdminViewer, user_id: Id, data: UserUpdate
) -> UserPublic:
    """Rename a user, change its role, or lock it (admins only).

    The last active admin cannot be demoted or locked (409)."""
    return _user_public(await database.write(service.update_user, user_id=user_id, data=data))
