"""The webhooks tables: endpoints, what each is subscribed to, and one delivery per event and
endpoint (made by the ``webhook_fanout`` triggers in the event's own transaction)."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, ids_never_reused, utcnow
from app.events.models import ACTION_MAX, OBJECT_TYPE_MAX

URL_MAX = 2000
SECRET_MAX = 100
DESCRIPTION_MAX = 200
# Enough of a receiver's answer to tell what it said; the rest is not kept.
EXCERPT_MAX = 1000
ERROR_MAX = 500


class DeliveryStatus(StrEnum):
    pending = "pending"  # waiting for its next attempt (or being sent)
    delivered = "delivered"  # the receiver answered 2xx
    failed = "failed"  # out of attempts, or the endpoint answered 410


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (ids_never_reused(),)

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column=Column(String(URL_MAX), nullable=False))
    description: str = Field(default="", sa_column=Column(String(DESCRIPTION_MAX), nullable=False))
    # The event types as the admin gave them (``post.published``, ``source.*``), for display;
    # webhook_subscriptions holds them as the triggers match them.
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The signing key as given out (whsec_ + base64): HMAC needs the key itself, so it is kept
    # as the database keeps every other credential it needs, and never shown again.
    secret: str = Field(sa_column=Column(String(SECRET_MAX), nullable=False))
    # After a rotation the previous key signs beside the new one until it expires, so a
    # receiver can switch without refusing a delivery.
    previous_secret: str | None = Field(default=None, sa_column=Column(String(SECRET_MAX)))
    previous_secret_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    enabled: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    disabled_reason: str | None = Field(default=None, sa_column=Column(String(ERROR_MAX)))
    # The first failed attempt since the last delivered one: 3 days of that disables it.
    failing_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class WebhookSubscription(SQLModel, table=True):
    """One event type an endpoint takes, as the triggers match events: ``object_type`` and
    ``action`` (NULL: every action of the object type, for ``source.*``)."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (Index("ix_webhook_subscriptions_object_type", "object_type", "action"),)

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False
        )
    )
    object_type: str = Field(sa_column=Column(String(OBJECT_TYPE_MAX), nullable=False))
    action: str | None = Field(default=None, sa_column=Column(String(ACTION_MAX)))


_STATUSES = ", ".join(f"'{status.value}'" for status in DeliveryStatus)


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUSES})", name="status"),
        # The claim: the oldest due pending deliveries.
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at", "id"),
        # Order per object: an earlier pending delivery of the same object to the same
        # endpoint holds the later ones back.
        Index(
            "ix_webhook_deliveries_subject",
            "endpoint_id",
            "subject_type",
            "subject_id",
            "status",
            "id",
        ),
        # An endpoint's deliveries, newest first.
        Index("ix_webhook_deliveries_endpoint_id", "endpoint_id", "id"),
        ids_never_reused(),
    )

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False
        )
    )
    # The event told of (events are never changed or deleted): its id is the webhook-id.
    event_id: int = Field(sa_column=Column(Integer, nullable=False))
    action: str = Field(sa_column=Column(String(ACTION_MAX), nullable=False))
    subject_type: str | None = Field(default=None, sa_column=Column(String(OBJECT_TYPE_MAX)))
    subject_id: int | None = Field(default=None, sa_column=Column(Integer))
    status: str = Field(
        default=DeliveryStatus.pending.value, sa_column=Column(String(16), nullable=False)
    )
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # Set while a worker sends it: another worker takes it only once this has passed (the
    # sender died), so a delivery is sent at least once, and rarely twice.
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claim: str | None = Field(default=None, sa_column=Column(String(40)))
    # The body as first sent: every retry and redelivery sends the same bytes.
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    last_status: int | None = Field(default=None, sa_column=Column(Integer))
    last_latency_ms: int | None = Field(default=None, sa_column=Column(Integer))
    last_error: str | None = Field(default=None, sa_column=Column(String(ERROR_MAX)))
    response_excerpt: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
