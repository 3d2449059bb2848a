from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.auth.models import TOKEN_NAME_MAX, USER_NAME_MAX, Role, TokenKind
from app.core.inputs import TextInput
from app.core.text import MAX_ID, CleanedPattern, Line, Moment

UserName = Annotated[
    Line,
    StringConstraints(min_length=1, max_length=USER_NAME_MAX),
    CleanedPattern(r"^[^\s/][^/]*$", "must not start with a space or contain '/'"),
]
TokenName = Annotated[Line, StringConstraints(min_length=1, max_length=TOKEN_NAME_MAX)]


class UserCreate(TextInput):
    model_config = ConfigDict(extra="forbid")

    name: UserName
    role: Role = Role.author


class UserUpdate(TextInput):
    model_config = ConfigDict(extra="forbid")

    name: UserName | None = None
    role: Role | None = None
    is_active: bool | None = Field(None, description="False locks the user and all its tokens.")


class UserPublic(BaseModel):
    id: int
    name: str
    role: Role
    is_active: bool
    created_at: datetime
    updated_at: datetime


class UserCreated(UserPublic):
    token: str = Field(description="The user's first API token. Shown only this once.")


class TokenCreate(TextInput):
    model_config = ConfigDict(extra="forbid")

    name: TokenName = "API token"
    kind: TokenKind = Field(
        TokenKind.full,
        description="full: the token may do all its user may. preview: it only reads what "
        "its user may read of posts, sources and archives (drafts too: authors their own, "
        "editors all), for a frontend's preview mode; any other request with it is a 403.",
    )
    expires_at: Moment | None = Field(
        None,
        description="When the token stops working (none: never). A token created by a "
        "non-admin expires no later than the token creating it: a later or missing time "
        "becomes that token's expiry.",
    )
    user_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Admins only: create the token for this user."
    )


class TokenPublic(BaseModel):
    id: int
    user_id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    kind: TokenKind = Field(description="full, or preview: reads posts, sources and archives only.")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenPublic):
    token: str = Field(description="The secret token. Shown only this once; store it safely.")


class Me(BaseModel):
    id: int
    name: str
    role: Role
    token_id: int
    token_kind: TokenKind = Field(description="The kind of the token in use.")
