"""Failed authentications per client: after too many in a window, 429 until it ends.

Counts live in the database, so every process behind a load balancer sees the same ones.
"""

import math
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.auth.models import AuthFailure
from app.core.db import insert_ignoring_duplicates
from app.core.errors import TooManyRequests
from app.core.types import utcnow


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


def record_failure(session: Session, *, client: str, window: timedelta) -> None:
    now = utcnow()
    insert_ignoring_duplicates(session, AuthFailure, client=client, window_start=now, failures=0)
    record = session.exec(
        select(AuthFailure).where(col(AuthFailure.client) == client).with_for_update()
    ).one()
    if record.window_start + window <= now:
        record.window_start, record.failures = now, 0
    record.failures += 1
