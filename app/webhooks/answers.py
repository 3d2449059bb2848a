"""What an answer does: a delivery is done, tried again on the specification's schedule (or
later, as Retry-After asks) or failed for good; its endpoint stops failing, starts failing, or
is disabled (410 Gone, or 3 days of failures) with an audit entry. Recorded in one short write
per sweep, by the sweep's claim."""

import email.utils
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, and_, select, update

from app.core.types import utcnow
from app.events.actor import WORKER
from app.events.record import Action, Ref, record
from app.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

# The Standard Webhooks specification's example schedule: after the first attempt fails, again
# 5 seconds later, then 5 minutes, 30 minutes, 2 hours, 5 hours, 10 hours and 10 hours; a
# delivery that fails all eight attempts (about 28 hours) has failed for good.
SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
# An endpoint that has answered nothing but failures for this long is disabled.
DISABLE_AFTER = timedelta(days=3)
# The longest Retry-After honoured: a receiver cannot park a delivery for ever.
RETRY_AFTER_MAX = timedelta(hours=24)

_DELIVERIES = WebhookDelivery.metadata.tables["webhook_deliveries"]
_ENDPOINTS = WebhookEndpoint.metadata.tables["webhook_endpoints"]


class Claimed(NamedTuple):
    """A delivery a sweep has claimed, ready to send."""

    id: int
    claim: str
    endpoint_id: int
    url: str
    secrets: tuple[str, ...]
    message_id: str
    body: bytes


class Outcome(NamedTuple):
    """What sending a claimed delivery got."""

    claimed: Claimed
    status: int | None  # None: no answer (refused, unreachable, timed out)
    latency_ms: int | None
    excerpt: str | None
    error: str | None
    retry_after: timedelta | None


def retry_after(value: str | None) -> timedelta | None:
    """Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        wait = timedelta(seconds=int(value[:9]))
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        wait = when - utcnow()
    return max(timedelta(0), min(wait, RETRY_AFTER_MAX))


def record_answers(connection: Connection, outcomes: Sequence[Outcome], now: datetime) -> None:
    """Each answer on its delivery (if this sweep's claim still holds it), and on its
    endpoint: a success ends its failing, a 410 or 3 days of failing disable it."""
    failing: dict[int, bool] = {}
    gone: set[int] = set()
    for outcome in outcomes:
        claimed = outcome.claimed
        values: dict[str, Any] = {
            "attempts": _DELIVERIES.c.attempts + 1,
            "last_status": outcome.status,
            "last_latency_ms": outcome.latency_ms,
            "last_error": outcome.error,
            "response_excerpt": outcome.excerpt,
            "claimed_until": None,
            "claim": None,
            "updated_at": now,
        }
        ok = outcome.status is not None and 200 <= outcome.status < 300
        if ok:
            values |= {"status": DeliveryStatus.delivered.value, "delivered_at": now}
        elif outcome.status == 410:
            values |= {"status": DeliveryStatus.failed.value}
            gone.add(claimed.endpoint_id)
        else:
            if outcome.status is not None and outcome.error is None:
                values["last_error"] = f"answered {outcome.status}"
        done = connection.execute(
            update(_DELIVERIES)
            .where(_DELIVERIES.c.id == claimed.id, _DELIVERIES.c.claim == claimed.claim)
            .values(**values)
            .returning(_DELIVERIES.c.attempts)
        ).first()
        if done is None:
            continue  # the claim ran out and another worker took it: its answer counts
        if not ok and outcome.status != 410:
            _schedule(connection, claimed.id, done.attempts, outcome.retry_after, now)
        failing[claimed.endpoint_id] = not ok
    _update_endpoints(connection, failing, gone, now)


def _schedule(
    connection: Connection,
    delivery_id: int,
    attempts: int,
    retry_after: timedelta | None,
    now: datetime,
) -> None:
    if attempts > len(SCHEDULE):
        values: dict[str, Any] = {"status": DeliveryStatus.failed.value}
    else:
        wait = SCHEDULE[attempts - 1]
        if retry_after is not None:
            wait = max(wait, retry_after)
        values = {"next_attempt_at": now + wait}
    connection.execute(update(_DELIVERIES).where(_DELIVERIES.c.id == delivery_id).values(**values))


def _update_endpoints(
    connection: Connection, failing: dict[int, bool], gone: set[int], now: datetime
) -> None:
    for endpoint_id, failed in failing.items():
        if endpoint_id in gone:
            _disable(connection, endpoint_id, "answered 410 Gone", now)
        elif not failed:
            connection.execute(
                update(_ENDPOINTS)
                .where(_ENDPOINTS.c.id == endpoint_id, _ENDPOINTS.c.failing_since.is_not(None))
                .values(failing_since=None)
            )
        else:
            connection.execute(
                update(_ENDPOINTS)
                .where(_ENDPOINTS.c.id == endpoint_id, _ENDPOINTS.c.failing_since.is_(None))
                .values(failing_since=now)
            )
            since = connection.execute(
                select(_ENDPOINTS.c.failing_since, _ENDPOINTS.c.enabled).where(
                    _ENDPOINTS.c.id == endpoint_id
                )
            ).first()
            if (
                since is not None
                and since.enabled
                and since.failing_since is not None
                and now - since.failing_since >= DISABLE_AFTER
            ):
                _disable(connection, endpoint_id, "failed for 3 days", now)


def _disable(connection: Connection, endpoint_id: int, reason: str, now: datetime) -> None:
    row = connection.execute(
        update(_ENDPOINTS)
        .where(and_(_ENDPOINTS.c.id == endpoint_id, _ENDPOINTS.c.enabled.is_(True)))
        .values(enabled=False, disabled_reason=reason, updated_at=now)
        .returning(_ENDPOINTS.c.url)
    ).first()
    if row is not None:
        record(
            connection,
            Action.webhook_disabled,
            Ref("webhook", endpoint_id),
            {"url": row.url, "reason": reason},
            actor=WORKER,
        )
