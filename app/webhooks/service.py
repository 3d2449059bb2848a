"""Managing endpoints (admins): create, read, change, rotate a secret, delete; their
deliveries, and sending failed ones again."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, func, select, update
from sqlmodel import Session, col

from app.core.errors import NotFound
from app.core.pagination import Page, PageParams
from app.core.types import utcnow
from app.events.record import Action, Ref, record
from app.webhooks import addresses, signing
from app.webhooks.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookSubscription,
)
from app.webhooks.schemas import (
    DeliveryPublic,
    Redelivered,
    WebhookCreate,
    WebhookPublic,
    WebhookUpdate,
    WebhookWithSecret,
)
from app.webhooks.types import match, type_of

_Row = TypeVar("_Row", WebhookEndpoint, WebhookDelivery)

# How long the secret before a rotation keeps signing beside the new one.
ROTATION_OVERLAP = timedelta(hours=24)


def _page_of(
    session: Session, model: type[_Row], where: list[Any], order: Any, paging: PageParams
) -> tuple[Sequence[_Row], int]:
    """The rows of ``model`` matching ``where`` on the page ``paging`` asks for, in
    ``order``, and how many match in all."""
    total = session.scalar(select(func.count()).select_from(model).where(*where)) or 0
    rows = session.scalars(
        select(model).where(*where).order_by(order).offset(paging.offset).limit(paging.per_page)
    ).all()
    return rows, total


def _public(endpoint: WebhookEndpoint) -> WebhookPublic:
    assert endpoint.id is not None
    return WebhookPublic(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        events=list(endpoint.events),
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        failing_since=endpoint.failing_since,
        previous_secret_expires_at=endpoint.previous_secret_expires_at,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


def _with_secret(endpoint: WebhookEndpoint) -> WebhookWithSecret:
    return WebhookWithSecret(**_public(endpoint).model_dump(), secret=endpoint.secret)


def _subscribe(session: Session, endpoint_id: int, events: list[str]) -> None:
    session.execute(
        delete(WebhookSubscription).where(col(WebhookSubscription.endpoint_id) == endpoint_id)
    )
    for event_type in events:
        matched = match(event_type)
        session.add(
            WebhookSubscription(
                endpoint_id=endpoint_id, object_type=matched.object_type, action=matched.action
            )
        )


def _unique(events: list[str]) -> list[str]:
    return list(dict.fromkeys(events))


def _get(session: Session, endpoint_id: int, *, lock: bool = False) -> WebhookEndpoint:
    query = select(WebhookEndpoint).where(col(WebhookEndpoint.id) == endpoint_id)
    endpoint = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if endpoint is None:
        raise NotFound(f"There is no webhook {endpoint_id}.")
    return endpoint


def create_webhook(
    session: Session, *, data: WebhookCreate, allow_private: bool
) -> WebhookWithSecret:
    addresses.check_url(data.url, allow_private=allow_private)
    events = _unique(list(data.events))
    endpoint = WebhookEndpoint(
        url=data.url, description=data.description, events=events, secret=signing.new_secret()
    )
    session.add(endpoint)
    session.flush()
    assert endpoint.id is not None
    _subscribe(session, endpoint.id, events)
    record(session, Action.webhook_created, Ref("webhook", endpoint.id), {"url": endpoint.url})
    return _with_secret(endpoint)


def list_webhooks(session: Session, *, paging: PageParams) -> Page[WebhookPublic]:
    rows, total = _page_of(session, WebhookEndpoint, [], col(WebhookEndpoint.id), paging)
    return Page(
        items=[_public(row) for row in rows], total=total, page=paging.page,
        per_page=paging.per_page,
    )  # fmt: skip


def get_webhook(session: Session, *, endpoint_id: int) -> WebhookPublic:
    return _public(_get(session, endpoint_id))


def update_webhook(
    session: Session, *, endpoint_id: int, data: WebhookUpdate, allow_private: bool
) -> WebhookPublic | WebhookWithSecret:
    """The endpoint changed; with its new secret when one was asked for."""
    endpoint = _get(session, endpoint_id, lock=True)
    now = utcnow()
    fields: list[str] = []
    if data.url is not None and data.url != endpoint.url:
        addresses.check_url(data.url, allow_private=allow_private)
        endpoint.url = data.url
        fields.append("url")
    if data.events is not None:
        events = _unique(list(data.events))
        if events != endpoint.events:
            endpoint.events = events
            _subscribe(session, endpoint_id, events)
            fields.append("events")
    if data.description is not None and data.description != endpoint.description:
        endpoint.description = data.description
        fields.append("description")
    if data.enabled is not None and data.enabled != endpoint.enabled:
        endpoint.enabled = data.enabled
        fields.append("enabled")
        if data.enabled:
            # A fresh start: the failures that disabled it are the past.
            endpoint.disabled_reason = None
            endpoint.failing_since = None
    if data.rotate_secret:
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = now + ROTATION_OVERLAP
        endpoint.secret = signing.new_secret()
        fields.append("secret")
    if fields:
        endpoint.updated_at = now
        record(
            session,
            Action.webhook_updated,
            Ref("webhook", endpoint_id),
            {"url": endpoint.url, "fields": fields},
        )
    session.flush()
    return _with_secret(endpoint) if data.rotate_secret else _public(endpoint)


def delete_webhook(session: Session, *, endpoint_id: int) -> None:
    endpoint = _get(session, endpoint_id, lock=True)
    # Its subscriptions and deliveries go with it (ON DELETE CASCADE, stated here as well
    # since SQLite enforces foreign keys only when asked to).
    session.execute(delete(WebhookDelivery).where(col(WebhookDelivery.endpoint_id) == endpoint_id))
    session.execute(
        delete(WebhookSubscription).where(col(WebhookSubscription.endpoint_id) == endpoint_id)
    )
    record(session, Action.webhook_deleted, Ref("webhook", endpoint_id), {"url": endpoint.url})
    session.delete(endpoint)


def delivery_public(row: WebhookDelivery) -> DeliveryPublic:
    assert row.id is not None
    pending = row.status == DeliveryStatus.pending
    return DeliveryPublic(
        id=row.id,
        event_id=row.event_id,
        type=type_of(row.action),
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if pending else None,
        last_status=row.last_status,
        last_latency_ms=row.last_latency_ms,
        last_error=row.last_error,
        response_excerpt=row.response_excerpt,
        payload=row.payload,
        created_at=row.created_at,
        updated_at=row.updated_at,
        delivered_at=row.delivered_at,
    )


def list_deliveries(
    session: Session, *, endpoint_id: int, status: DeliveryStatus | None, paging: PageParams
) -> Page[DeliveryPublic]:
    """An endpoint's deliveries, newest first."""
    _get(session, endpoint_id)
    where: list[Any] = [col(WebhookDelivery.endpoint_id) == endpoint_id]
    if status is not None:
        where.append(col(WebhookDelivery.status) == status.value)
    newest_first = col(WebhookDelivery.id).desc()
    rows, total = _page_of(session, WebhookDelivery, where, newest_first, paging)
    return Page(
        items=[delivery_public(row) for row in rows], total=total, page=paging.page,
        per_page=paging.per_page,
    )  # fmt: skip


