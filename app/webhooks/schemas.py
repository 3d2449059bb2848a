"""What the webhooks API takes and answers."""

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from app.core.text import PlainText
from app.webhooks.models import DESCRIPTION_MAX, URL_MAX
from app.webhooks.types import EVENT_TYPES

EventType = Literal[
    "post.published",
    "post.updated",
    "post.unpublished",
    "post.trashed",
    "post.deleted",
    "source.*",
    "tag.*",
]
# One list of types: the API's and the one subscriptions are matched by.
assert set(get_args(EventType)) == set(EVENT_TYPES)

Url = Annotated[str, StringConstraints(min_length=1, max_length=URL_MAX, strip_whitespace=True)]
Events = Annotated[
    list[EventType],
    Field(
        min_length=1,
        max_length=len(EVENT_TYPES),
        description="The event types sent to the endpoint: a post's, or every event of "
        "sources (source.*) or tags (tag.*).",
    ),
]
Description = Annotated[PlainText, StringConstraints(max_length=DESCRIPTION_MAX)]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url = Field(description="Where deliveries are POSTed: an https:// URL.")
    events: Events
    description: Description = ""


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    events: Events | None = None
    description: Description | None = None
    enabled: bool | None = Field(
        None, description="false pauses deliveries; true resumes them (and clears a failure)."
    )
    rotate_secret: bool = Field(
        False,
        description="Make a new secret, answered once in `secret`; the old one keeps signing "
        "beside it for 24 hours, so receivers can switch without refusing a delivery.",
    )


class WebhookPublic(BaseModel):
    id: int
    url: str
    description: str
    events: list[str]
    enabled: bool
    disabled_reason: str | None = Field(
        description="Why the worker disabled the endpoint (a 410, or 3 days of failures)."
    )
    failing_since: datetime | None = Field(
        description="The first failed attempt since the last successful delivery."
    )
    previous_secret_expires_at: datetime | None = Field(
        description="Until when the secret before the last rotation still signs."
    )
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(WebhookPublic):
    secret: str = Field(
        description="The whsec_ signing secret: shown only here, when the endpoint is made or "
        "its secret rotated."
    )


class DeliveryPublic(BaseModel):
    id: int
    event_id: int = Field(description="The event told of; the webhook-id is `evt_<event_id>`.")
    type: str = Field(description="The event type sent, such as post.published.")
    subject_type: str | None
    subject_id: int | None
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime | None = Field(description="When a pending delivery is next sent.")
    last_status: int | None = Field(description="The HTTP status of the last answer.")
    last_latency_ms: int | None
    last_error: str | None = Field(description="Why the last attempt failed, if it did.")
    response_excerpt: str | None = Field(description="The start of the last answer's body.")
    payload: dict[str, Any] | None = Field(description="The body sent (once first sent).")
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None


class RedeliverFailed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: AwareDatetime = Field(description="Failed deliveries made at or after this time.")


class Redelivered(BaseModel):
    redelivered: int = Field(description="How many failed deliveries were queued again.")
