"""The content version (see app.derived.content_version), asked before every cacheable read.

On SQLite the question is a single-row read on a connection kept for it, on the event loop
itself, and is asked only when something has committed since it was last asked
(``app.core.wal_index``); on PostgreSQL it takes one round trip on a reading thread, shared by
the requests that ask while the one before is running (``shared_call``).
"""

from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from app.caching.shared_call import NextCallShared
from app.core.driver import DriverConnection
from app.core.prepared import Prepared
from app.derived.content_version import VERSION, Freshness, content_version, freshness


class ContentVersionProbe:
    """Asks on the driver connection the direct reads use: inline on SQLite, on a reading
    thread on PostgreSQL."""

    def __init__(self, driver: DriverConnection) -> None:
        self._driver = driver
        self._version = Prepared(VERSION, driver.engine.dialect)
        # The last answer, and the last commit seen before it was asked for.
        self._last: tuple[bytes, Freshness] | None = None
        # Over the network, requests that ask at the same time share one round trip.
        self._shared_ask = NextCallShared(self._ask)

    async def current(self) -> Freshness | None:
        """The content version now, or None when it cannot be told (then nothing is cached).

        While nothing has committed since the last answer, that answer stands without a
        query: content changes only by a commit (a scheduled post goes public by the
        worker's)."""
        commit = self._driver.last_commit()
        last = self._last
        if last is not None and commit == last[0]:
            return last[1]
        fresh = await (self._ask() if self._driver.reads_inline else self._shared_ask())
        # Seen before the query: a commit in between only makes the next request ask again.
        self._last = None if commit is None or fresh is None else (commit, fresh)
        return fresh

    async def _ask(self) -> Freshness | None:
        try:
            return await self._driver.run(self._read, short=True, snapshot=False)
        except SQLAlchemyError:
            return None

    def _read(self, cursor: Any) -> Freshness | None:
        rows = self._version.rows(cursor)
        return freshness(content_version(rows[0] if rows else None))
