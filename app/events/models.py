"""The events table: one row per thing a write did, never changed once written."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, Integer, String
from sqlmodel import Field, SQLModel

from app.auth.models import USER_NAME_MAX
from app.core.types import UTCDateTime, ids_never_reused, utcnow
from app.events.actor import ActorKind

ACTION_MAX = 40
OBJECT_TYPE_MAX = 20
REQUEST_ID_MAX = 64  # what app.core.middleware accepts as a request id
_KINDS = ", ".join(f"'{kind.value}'" for kind in ActorKind)


class Event(SQLModel, table=True):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(f"actor_kind IN ({_KINDS})", name="actor_kind"),
        # Every audit filter reads newest first along one of these (the id breaks ties and
        # is the cursor); the primary key serves the unfiltered log.
        Index("ix_events_action_id", "action", "id"),
        Index("ix_events_object_type_object_id_id", "object_type", "object_id", "id"),
        Index("ix_events_actor_user_id_id", "actor_user_id", "id"),
        Index("ix_events_actor_name_id", "actor_name", "id"),
        Index("ix_events_actor_kind_id", "actor_kind", "id"),
        Index("ix_events_occurred_at", "occurred_at"),
        ids_never_reused(),
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    action: str = Field(sa_column=Column(String(ACTION_MAX), nullable=False))
    object_type: str | None = Field(default=None, sa_column=Column(String(OBJECT_TYPE_MAX)))
    object_id: int | None = Field(default=None, sa_column=Column(Integer))
    actor_kind: str = Field(sa_column=Column(String(16), nullable=False))
    # No foreign keys: an entry outlives the user and token it names, unchanged.
    actor_user_id: int | None = Field(default=None, sa_column=Column(Integer))
    actor_token_id: int | None = Field(default=None, sa_column=Column(Integer))
    actor_name: str | None = Field(default=None, sa_column=Column(String(USER_NAME_MAX)))
    request_id: str | None = Field(default=None, sa_column=Column(String(REQUEST_ID_MAX)))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
