"""Restores an export document into an empty database: all of it, or nothing.

The document is read as a stream and written in batches, all inside ONE transaction: a
malformed item, a refused row, an error or a killed process leaves the database as it was.
The restore goes only into a database at the latest migration with no content at all, so that
every id, slug and time stamp comes back exactly as it was exported. The database's triggers
bump its content version as the rows go in (on PostgreSQL once, at commit), so caches in
running servers see the restored content.
"""

from collections.abc import Iterator
from itertools import chain
from typing import Any, BinaryIO

from pydantic import ValidationError
from sqlalchemy import Connection, delete, func, insert, literal, select, text, true
from sqlalchemy.exc import DataError, IntegrityError

from app.core.db import Database
from app.core.errors import Conflict, first_error
from app.core.migrations import require_latest_schema
from app.derived.versions import discount_links
from app.events.models import Event
from app.events.record import Action, record
from app.posts.documents import store_all_at_commit
from app.transfer.format import (
    EXPORTED_TABLES,
    FORMAT,
    HEADER_KEYS,
    VERSION,
    DocumentHeader,
    TableFormat,
    tables_of,
)
from app.transfer.reader import Array, DocumentReader, InvalidDocument

_REFUSED_ROW = (IntegrityError, DataError)
_TABLES = Event.metadata.tables
_POSTS, _POST_TAGS = _TABLES["posts"], _TABLES["post_tags"]
_SOURCES, _SOURCE_DOMAINS = _TABLES["sources"], _TABLES["source_domains"]


def restore(
    database: Database, stream: BinaryIO, *, batch_rows: int | None = None
) -> dict[str, int]:
    """Restore the document read from ``stream``; returns how many rows each table got."""
    reader = DocumentReader(stream)
    with database.write_connection() as connection:
        require_latest_schema(connection, nothing_done="Nothing was restored.")
        # Every post's document stored as it commits, as any restore's reader expects.
        store_all_at_commit(connection)
        _lock_tables(connection)
        _check_empty(connection)
        noticed = _set_aside_failed_authentications(connection)
        counts = _restore_members(connection, reader, batch_rows)
        # The rows keep the versions exported: what their tags and domains added goes.
        discount_links(connection, _POSTS, _POST_TAGS, "post_id")
        discount_links(connection, _SOURCES, _SOURCE_DOMAINS, "source_id")
        _reset_sequences(connection)
        # After the restored log, in their order, with ids of their own.
        if noticed:
            connection.execute(insert(_EVENTS), noticed)
        # After the restored events, so that it comes last in the log (and gets a new id).
        record(connection, Action.backup_restored, None, counts)
    return counts


def _lock_tables(connection: Connection) -> None:
    """On PostgreSQL, keep other writers out until the restore commits (reads go on)."""
    if connection.dialect.name == "postgresql":
        names = ", ".join(table.key for table in EXPORTED_TABLES)
        connection.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))


_EVENTS = Event.metadata.tables["events"]
# A new database a server already answers logs the bad tokens it is sent: those entries do
# not make it a database in use.
_NOT_CONTENT = _EVENTS.c.action == Action.auth_failed


def _check_empty(connection: Connection) -> None:
    filled = [
        table.label
        for table in EXPORTED_TABLES
        if connection.execute(
            select(literal(1))
            .select_from(table.table)
            .where(~_NOT_CONTENT if table.table is _EVENTS else true())
            .limit(1)
        ).first()
    ]
    if filled:
        raise Conflict(
            f"The database is not empty (it has {', '.join(filled)}): a restore goes only into "
            "a new database, made with `presseschau migrate`. Nothing was restored."
        )


def _set_aside_failed_authentications(connection: Connection) -> list[dict[str, Any]]:
    """The failed authentications the new database logged before the restore, taken out so
    the restored log keeps its ids, to go back in after it."""
    columns = [column for column in _EVENTS.columns if column.name != "id"]
    rows = connection.execute(select(*columns).order_by(_EVENTS.c.id)).mappings().all()
    connection.execute(delete(_EVENTS))
    return [dict(row) for row in rows]


def _restore_members(
    connection: Connection, reader: DocumentReader, batch_rows: int | None
) -> dict[str, int]:
    members = reader.members()
    header: dict[str, Any] = {}
    first_array: tuple[str, Any] | None = None
    for key, value in members:
        if not header and key != "format":
            raise InvalidDocument(
                f'This is not a Presseschau export: it must begin with "format": "{FORMAT}", '
                f"not {key!r}."
            )
        if key not in HEADER_KEYS:
            first_array = (key, value)
            break
        header[key] = value
        _check_member(key, value)
    _check_header(header)
    expected = tables_of(header["version"])
    counts: dict[str, int] = {}
    # The members are read as a stream: the rest follow the first array from where it ended.
    arrays = members if first_array is None else chain([first_array], members)
    for key, value in arrays:
        table = _table_at(expected, len(counts), key)
        if not isinstance(value, Array):
            raise InvalidDocument(f"{key!r} must be an array of objects.")
        counts[key] = _restore_table(connection, table, value.items, batch_rows, header["version"])
    if len(counts) < len(expected):
        missing = expected[len(counts)].key
        raise InvalidDocument(f"The document has no {missing!r} array: it is incomplete.")
    return counts