def _again(now: datetime) -> dict[str, Any]:
    """A delivery sent again: due now, with the retry schedule from its start. Its payload
    (and so its webhook-id and body) stays the one first sent."""
    return {
        "status": DeliveryStatus.pending.value,
        "attempts": 0,
        "next_attempt_at": now,
        "claimed_until": None,
        "claim": None,
        "updated_at": now,
    }


def redeliver(session: Session, *, endpoint_id: int, delivery_id: int) -> DeliveryPublic:
    """Send one delivery again (whatever its status), as soon as the worker polls."""
    _get(session, endpoint_id)
    row = session.scalars(
        select(WebhookDelivery)
        .where(
            col(WebhookDelivery.id) == delivery_id,
            col(WebhookDelivery.endpoint_id) == endpoint_id,
        )
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound(f"Webhook {endpoint_id} has no delivery {delivery_id}.")
    for name, value in _again(utcnow()).items():
        setattr(row, name, value)
    session.flush()
    return delivery_public(row)


def redeliver_failed(session: Session, *, endpoint_id: int, since: datetime) -> Redelivered:
    """Send again every failed delivery of the endpoint made at or after ``since``."""
    _get(session, endpoint_id)
    result = session.execute(
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.endpoint_id) == endpoint_id,
            col(WebhookDelivery.status) == DeliveryStatus.failed.value,
            col(WebhookDelivery.created_at) >= since,
        )
        .values(**_again(utcnow()))
        .execution_options(synchronize_session=False)
    )
    return Redelivered(redelivered=result.rowcount)  # type: ignore[attr-defined]
