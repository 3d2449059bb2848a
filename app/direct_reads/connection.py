"""Where a direct read runs: one read transaction on a driver connection.

On SQLite a short read runs inline on the event loop, on a connection kept for it: an indexed
query takes less time than handing it to a worker thread and back. A read that may walk far
(a deep page) and every read on PostgreSQL, which waits on the network, take a worker thread
and a pooled connection, within the same cap on reading threads as the framework path.
"""

import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy.pool import PoolProxiedConnection

from app.core.db import Database

T = TypeVar("T")
Work = Callable[[Any], T]  # given a driver cursor


class DriverConnection:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._sqlite = database.engine.dialect.name == "sqlite"
        # Held out of the pool for as long as this lives: only the event loop uses it.
        self._kept: PoolProxiedConnection | None = None

    async def run(self, work: Work[T], *, short: bool) -> T:
        """``work`` in one read transaction; inline when ``short`` and the database allows."""
        if self._sqlite and short:
            return self._run_inline(work)
        return await anyio.to_thread.run_sync(
            partial(self._run_pooled, work), limiter=self._database.limiter(write=False)
        )

    def _run_inline(self, work: Work[T]) -> T:
        if self._kept is None:
            self._kept = self._database.engine.raw_connection()
        try:
            return _in_sqlite_transaction(self._kept, work)
        except BaseException:
            self.close()
            raise

    def _run_pooled(self, work: Work[T]) -> T:
        connection = self._database.engine.raw_connection()
        try:
            if self._sqlite:
                return _in_sqlite_transaction(connection, work)
            # psycopg opens the transaction itself; the pool rolls it back on return.
            return work(connection.cursor())
        finally:
            connection.close()

    def close(self) -> None:
        if self._kept is not None:
            self._kept.close()
            self._kept = None


def _in_sqlite_transaction(connection: PoolProxiedConnection, work: Work[T]) -> T:
    # The engine's connections run in autocommit mode (the engine emits its own BEGIN), so
    # one snapshot for all of a read's statements needs an explicit transaction.
    driver = connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    driver.execute("BEGIN")
    try:
        return work(driver.cursor())
    finally:
        driver.execute("COMMIT")
