"""Aggregates over public content (counts, archive indexes), kept per content version.

Counting 100,000 published posts takes milliseconds and the answer is the same until the next
write, so each process keeps it for as long as the content version it was counted at is
current. The version is the one the response cache read just before the request, or else is
read in the same transaction, before the aggregate: either way a value is never filed under a
version newer than the data it was computed from.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from app.core.db import WRITE_OPTION
from app.core.per_engine import PerEngine
from app.derived.content_version import Freshness, freshness, read_version, request_freshness

T = TypeVar("T")
MAX_ENTRIES = 4096


class AggregateMemo:
    def __init__(self) -> None:
        self._entries: OrderedDict[Hashable, tuple[Freshness, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        session: Session,
        key: Hashable,
        compute: Callable[[], T],
    ) -> T:
        """The value kept for ``key`` at the current version, else ``compute()`` kept."""
        connection = session.connection()
        if connection.get_execution_options().get(WRITE_OPTION, False):
            # A write transaction sees its own uncommitted rows (and, on SQLite, its own
            # uncommitted version): nothing it computes may be filed for others.
            return compute()
        current = request_freshness.get() or freshness(read_version(connection))
        if current is None:
            return compute()
        return self.kept(current, key, compute)

    def kept(self, freshness: Freshness | None, key: Hashable, compute: Callable[[], T]) -> T:
        """The value kept for ``key`` at ``freshness``, else ``compute()``, kept for it.

        ``compute`` must read data at least as new as ``freshness`` (see the module's doc);
        without a freshness nothing is kept."""
        if freshness is None:
            return compute()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        # Equal while the version it was made at is current.
        if entry is not None and entry[0] == freshness:
            value: T = entry[1]
            return value
        value = compute()
        with self._lock:
            self._entries[key] = (freshness, value)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return value


memo_for_engine = PerEngine(AggregateMemo)


def memo_for(session: Session) -> AggregateMemo:
    """The memo of the database this session talks to (one per engine and process)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    return memo_for_engine(engine)
