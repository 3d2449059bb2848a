"""The current content version, asked of the database before every cacheable read.

A cached response is served only while the version it was made at is still the current one,
so once a write has committed, no process serves what it replaced. On SQLite the question is
a single-row read on a connection kept for it, on the event loop itself (a few microseconds,
cheaper than any thread hand-off); on PostgreSQL it takes one round trip on a worker thread.
"""

import math
import sqlite3
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from weakref import WeakKeyDictionary

import anyio.to_thread
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import PoolProxiedConnection
from sqlmodel import col

from app.posts.models import Post, PostStatus

VERSION_SQL = "SELECT version, changed_at FROM content_state WHERE id = 1"


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


def next_publication(connection: Connection, now: float) -> float:
    """When the next scheduled post goes public (epoch seconds), or infinity."""
    moment = datetime.fromtimestamp(now, UTC)
    upcoming = connection.scalar(
        select(func.min(col(Post.published_at))).where(
            col(Post.status) == PostStatus.published.value, col(Post.published_at) > moment
        )
    )
    return upcoming.timestamp() if upcoming is not None else math.inf


def read_version(connection: Connection) -> tuple[int, float] | None:
    row = connection.exec_driver_sql(VERSION_SQL).first()
    return (int(row[0]), float(row[1])) if row else None


class FreshnessTracker:
    """Turns content versions into Freshness; asks for the next scheduled publication only
    when the version changes or the last one it knew of has passed."""

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


_trackers: WeakKeyDictionary[Engine, FreshnessTracker] = WeakKeyDictionary()


def tracker_for(engine: Engine) -> FreshnessTracker:
    """One tracker per database and process, so the next publication is asked for once."""
    return _trackers.setdefault(engine, FreshnessTracker())


class ContentVersionProbe:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._tracker = tracker_for(engine)
        self._inline = engine.dialect.name == "sqlite"
        # Held out of the pool for as long as the probe lives: only the event loop uses it.
        self._sqlite: PoolProxiedConnection | None = None

    async def current(self) -> Freshness | None:
        """The content version now, or None when it cannot be told (then nothing is cached)."""
        try:
            if self._inline:
                return self._tracker.of(self._read_sqlite_version(), self._upcoming)
            return await anyio.to_thread.run_sync(self._read_with_engine)
        except (sqlite3.Error, SQLAlchemyError):
            self.close()
            return None

    def _read_sqlite_version(self) -> tuple[int, float] | None:
        if self._sqlite is None:
            self._sqlite = self._engine.raw_connection()
        connection = self._sqlite.driver_connection
        assert isinstance(connection, sqlite3.Connection)
        # fetchall, not fetchone: the statement must run to its end, or its read transaction
        # (and its old snapshot) would stay open for the next question.
        rows = connection.execute(VERSION_SQL).fetchall()
        return (int(rows[0][0]), float(rows[0][1])) if rows else None

    def _upcoming(self, now: float) -> float:
        with self._engine.connect() as connection:
            return next_publication(connection, now)

    def _read_with_engine(self) -> Freshness | None:
        with self._engine.connect() as connection:
            return self._tracker.of(read_version(connection), partial(next_publication, connection))

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        self._tracker.forget()