def _check_member(key: str, value: Any) -> None:
    """The format and version first: nothing else is read from a document that fails here."""
    if key == "format" and value != FORMAT:
        raise InvalidDocument(f'This is not a Presseschau export: "format" is {_shown(value)}.')
    if key == "version":
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidDocument(f'"version" must be an integer, not {_shown(value)}.')
        if not 1 <= value <= VERSION:
            newer = " It comes from a newer Presseschau: upgrade this one first."
            raise InvalidDocument(
                f"The document is format version {value}; this Presseschau restores versions "
                f"1 to {VERSION}.{newer if value > VERSION else ''}"
            )


def _shown(value: Any) -> str:
    """A header value as the error message shows it: scalars as they are, nothing large."""
    if isinstance(value, Array):
        return "an array"
    if isinstance(value, dict | list):
        return f"a JSON {'object' if isinstance(value, dict) else 'array'}"
    return repr(value)[:100]


def _check_header(header: dict[str, Any]) -> None:
    for key in HEADER_KEYS:
        if key not in header:
            raise InvalidDocument(f"The document has no {key!r} before its arrays.")
    try:
        DocumentHeader.model_validate(header)
    except ValidationError as exc:
        raise InvalidDocument(_validation_detail("the header", exc)) from exc


def _table_at(expected: tuple[TableFormat, ...], position: int, key: str) -> TableFormat:
    if position < len(expected) and expected[position].key == key:
        return expected[position]
    order = ", ".join(table.key for table in expected)
    if any(table.key == key for table in expected[position:]):
        raise InvalidDocument(
            f"{key!r} comes too early: {expected[position].key!r} must come before it "
            f"(the arrays come in the order {order})."
        )
    if key in HEADER_KEYS:
        raise InvalidDocument(f"{key!r} must come before the arrays, not after them.")
    raise InvalidDocument(
        f"The document has an unknown member {key!r}; its arrays are {order}, in that order."
    )


def _restore_table(
    connection: Connection,
    table: TableFormat,
    items: Iterator[tuple[int, Any]],
    batch_rows: int | None,
    version: int,
) -> int:
    limit = batch_rows or table.batch_rows
    batch: list[dict[str, Any]] = []
    first = count = 0
    for index, item in items:
        if not batch:
            first = index
        batch.append(_validated(table, index, item, version))
        count += 1
        if len(batch) >= limit:
            _insert(connection, table, batch, first)
            batch = []
    if batch:
        _insert(connection, table, batch, first)
    return count


def _position(table: TableFormat, index: int, item: Any) -> str:
    """``posts[17] (id 4711)``: where an item is, and which row it meant to be."""
    row_id = item.get("id") if isinstance(item, dict) else None
    return f"{table.key}[{index}]" + (f" (id {row_id})" if isinstance(row_id, int) else "")


def _validation_detail(where: str, error: ValidationError) -> str:
    return f"{where}: {first_error(error.errors())}."


def _validated(table: TableFormat, index: int, item: Any, version: int) -> dict[str, Any]:
    shape = table.reading(version)
    if not isinstance(item, dict):
        raise InvalidDocument(
            f"{table.key}[{index}]: must be an object with the fields "
            f"{', '.join(shape.record.model_fields)}; found {type(item).__name__}."
        )
    try:
        return shape.stored(shape.record.model_validate(item).model_dump())
    except ValidationError as exc:
        raise InvalidDocument(_validation_detail(_position(table, index, item), exc)) from exc


def _insert(
    connection: Connection, table: TableFormat, rows: list[dict[str, Any]], first: int
) -> None:
    try:
        with connection.begin_nested():
            connection.execute(insert(table.table), rows)
    except _REFUSED_ROW:
        # The batch went back to its savepoint; find the row the database refused, one by one.
        for offset, row in enumerate(rows):
            try:
                with connection.begin_nested():
                    connection.execute(insert(table.table), row)
            except _REFUSED_ROW as exc:
                where = _position(table, first + offset, row)
                raise InvalidDocument(f"{where}: {_refusal(connection, table, row, exc)}") from exc
        raise


def _refusal(
    connection: Connection, table: TableFormat, row: dict[str, Any], error: Exception
) -> str:
    """Why the database refused a row, in the document's terms where possible."""
    for foreign_key in table.table.foreign_keys:
        value = row[foreign_key.parent.name]
        target = foreign_key.column
        if (
            value is not None
            and not connection.execute(
                select(literal(1)).select_from(target.table).where(target == value).limit(1)
            ).first()
        ):
            return (
                f"{foreign_key.parent.name} {value!r} names no item of {target.table.name!r} "
                "before it in the document."
            )
    orig = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return "; ".join(lines[:2]) or type(orig).__name__


def _reset_sequences(connection: Connection) -> None:
    """On PostgreSQL, let every id sequence go on after the highest id restored, or where
    it was if that is further: a database emptied for the restore may have given larger ids,
    and those are never given again (SQLite's sqlite_sequence keeps them by itself)."""
    if connection.dialect.name != "postgresql":
        return
    for table in EXPORTED_TABLES:
        column = table.table.autoincrement_column
        if column is None:
            continue
        sequence = func.pg_get_serial_sequence(table.key, column.name)
        connection.execute(
            select(
                func.setval(
                    sequence,
                    # nextval: the id the sequence would give next (set back just after).
                    func.greatest(func.coalesce(func.max(column), 0) + 1, func.nextval(sequence)),
                    False,
                )
            )
        )
