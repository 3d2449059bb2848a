"""What an answer does: a delivery is done, tried again on the specification's schedule (or
later, as Retry-After asks) or failed for good; its endpoint stops failing, starts failing, or
is disabled (410 Gone, or 3 days of failures) with an audit entry. Recorded in one short write
per sweep, of a fixed number of statements, by the sweep's claim."""

import email.utils
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, func, select, update

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
    # Attempts before this one (the claim keeps it from changing while it is held).
    attempts: int = 0


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
    endpoint: a success ends its failing, a 410 or 3 days of failing disable it. A fixed
    number of statements however many answers there are (and one audit entry per endpoint
    disabled), so the write is as short for a batch as for one."""
    if not outcomes:
        return
    held = _still_held(connection, outcomes)
    rows = [_answer_row(outcome, now) for outcome in outcomes if outcome.claimed.id in held]
    if rows:
        connection.execute(_ANSWER, rows)
    failing: dict[int, bool] = {}
    gone: set[int] = set()
    for outcome in outcomes:
        if outcome.claimed.id not in held:
            continue  # the claim ran out and another worker took it: its answer counts
        # The batch's last answer from an endpoint tells whether it is failing now.
        failing[outcome.claimed.endpoint_id] = not _ok(outcome.status)
        if outcome.status == 410:
            gone.add(outcome.claimed.endpoint_id)
    _update_endpoints(connection, failing, gone, now)


def _ok(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def _still_held(connection: Connection, outcomes: Sequence[Outcome]) -> set[int]:
    """The deliveries this sweep's claims still hold (locked until the write ends on
    PostgreSQL, so a redelivery cannot slip in between)."""
    claims = {(outcome.claimed.id, outcome.claimed.claim) for outcome in outcomes}
    query = select(_DELIVERIES.c.id, _DELIVERIES.c.claim).where(
        _DELIVERIES.c.id.in_([delivery_id for delivery_id, _ in claims])
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    return {row.id for row in connection.execute(query) if (row.id, row.claim) in claims}


def _bound(name: str) -> Any:
    return bindparam(f"b_{name}", type_=_DELIVERIES.c[name].type)


# One statement for every answer of a batch (run once per row: executemany). The times left
# unchanged by an answer (delivered_at of a failed retry, next_attempt_at of one done) are
# NULL in its row and keep their value.
_ANSWER = (
    update(_DELIVERIES)
    .where(_DELIVERIES.c.id == bindparam("b_id"))
    .values(
        status=_bound("status"),
        attempts=_bound("attempts"),
        last_status=_bound("last_status"),
        last_latency_ms=_bound("last_latency_ms"),
        last_error=_bound("last_error"),
        response_excerpt=_bound("response_excerpt"),
        claimed_until=None,
        claim=None,
        updated_at=_bound("updated_at"),
        delivered_at=func.coalesce(_bound("delivered_at"), _DELIVERIES.c.delivered_at),
        next_attempt_at=func.coalesce(_bound("next_attempt_at"), _DELIVERIES.c.next_attempt_at),
    )
)


def _answer_row(outcome: Outcome, now: datetime) -> dict[str, Any]:
    claimed = outcome.claimed
    attempts = claimed.attempts + 1
    status = DeliveryStatus.pending
    last_error = outcome.error
    delivered_at: datetime | None = None
    next_attempt_at: datetime | None = None
    if _ok(outcome.status):
        status, delivered_at = DeliveryStatus.delivered, now
    elif outcome.status == 410:
        status = DeliveryStatus.failed
    else:
        if outcome.status is not None and outcome.error is None:
            last_error = f"answered {outcome.status}"
        if attempts > len(SCHEDULE):
            status = DeliveryStatus.failed
        else:
            wait = SCHEDULE[attempts - 1]
            if outcome.retry_after is not None:
                wait = max(wait, outcome.retry_after)
            next_attempt_at = now + wait
    return {
        "b_id": claimed.id,
        "b_status": status.value,
        "b_attempts": attempts,
        "b_last_status": outcome.status,
        "b_last_latency_ms": outcome.latency_ms,
        "b_last_error": last_error,
        "b_response_excerpt": outcome.excerpt,
        "b_updated_at": now,
        "b_delivered_at": delivered_at,
        "b_next_attempt_at": next_attempt_at,
    }


def _update_endpoints(
    connection: Connection, failing: dict[int, bool], gone: set[int], now: datetime
) -> None:
    recovered = [endpoint_id for endpoint_id, failed in failing.items() if not failed]
    failed = [
        endpoint_id for endpoint_id, fails in failing.items() if fails and endpoint_id not in gone
    ]
    if recovered:
        connection.execute(
            update(_ENDPOINTS)
            .where(_ENDPOINTS.c.id.in_(recovered), _ENDPOINTS.c.failing_since.is_not(None))
            .values(failing_since=None)
        )
    if failed:
        connection.execute(
            update(_ENDPOINTS)
            .where(_ENDPOINTS.c.id.in_(failed), _ENDPOINTS.c.failing_since.is_(None))
            .values(failing_since=now)
        )
        _disable(
            connection,
            [
                _ENDPOINTS.c.id.in_(failed),
                _ENDPOINTS.c.failing_since <= now - DISABLE_AFTER,
            ],
            "failed for 3 days",
            now,
        )
    if gone:
        _disable(connection, [_ENDPOINTS.c.id.in_(gone)], "answered 410 Gone", now)


def _disable(connection: Connection, where: list[Any], reason: str, now: datetime) -> None:
    disabled = connection.execute(
        update(_ENDPOINTS)
        .where(*where, _ENDPOINTS.c.enabled.is_(True))
        .values(enabled=False, disabled_reason=reason, updated_at=now)
        .returning(_ENDPOINTS.c.id, _ENDPOINTS.c.url)
    ).all()
    for row in sorted(disabled, key=lambda row: int(row.id)):
        record(
            connection,
            Action.webhook_disabled,
            Ref("webhook", row.id),
            {"url": row.url, "reason": reason},
            actor=WORKER,
        )
