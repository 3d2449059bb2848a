"""Engine, sessions and the one-thread-hop unit of work used by every request."""

import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Engine,
    Table,
    any_,
    event,
    func,
    literal,
    select,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, SQLModel

from app.core.inputs import TextInput, prepare_inputs
from app.derived.hooks import WriteHooks

# Set before any table is defined, so every constraint and index gets a stable name that
# migrations can refer to on both databases.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

WRITE_OPTION = "presseschau_write"
# Threads doing database work at once, per process and kind of work. Beyond what the
# database can use they only add GIL contention, and beyond the pool's size every request
# would open and close a connection of its own. SQLite work is CPU-bound in this process;
# PostgreSQL work waits on the network, so more of it overlaps.
READ_THREADS = {"sqlite": 4, "postgresql": 8}
WRITE_THREADS = {"sqlite": 2, "postgresql": 4}
# The connections those threads hold, plus a few: the one the version checks and direct reads
# keep on SQLite, readiness probes, the command line. On PostgreSQL the direct reads keep up
# to READ_THREADS connections of their own besides (see app.core.driver).
SPARE_CONNECTIONS = 4
# SQLite reads the database file through a memory map of up to this many bytes (its build's
# ceiling is about 2 GB): a page the OS holds costs a memory access, not a read call and a
# copy into each connection's own small page cache. A search that counts ten thousand
# matches looks up ten thousand posts; that took 30 ms through read calls, 19 ms mapped.
SQLITE_MMAP_BYTES = 2**31 - 2**16
P = ParamSpec("P")
T = TypeVar("T")


SUPPORTED_URLS = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DB"


def normalize_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and pick the psycopg 3 driver for them; a
    ``ValueError`` saying what is accepted for anything else."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        # Not repeated in the message: a malformed URL may still hold a password.
        raise ValueError(f"not a database URL; expected {SUPPORTED_URLS}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername not in ("sqlite", "postgresql+psycopg"):
        raise ValueError(
            f"unsupported database URL scheme {parsed.drivername!r}; expected {SUPPORTED_URLS}"
        )
    return parsed.render_as_string(hide_password=False)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN is switched off; _begin_sqlite emits the right one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers run while one writer commits; NORMAL sync is safe with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    # A write transaction takes SQLite's write lock up front (waiting up to busy_timeout), so
    # it cannot fail half-way when another writer got there first; reads stay deferred.
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_db_engine(url: str) -> Engine:
    from sqlmodel import create_engine

    url = normalize_database_url(url)
    parsed = make_url(url)
    if parsed.drivername == "sqlite":
        pool: dict[str, int] = {}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # An in-memory database lives in one connection, so only files get a pool.
            pool = {
                "pool_size": READ_THREADS["sqlite"] + WRITE_THREADS["sqlite"] + SPARE_CONNECTIONS,
                "max_overflow": SPARE_CONNECTIONS,
            }
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=READ_THREADS["postgresql"] + WRITE_THREADS["postgresql"] + SPARE_CONNECTIONS,
        max_overflow=SPARE_CONNECTIONS,
    )


def on_conflict_do_nothing(
    target: Session | Connection, table: Table, index_elements: list[str] | None = None
) -> postgresql.Insert | sqlite.Insert:
    """INSERT ... ON CONFLICT (``index_elements``, or any unique key) DO NOTHING into
    ``table``, for the database ``target`` writes to: rows that would repeat a unique key are
    skipped (on PostgreSQL after waiting for a transaction that is adding the same key)."""
    dialect = target.get_bind().dialect if isinstance(target, Session) else target.dialect
    insert = postgresql_insert if dialect.name == "postgresql" else sqlite_insert
    return insert(table).on_conflict_do_nothing(index_elements=index_elements)


def insert_ignoring_duplicates(session: Session, model: type[SQLModel], **values: Any) -> bool:
    """One row, unless it would repeat a unique key; True when it was added."""
    table = sa_inspect(model).local_table
    # RETURNING tells whether a row went in; psycopg reports no row count for this statement.
    statement = on_conflict_do_nothing(session, table).values(**values).returning(literal(1))
    return session.execute(statement).first() is not None


def one_of(column: ColumnElement[int], values: Sequence[int], dialect: str) -> ColumnElement[bool]:
    """Whether ``column`` is one of ``values`` (integers), given as one parameter however many
    they are: an array on PostgreSQL, a JSON array on SQLite. An expanding IN is compiled
    for each count of values and has its parameters rendered into the statement at every
    execution (0.7 ms of a search's 11 ms, measured by hand)."""
    if dialect == "postgresql":
        return column == any_(literal(list(values), ARRAY(BigInteger)))
    listed = func.json_each(literal(json.dumps(list(values)))).table_valued("value")
    return column.in_(select(listed.c.value))


