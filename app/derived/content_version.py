"""The content version: how often public content has changed, and when it last did.

Database triggers bump it on every change to public content, whoever writes. What is kept per
version (aggregates here, responses in the HTTP cache) is reused only while the version it was
made at is still the current one, so once a write has committed, no process serves what it
replaced. A scheduled post going public changes responses without any write: a Freshness
therefore also says until when it holds.
"""

import math
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, func, select
from sqlmodel import col

from app.core.per_engine import PerEngine
from app.core.types import UTCDateTime
from app.derived.models import ContentState
from app.posts.models import Post
from app.posts.visibility import scheduled

VERSION = select(col(ContentState.version), col(ContentState.changed_at)).where(
    col(ContentState.id) == 1
)


@dataclass(frozen=True, slots=True)
class Freshness:
    """What a response made now may be reused for: this version, until ``until``."""

    version: int
    changed_at: float
    # The next scheduled post goes public then, changing responses without any write.
    until: float


# What the response cache learnt of the version before an anonymous request ran. The
# request's transaction starts later, so its data are at least that new: aggregates computed
# in it may be filed under this version without reading it again.
request_freshness: ContextVar[Freshness | None] = ContextVar("request_freshness", default=None)


NEXT_PUBLICATION = select(func.min(col(Post.published_at))).where(
    scheduled(bindparam("moment", type_=UTCDateTime()))
)


def epoch(upcoming: datetime | None) -> float:
    return upcoming.timestamp() if upcoming is not None else math.inf


def next_publication(connection: Connection, now: float) -> float:
    """When the next scheduled post goes public (epoch seconds), or infinity."""
    moment = datetime.fromtimestamp(now, UTC)
    return epoch(connection.scalar(NEXT_PUBLICATION, {"moment": moment}))


class ContentVersion(NamedTuple):
    """A row of ``VERSION``."""

    version: int
    changed_at: float  # seconds since the epoch, by the database's clock


def content_version(row: Sequence[Any] | None) -> ContentVersion | None:
    """A row of ``VERSION`` (from a session or a driver cursor), if the database has one."""
    if not row:
        return None
    found = ContentVersion._make(row)
    return ContentVersion(int(found.version), float(found.changed_at))


def read_version(connection: Connection) -> ContentVersion | None:
    return content_version(connection.execute(VERSION).first())


class FreshnessTracker:
    """Turns content versions into Freshness; asks for the next scheduled publication only
    when the version changes or the last one it knew of has passed. While its version is
    current and its time has not passed, a Freshness is given again as it is: what was
    made at it is current exactly while the tracker gives an equal one."""

    def __init__(self) -> None:
        self._last: Freshness | None = None

    def of(
        self, current: ContentVersion | None, upcoming: Callable[[float], float]
    ) -> Freshness | None:
        if current is None:
            return None
        now = time.time()
        last = self._last  # one read: other threads may replace it meanwhile
        if last is not None and last.version == current.version and now < last.until:
            return last
        fresh = Freshness(
            version=current.version, changed_at=current.changed_at, until=upcoming(now)
        )
        self._last = fresh
        return fresh

    def forget(self) -> None:
        self._last = None


# One per database and process, so the next publication is asked for once.
tracker_for = PerEngine(FreshnessTracker)
