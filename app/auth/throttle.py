"""Failed authentications per client: after too many in a window, 429 until it ends.

Counts live in the database, so every process behind a load balancer sees the same ones.
Only failures are counted and limited: a valid token always works (see ``authentication``).
Each recorded failure also removes a bounded number of other clients' expired rows, so the
table holds about the clients that failed within one window, not every client ever seen.
"""

import math
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.auth.models import AuthFailure
from app.core.db import insert_ignoring_duplicates
from app.core.errors import TooManyRequests
from app.core.types import utcnow
from app.events import record as events
from app.events.actor import ANONYMOUS


def refuse_if_locked_out(
    failures: int, window_start: datetime, *, limit: int, window: timedelta
) -> None:
    """Raise TooManyRequests while a client's failures in its current window reach ``limit``."""
    if failures < limit:
        return
    remaining = window_start + window - utcnow()
    if remaining.total_seconds() > 0:
        seconds = math.ceil(remaining.total_seconds())
        raise TooManyRequests(
            f"Too many failed authentications from this client; try again in {seconds} s.",
            headers={"Retry-After": str(seconds)},
        )


# Expired rows removed per recorded failure: more than the one row a failure may add, so
# they cannot pile up while failures go on, and few enough to keep each write short.
EXPIRED_PER_FAILURE = 100


def record_failure(session: Session, *, client: str, window: timedelta, reason: str) -> None:
    """Count a failed authentication of ``client``, and record it as an ``auth.failed``
    event: with the reason and the client's keyed hash, never anything of the token. Only
    counted failures are recorded, so a client adds no more events per window than the
    limit lets it fail (one locked out is refused before it gets here)."""
    now = utcnow()
    # The client's own row first, then the cleanup, which skips rows other transactions hold:
    # a transaction never waits for a row while holding one another may wait for.
    insert_ignoring_duplicates(session, AuthFailure, client=client, window_start=now, failures=0)
    record = session.exec(
        select(AuthFailure).where(col(AuthFailure.client) == client).with_for_update()
    ).one()
    if record.window_start + window <= now:
        record.window_start, record.failures = now, 0
    record.failures += 1
    remove_expired(session, now=now, window=window, keep=client)
    data = {"reason": reason, "client": client}
    events.record(session, events.Action.auth_failed, None, data, actor=ANONYMOUS)


def remove_expired(session: Session, *, now: datetime, window: timedelta, keep: str) -> None:
    """Delete up to EXPIRED_PER_FAILURE rows whose window has passed (oldest first, through
    the index on window_start), other than ``keep``'s."""
    expired = (
        select(col(AuthFailure.client))
        .where(col(AuthFailure.window_start) <= now - window, col(AuthFailure.client) != keep)
        .order_by(col(AuthFailure.window_start))
        .limit(EXPIRED_PER_FAILURE)
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(AuthFailure).where(col(AuthFailure.client).in_(expired)))