# Limiters belong to an event loop: one of each is made per loop, on first use.
_LIMITERS: RunVar[dict[tuple[str, bool], CapacityLimiter]] = RunVar("presseschau_limiters")
# Threads preparing inputs (cleaning markup, rendering bodies) at once: CPU work, which more
# threads than cores only slow down. Apart from the database's, so a body being rendered
# holds none of the few write threads that likes and token touches wait for.
PREPARING_THREADS = max(os.cpu_count() or 1, 1)
_PREPARING: RunVar[CapacityLimiter] = RunVar("presseschau_preparing")


class Database:
    """Runs a piece of work in one session, one transaction and one worker thread.

    Request handlers are ``async``; each hands its whole database work (queries, building the
    response models, commit) to the thread pool in a single hop instead of one hop per
    dependency and per call, which is where the tutorial pattern loses most of its time.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._readers = sessionmaker(engine, class_=Session, expire_on_commit=False)
        self._writers = sessionmaker(
            engine.execution_options(**{WRITE_OPTION: True}),
            class_=Session,
            expire_on_commit=False,
        )
        # What every write transaction runs besides its own work, in order: the composition
        # root (app.derived.root) registers them, so each write path runs the same ones.
        self.hooks = WriteHooks()
        event.listen(self._writers, "before_commit", self._before_session_commit)
        event.listen(self._writers, "after_commit", self._after_session_commit)

    def _before_session_commit(self, session: Session) -> None:
        # Releasing a savepoint is no commit: the hooks run once, before the real one.
        if session.in_nested_transaction():
            return
        session.flush()  # pending ORM changes first, so the hooks see them
        self.hooks.run_before_commit(session.connection())

    def _after_session_commit(self, session: Session) -> None:
        if not session.in_nested_transaction():
            self.hooks.run_after_commit()

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A write transaction on a connection of its own, for work that writes through Core
        (restore): it commits when the block ends, after the before-commit hooks, and is
        rolled back whole if the block or a hook raises; the after-commit hooks follow."""
        with self.engine.connect() as connection:
            # On SQLite this takes the write lock up front, as every write transaction does.
            connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                yield connection
                self.hooks.run_before_commit(connection)
        self.hooks.run_after_commit()

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        with (self._writers if write else self._readers)() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def call(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``fn`` in a write transaction, here and now (command line, tests); its inputs
        are prepared before the transaction begins, not while it holds SQLite's write lock."""
        prepare_inputs(kwargs)
        with self.session() as session:
            return fn(session, *args, **kwargs)

    def _call_read(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        prepare_inputs(kwargs)
        with self.session(write=False) as session:
            return fn(session, *args, **kwargs)

    async def read(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``fn`` in a read transaction on a worker thread."""
        await _prepare(kwargs)
        return await anyio.to_thread.run_sync(
            partial(self._call_read, fn, *args, **kwargs), limiter=self.limiter(write=False)
        )

    async def write(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``fn`` in a write transaction on a worker thread."""
        await _prepare(kwargs)
        return await anyio.to_thread.run_sync(
            partial(self.call, fn, *args, **kwargs), limiter=self.limiter(write=True)
        )

    def limiter(self, *, write: bool) -> CapacityLimiter:
        """What caps this process's threads doing reads (or writes) on this database."""
        try:
            limiters = _LIMITERS.get()
        except LookupError:
            limiters = {}
            _LIMITERS.set(limiters)
        key = (self.engine.dialect.name, write)
        if key not in limiters:
            threads = WRITE_THREADS if write else READ_THREADS
            limiters[key] = CapacityLimiter(threads[key[0]])
        return limiters[key]

    def dispose(self) -> None:
        self.engine.dispose()


async def _prepare(arguments: dict[str, Any]) -> None:
    """Prepare the inputs among ``arguments`` on a thread of their own, before the work they
    are for takes a database thread (``call`` then finds them prepared)."""
    if not any(isinstance(value, TextInput) for value in arguments.values()):
        return
    try:
        limiter = _PREPARING.get()
    except LookupError:
        limiter = CapacityLimiter(PREPARING_THREADS)
        _PREPARING.set(limiter)
    await anyio.to_thread.run_sync(prepare_inputs, arguments, limiter=limiter)
