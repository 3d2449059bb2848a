from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.text import CleanText, Moment
from app.events.actor import ActorKind
from app.events.models import ACTION_MAX

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
CURSOR_MAX = 100


class AuditFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor: Annotated[CleanText, StringConstraints(min_length=1, max_length=80)] | None = Field(
        None,
        description="Who: a user id or name, `cli` (the command line), `worker` or "
        "`anonymous` (failed authentications).",
    )
    action: Annotated[CleanText, StringConstraints(min_length=1, max_length=ACTION_MAX)] | None = (
        Field(None, description="What: an action (`post.created`) or a family (`post.*`).")
    )
    object: Annotated[CleanText, StringConstraints(min_length=1, max_length=40)] | None = Field(
        None, description="Which object: `post:12`, `source:3`, `user:5` or `token:9`."
    )
    after: Moment | None = Field(
        None, description="Entries after this time (without a UTC offset: the site's time)."
    )
    before: Moment | None = Field(None, description="Entries before this time.")
    cursor: Annotated[CleanText, StringConstraints(min_length=1, max_length=CURSOR_MAX)] | None = (
        Field(None, description="Where the page starts: a previous page's `next_cursor`.")
    )
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Entries per page, 1 to {MAX_LIMIT}."
    )


class AuditActor(BaseModel):
    kind: ActorKind = Field(
        description="`token` (an API request), `cli` (the command line), `worker` "
        "(background work) or `anonymous` (a request without a valid token)."
    )
    user_id: int | None = Field(description="The user, for a token; it may be gone since.")
    name: str | None = Field(description="The user's name when it acted.")
    token_id: int | None = Field(description="The token it used.")


class AuditObject(BaseModel):
    type: str = Field(description="`post`, `source`, `user`, `token` or `webhook`.")
    id: int


class AuditEntry(BaseModel):
    id: int
    occurred_at: datetime
    action: str = Field(description="`post.created`, `post.published`, `auth.failed`, ...")
    object: AuditObject | None
    actor: AuditActor
    request_id: str | None = Field(description="The request's X-Request-ID, if a request.")
    data: dict[str, Any] = Field(
        description="What else the entry says: names, slugs, changed fields, a reason; "
        "never a secret or a body."
    )


class AuditPage(BaseModel):
    items: list[AuditEntry] = Field(description="Newest first.")
    next_cursor: str | None = Field(
        description="The next (older) page's `cursor`, also in the `Link` header; null on "
        "the last page."
    )
