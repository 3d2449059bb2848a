"""Writes the export document from one consistent snapshot, in bounded memory.

Rows are read in batches by primary key (keyset pagination: each batch starts after the last
key of the one before, so no batch rereads or skips rows) inside one read transaction, and
leave as bytes before the next batch is read. On PostgreSQL that transaction is REPEATABLE
READ, so every batch sees the database as it was at the first one; on SQLite a read
transaction in WAL mode sees one snapshot already.
"""

from collections.abc import AsyncIterator, Generator, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from typing import Any

import anyio
import anyio.to_thread
from sqlalchemy import Connection, Row, select, tuple_

from app.core.db import Database
from app.core.encoding import encode_json
from app.core.migrations import require_latest_schema
from app.core.types import utcnow
from app.transfer.format import EXPORTED_TABLES, FORMAT, VERSION, TableFormat

# Bytes gathered before a chunk is handed on: large enough for few writes and thread hops,
# small enough not to matter for memory.
CHUNK_BYTES = 256 * 1024


@contextmanager
def snapshot(database: Database) -> Iterator[Connection]:
    """A connection in a read-only transaction that sees one state of the database."""
    with database.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with connection.begin() as transaction:
            yield connection
            transaction.rollback()


def _batches(
    connection: Connection, table: TableFormat, batch_rows: int
) -> Iterator[list[Row[Any]]]:
    """The table's rows in primary-key order, ``batch_rows`` at a time."""
    key = list(table.table.primary_key.columns)
    query = select(*(table.table.c[name] for name in table.columns)).order_by(*key)
    names = table.columns
    key_positions = [names.index(column.name) for column in key]
    after: list[Any] | None = None
    while True:
        statement = query.limit(batch_rows)
        if after is not None:
            statement = statement.where(
                key[0] > after[0] if len(key) == 1 else tuple_(*key) > tuple_(*after)
            )
        rows = list(connection.execute(statement))
        if not rows:
            return
        yield rows
        if len(rows) < batch_rows:
            return
        after = [rows[-1][position] for position in key_positions]


class Export:
    """The document as chunks of bytes; ``counts`` says how many rows of each table went out.

    Iterating opens the snapshot and keeps it open until the last chunk (or until the
    iterator is closed); the counts are complete once iteration has ended.
    """

    def __init__(self, database: Database, *, batch_rows: int | None = None) -> None:
        self.database = database
        self.batch_rows = batch_rows
        self.exported_at = utcnow()  # set again when the snapshot is taken
        self.counts: dict[str, int] = {}

    def __iter__(self) -> Generator[bytes, None, None]:
        return self._chunks()

    def _chunks(self) -> Generator[bytes, None, None]:
        with snapshot(self.database) as connection:
            require_latest_schema(connection, nothing_done="Nothing was exported.")
            self.exported_at = utcnow()
            buffer = bytearray(self._header())
            for table in EXPORTED_TABLES:
                buffer += b',\n"' + table.key.encode() + b'":['
                count = 0
                names = table.columns
                for rows in _batches(connection, table, self.batch_rows or table.batch_rows):
                    for row in rows:
                        buffer += b",\n" if count else b"\n"
                        item = dict(zip(names, row, strict=True))
                        if table.to_item is not None:
                            item = table.to_item(item)
                        buffer += encode_json(item)
                        count += 1
                        if len(buffer) >= CHUNK_BYTES:
                            yield bytes(buffer)
                            buffer.clear()
                buffer += b"\n]" if count else b"]"
                self.counts[table.key] = count
            buffer += b"\n}\n"
            yield bytes(buffer)

    def _header(self) -> bytes:
        header = encode_json(
            {
                "format": FORMAT,
                "version": VERSION,
                "exported_at": self.exported_at,
                "app_version": version("presseschau"),
            }
        )
        return header[:-1]  # without the closing brace: the arrays follow


async def stream(export: Export) -> AsyncIterator[bytes]:
    """The export's chunks for a streamed response, each made on a worker thread.

    The first chunk is made before this returns, so an unreachable database is still an
    error response rather than a broken download.
    """
    chunks = iter(export)
    limiter = export.database.limiter(write=False)
    first = await anyio.to_thread.run_sync(next, chunks, limiter=limiter)
    return _rest(chunks, first, limiter)


async def _rest(
    chunks: Generator[bytes, None, None], first: bytes, limiter: anyio.CapacityLimiter
) -> AsyncIterator[bytes]:
    try:
        yield first
        while (
            chunk := await anyio.to_thread.run_sync(next, chunks, None, limiter=limiter)
        ) is not None:
            yield chunk
    finally:
        # A client that goes away mid-download must not keep the snapshot open.
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(chunks.close)
