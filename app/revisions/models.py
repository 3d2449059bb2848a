"""The revisions of posts, and the queue of posts whose revision is to be looked at."""

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, LargeBinary, String
from sqlmodel import Field, SQLModel

from app.auth.models import USER_NAME_MAX
from app.core.types import UTCDateTime, ids_never_reused, utcnow


class PostRevision(SQLModel, table=True):
    """One state of a post's content: number 1 is the state it was created in, each later
    one the state after a change. Written by ``app.revisions.keeping`` before the write that
    made the change commits; never changed once written. A post's purge takes its revisions
    along (the foreign key cascades)."""

    __tablename__ = "post_revisions"
    __table_args__ = (
        # A post's revisions, newest first, and the latest one the hook compares with.
        Index("ix_post_revisions_post_id_number", "post_id", "number", unique=True),
        ids_never_reused(),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False)
    )
    # From 1 per post; numbers go on counting when old revisions are dropped.
    number: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # Who wrote it (app.events.actor): no foreign key, a revision outlives its user.
    actor_kind: str = Field(sa_column=Column(String(16), nullable=False))
    actor_user_id: int | None = Field(default=None, sa_column=Column(Integer))
    actor_name: str | None = Field(default=None, sa_column=Column(String(USER_NAME_MAX)))
    # The names of the fields that differ from the revision before (all set ones for the first).
    changed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The content's fields as zlib-compressed JSON (app.revisions.snapshots).
    snapshot: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class PostRevisionQueue(SQLModel, table=True):
    """Posts whose content a transaction changed: filled by triggers (``post_revisions`` in
    app.derived.triggers), emptied by the same transaction's before-commit hook."""

    __tablename__ = "post_revision_queue"

    post_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
