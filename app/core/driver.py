"""Reads on a driver cursor, for the few reads every anonymous request makes.

On SQLite a short read runs inline on the event loop, on a connection kept for it: an indexed
query takes less time than handing it to a worker thread and back. A read that may walk far
(a deep page) and every read on PostgreSQL, which waits on the network, take a worker thread
and a pooled connection, within the same cap on reading threads as ``Database.read``.
"""

import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
import psycopg
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import PoolProxiedConnection

from app.core.db import Database
from app.core.wal_index import WalIndex

T = TypeVar("T")
Work = Callable[[Any], T]  # given a driver cursor


class DriverConnection:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._sqlite = database.engine.dialect.name == "sqlite"
        # Held out of the pool for as long as this lives: only the event loop uses it.
        self._kept: PoolProxiedConnection | None = None
        # Read while the kept connection holds it open.
        self._wal_index: WalIndex | None = None

    @property
    def engine(self) -> Engine:
        return self._database.engine

    @property
    def reads_inline(self) -> bool:
        """Short reads run on the event loop (SQLite), not on a worker thread."""
        return self._sqlite

    async def run(self, work: Work[T], *, short: bool, snapshot: bool = True) -> T:
        """``work``, inline when ``short`` and the database allows. With ``snapshot`` its
        statements see one snapshot (a transaction); a single statement needs none.

        A driver's error is raised as SQLAlchemy raises it on every other path (e.g.
        ``sqlalchemy.exc.OperationalError`` for a busy or unreachable database), so one set
        of handlers serves both."""
        try:
            if self.reads_inline and short:
                return self._run_inline(work, snapshot)
            return await anyio.to_thread.run_sync(
                partial(self._run_pooled, work, snapshot),
                limiter=self._database.limiter(write=False),
            )
        except (sqlite3.Error, psycopg.Error) as error:
            driver = sqlite3.Error if isinstance(error, sqlite3.Error) else psycopg.Error
            raise DBAPIError.instance(None, None, error, driver) from error

    def last_commit(self) -> bytes | None:
        """What identifies the last commit to the database by any process, as far as the
        kept connection can tell without a query (SQLite in WAL mode); None when unknown.
        Equal values mean nothing has committed in between."""
        if not self._sqlite:
            return None
        try:
            self._kept_connection()
        except (sqlite3.Error, SQLAlchemyError):
            return None
        return self._wal_index.header() if self._wal_index is not None else None

    def _kept_connection(self) -> PoolProxiedConnection:
        if self._kept is None:
            kept = self.engine.raw_connection()
            try:
                driver = kept.driver_connection
                assert isinstance(driver, sqlite3.Connection)
                self._wal_index = WalIndex.of(driver)
            except BaseException:
                kept.close()
                raise
            self._kept = kept
        return self._kept

    def _run_inline(self, work: Work[T], snapshot: bool) -> T:
        kept = self._kept_connection()
        try:
            return _on_sqlite(kept, work, snapshot)
        except BaseException:
            self.close()
            raise

    def _run_pooled(self, work: Work[T], snapshot: bool) -> T:
        connection = self.engine.raw_connection()
        try:
            if self._sqlite:
                return _on_sqlite(connection, work, snapshot)
            # psycopg opens the transaction itself; the pool rolls it back on return.
            return work(connection.cursor())
        finally:
            connection.close()

    def close(self) -> None:
        self._wal_index = None
        if self._kept is not None:
            self._kept.close()
            self._kept = None


def _on_sqlite(connection: PoolProxiedConnection, work: Work[T], snapshot: bool) -> T:
    driver = connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    if not snapshot:
        return work(driver.cursor())
    # The engine's connections run in autocommit mode (the engine emits its own BEGIN), so
    # one snapshot for all of a read's statements needs an explicit transaction.
    driver.execute("BEGIN")
    try:
        return work(driver.cursor())
    finally:
        driver.execute("COMMIT")
