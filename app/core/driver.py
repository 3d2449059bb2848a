"""Reads on a driver cursor, for the few reads every anonymous request makes.

On SQLite a short read runs inline on the event loop, on a connection kept for it: an indexed
query takes less time than handing it to a worker thread and back. A read that may walk far
(a deep page) and every read on PostgreSQL, which waits on the network, take a worker thread,
within the same cap on reading threads as ``Database.read``.

On PostgreSQL those threads share a few connections kept for them in autocommit mode: a
pooled connection costs a ping on checkout, a BEGIN before the first query and a ROLLBACK on
return, three round trips around reads of one or two. Autocommit gives each statement its
own snapshot, as READ COMMITTED gives them inside a transaction. A kept connection the server
dropped is found broken on use, and the read runs again on a new one; one that fails
otherwise is closed, and the framework path answers that request.
"""

import sqlite3
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
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
        # PostgreSQL: idle connections of the reading threads (append and pop are atomic).
        self._idle: deque[PoolProxiedConnection] = deque()
        # The driver module the engine loaded: psycopg, with its libraries, is imported only
        # to serve PostgreSQL, not by every process.
        self._driver_error: type[Exception] = database.engine.dialect.loaded_dbapi.Error

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
        except self._driver_error as error:
            raise DBAPIError.instance(None, None, error, self._driver_error) from error

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
        if not self._sqlite:
            return self._on_postgres(work)
        connection = self.engine.raw_connection()
        try:
            return _on_sqlite(connection, work, snapshot)
        finally:
            connection.close()

    def _on_postgres(self, work: Work[T]) -> T:
        import psycopg  # loaded already by the engine, which serves PostgreSQL

        try:
            idle = self._idle.pop()
        except IndexError:
            return self._use(self._new_postgres_connection(), work)
        driver = idle.dbapi_connection  # a detached connection has no driver_connection
        try:
            return self._use(idle, work)
        except psycopg.OperationalError:
            if not (isinstance(driver, psycopg.Connection) and driver.broken):
                raise
        # The server dropped it while it was idle (a restart, a failover, an idle timeout),
        # as the pool's ping on checkout would have found: a read may simply run again.
        return self._use(self._new_postgres_connection(), work)

    def _use(self, connection: PoolProxiedConnection, work: Work[T]) -> T:
        try:
            # Binary results: a page's documents come as their bytes, where the text format
            # sends each bytea as hex, twice its size, for psycopg to decode.
            result = work(connection.cursor(binary=True))
        except BaseException:
            connection.close()  # it may be broken, or stopped mid-statement
            raise
        self._idle.append(connection)
        return result

    def _new_postgres_connection(self) -> PoolProxiedConnection:
        import psycopg  # loaded already by the engine, which serves PostgreSQL

        connection = self.engine.raw_connection()
        # Detached, it no longer counts against the pool, and close() really closes it.
        connection.detach()
        driver = connection.dbapi_connection
        try:
            assert isinstance(driver, psycopg.Connection)
            driver.rollback()  # whatever the checkout's ping began
            driver.autocommit = True
        except BaseException:
            connection.close()
            raise
        return connection

    def close(self) -> None:
        self._wal_index = None
        if self._kept is not None:
            self._kept.close()
            self._kept = None
        while self._idle:
            self._idle.pop().close()


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
