"""The current content version, asked of the database before every cacheable read.

A cached response is served only while the version it was made at is still the current one,
so once a write has committed, no process serves what it replaced. On SQLite the question is
a single-row read on a connection kept for it, on the event loop itself (a few microseconds,
cheaper than any thread hand-off); on PostgreSQL it takes one round trip on a worker thread.
"""

import math
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime

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


def _next_publication(connection: Connection, now: float) -> float:
    moment = datetime.fromtimestamp(now, UTC)
    upcoming = connection.scalar(
        select(func.min(col(Post.published_at))).where(
            col(Post.status) == PostStatus.published.value, col(Post.published_at) > moment
        )
    )
    return upcoming.timestamp() if upcoming is not None else math.inf


class ContentVersionProbe:
    """Remembers the last answer, so the scheduled-post query runs only when it may change."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._last: Freshness | None = None
        self._inline = engine.dialect.name == "sqlite"
        # Held out of the pool for as long as the probe lives: only the event loop uses it.
        self._sqlite: PoolProxiedConnection | None = None

    async def current(self) -> Freshness | None:
        """The content version now, or None when it cannot be told (then nothing is cached)."""
        try:
            if self._inline:
                return self._freshness(self._read_sqlite_version())
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

    def _read_with_engine(self) -> Freshness | None:
        with self._engine.connect() as connection:
            row = connection.exec_driver_sql(VERSION_SQL).first()
            version = (int(row[0]), float(row[1])) if row else None
            return self._freshness(version, connection)

    def _freshness(
        self, version: tuple[int, float] | None, connection: Connection | None = None
    ) -> Freshness | None:
        if version is None:
            return None
        now = time.time()
        last = self._last
        if last is not None and last.version == version[0] and now < last.until:
            return last
        if connection is None:
            with self._engine.connect() as own:
                until = _next_publication(own, now)
        else:
            until = _next_publication(connection, now)
        self._last = Freshness(version=version[0], changed_at=version[1], until=until)
        return self._last

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        self._last = None
