"""The current content version, asked of the database before every cacheable read.

A cached response is served only while the version it was made at is still the current one,
so once a write has committed, no process serves what it replaced. On SQLite the question is
a single-row read on a connection kept for it, on the event loop itself, and is asked only
when something has committed since it was last asked (``app.core.wal_index``); on
PostgreSQL it takes one round trip on a reading thread, shared by the requests that ask
while the one before is running (``shared_call``).
"""

import math
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col

from app.caching.models import ContentState
from app.caching.per_engine import PerEngine
from app.caching.shared_call import NextCallShared
from app.core.driver import DriverConnection
from app.core.prepared import Prepared
from app.core.types import UTCDateTime
from app.posts.models import Post
from app.posts.visibility import scheduled

_VERSION = select(col(ContentState.version), col(ContentState.changed_at)).where(
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


_NEXT_PUBLICATION = select(func.min(col(Post.published_at))).where(
    scheduled(bindparam("moment", type_=UTCDateTime()))
)


def _epoch(upcoming: datetime | None) -> float:
    return upcoming.timestamp() if upcoming is not None else math.inf


def next_publication(connection: Connection, now: float) -> float:
    """When the next scheduled post goes public (epoch seconds), or infinity."""
    moment = datetime.fromtimestamp(now, UTC)
    return _epoch(connection.scalar(_NEXT_PUBLICATION, {"moment": moment}))


def _version(row: Sequence[Any] | None) -> tuple[int, float] | None:
    return (int(row[0]), float(row[1])) if row else None


def read_version(connection: Connection) -> tuple[int, float] | None:
    return _version(connection.execute(_VERSION).first())


class FreshnessTracker:
    """Turns content versions into Freshness; asks for the next scheduled publication only
    when the version changes or the last one it knew of has passed. While its version is
    current and its time has not passed, a Freshness is given again as it is: what was
    made at it is current exactly while the tracker gives an equal one."""

    def __init__(self) -> None:
        self._last: Freshness | None = None

    def of(
        self, version: tuple[int, float] | None, upcoming: Callable[[float], float]
    ) -> Freshness | None:
        if version is None:
            return None
        now = time.time()
        last = self._last  # one read: other threads may replace it meanwhile
        if last is not None and last.version == version[0] and now < last.until:
            return last
        fresh = Freshness(version=version[0], changed_at=version[1], until=upcoming(now))
        self._last = fresh
        return fresh

    def forget(self) -> None:
        self._last = None


# One per database and process, so the next publication is asked for once.
tracker_for = PerEngine(FreshnessTracker)


class ContentVersionProbe:
    """Asks on the driver connection the direct reads use: inline on SQLite, on a reading
    thread on PostgreSQL."""

    def __init__(self, driver: DriverConnection) -> None:
        self._driver = driver
        self._tracker = tracker_for(driver.engine)
        self._version = Prepared(_VERSION, driver.engine.dialect)
        self._next_publication = Prepared(_NEXT_PUBLICATION, driver.engine.dialect)
        # The last answer, and the last commit seen before it was asked for.
        self._last: tuple[bytes, Freshness] | None = None
        # Over the network, requests that ask at the same time share one round trip.
        self._shared_ask = NextCallShared(self._ask)

    async def current(self) -> Freshness | None:
        """The content version now, or None when it cannot be told (then nothing is cached).

        While nothing has committed since the last answer and no scheduled post has gone
        public, that answer stands without a query."""
        commit = self._driver.last_commit()
        last = self._last
        if last is not None and commit == last[0] and time.time() < last[1].until:
            return last[1]
        fresh = await (self._ask() if self._driver.reads_inline else self._shared_ask())
        # Seen before the query: a commit in between only makes the next request ask again.
        self._last = None if commit is None or fresh is None else (commit, fresh)
        return fresh

    async def _ask(self) -> Freshness | None:
        try:
            return await self._driver.run(self._read, short=True, snapshot=False)
        except SQLAlchemyError:
            self._tracker.forget()
            return None

    def _read(self, cursor: Any) -> Freshness | None:
        rows = self._version.rows(cursor)

        def upcoming(now: float) -> float:
            moment = datetime.fromtimestamp(now, UTC)
            return _epoch(self._next_publication.rows(cursor, moment=moment)[0][0])

        return self._tracker.of(_version(rows[0] if rows else None), upcoming)
