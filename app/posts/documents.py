"""Each post's JSON, stored beside it, so anonymous pages read stored bytes.

A page of 20 posts built from their rows joins sources and authors, reads the tags, quotes
three long texts as JSON and encodes the lot; read as stored documents, it is one indexed
query and a join of bytes. Triggers (``post_documents`` in app.derived.triggers) queue a post
whenever something it shows changes; ``keep_documents`` makes every write transaction of a
Database store the queued posts' documents again before it commits, at most
``AT_COMMIT_MAX`` of them, those of the posts it changed itself first: a rename of a source
of 18,000 posts must not render them all under SQLite's write lock. The rest are left to the
worker (app.posts.document_queue), which stores them in short batches. A queued post's
document is not read (``queries.current_document``), so a rename leaves its posts' documents
in place rather than delete thousands under the lock. A post without a current document
(queued, made in another time zone, or in another format) is read from its
row instead, so a document is never required, only faster.

Each document records its format: a hash of the response schema the documents are made for,
with ``REVISION``. A release that changes a post's public shape thereby changes the format
without anyone bumping a number; the documents of the old format are no longer read, and
``refresh_documents`` (run by `presseschau migrate`) stores them anew.
"""

import hashlib
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from pydantic import BaseModel
from sqlalchemy import Connection, LargeBinary, bindparam, delete, inspect, select, text

from app.core.db import Database
from app.core.encoding import encode_json
from app.posts import queries, tag_refs
from app.posts.models import LEFT_TO_THE_WORKER, PostDocumentQueue
from app.posts.queries import DOCUMENTS
from app.posts.schemas import PostPublic

# Raise it when the way values are written changes while the schema stays the same (the
# precision of a time, the escaping of a text): the schema's hash cannot see such a change.
REVISION = 1


# Words of a JSON schema that describe a value without changing it: a reworded description
# must not have every document stored anew.
_ANNOTATIONS = frozenset({"title", "description", "examples"})
# Words whose value maps names (of fields, of definitions) to schemas: a field may be called
# "title" or "description".
_NAMED_SCHEMAS = frozenset({"properties", "$defs"})


def format_of(model: type[BaseModel], revision: int = REVISION) -> str:
    """The format of documents made for ``model``: a short hash of its JSON schema as it is
    serialized (field names in their order, types, nesting) and ``revision``. Keys are not
    sorted: the fields' order is the order of a document's keys."""
    schema = _shape(model.model_json_schema(mode="serialization"))
    return hashlib.sha256(orjson.dumps([schema, revision])).hexdigest()[:16]


def _shape(node: Any) -> Any:
    """A JSON schema without its annotations."""
    if isinstance(node, list):
        return [_shape(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: {name: _shape(item) for name, item in value.items()}
        if key in _NAMED_SCHEMAS
        else _shape(value)
        for key, value in node.items()
        if key not in _ANNOTATIONS
    }


# Once per process; both read paths and every store use it. Read as ``documents.FORMAT`` at
# the moment of use, never copied, so that all of them always agree.
FORMAT = format_of(PostPublic)

QUEUE = PostDocumentQueue.metadata.tables["post_document_queue"]
# Posts rendered per statement: few enough for any database's limit on bound values.
BATCH = 500
# Plain SQL both databases read alike: a write's own document costs its execution alone,
# not the building of an INSERT ... ON CONFLICT construct.
_UPSERT = text(
    "INSERT INTO post_documents (post_id, zone, format, document) "
    "VALUES (:post_id, :zone, :format, :document) "
    "ON CONFLICT (post_id) DO UPDATE "
    "SET zone = excluded.zone, format = excluded.format, document = excluded.document"
).bindparams(bindparam("document", type_=LargeBinary()))
_UNQUEUE = text("DELETE FROM post_document_queue WHERE post_id = :post_id")
_QUEUED = text("SELECT post_id FROM post_document_queue")
# Posts a write transaction stores before it commits, at most (unless it asks for all): the
# posts it changed itself, and of a rename's as many as there is room for; the worker stores
# the rest. At 100,000 posts a document takes some 0.3 to 0.5 ms to make and store, so this
# is a few tens of milliseconds of SQLite's write lock; it is also the most posts a bulk
# request changes, whose documents are all current when it answers.
AT_COMMIT_MAX = 100
# This transaction's rows (the others' are the worker's, at 0), those of posts it changed
# itself first.
_HELD = text("SELECT post_id FROM post_document_queue WHERE at_commit > 0 ORDER BY post_id")
_HELD_FIRST = text(
    "SELECT post_id FROM post_document_queue WHERE at_commit > 0 "
    "ORDER BY at_commit DESC, post_id LIMIT :limit"
)
_LEAVE = text(
    f"UPDATE post_document_queue SET at_commit = {LEFT_TO_THE_WORKER} "  # noqa: S608 (constants)
    "WHERE at_commit > 0"
)
_LOCK_POSTS = text(
    "SELECT id FROM posts WHERE id IN :ids ORDER BY id FOR KEY SHARE SKIP LOCKED"
).bindparams(bindparam("ids", expanding=True))
_EXISTING = text("SELECT id FROM posts WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
# The execution option of a transaction's connection that asks its commit to store all.
_STORE_ALL = "presseschau_store_all_documents"


def documents(connection: Connection, post_ids: Sequence[int], zone: ZoneInfo) -> dict[int, bytes]:
    """The JSON of each of these posts that exists, as anonymous reads give it in ``zone``."""
    statement = queries.rows_statement(
        [queries.POSTS.c.id.in_(post_ids)], [], long_text_as_json=True
    )
    rows = queries.post_rows(connection.execute(statement))
    tags = tag_refs.tags_by_post(connection, [row.id for row in rows])
    return {
        row.id: encode_json(queries.post_document(row, tags.get(row.id, []), zone)) for row in rows
    }


def store(connection: Connection, post_ids: Sequence[int], zone: ZoneInfo) -> int:
    """Store these posts' documents as they are now; returns how many posts exist."""
    made = documents(connection, post_ids, zone)
    if made:
        upsert(connection, made, zone)
    return len(made)


def put(
    connection: Connection, row: queries.PostRow, tags: list[tag_refs.TagJson], zone: ZoneInfo
) -> None:
    """Store the document of the post ``row`` (with its ``tags``) and take it off the queue:
    for a write that has its post's values at hand."""
    upsert(connection, {row.id: encode_json(queries.post_document(row, tags, zone))}, zone)
    connection.execute(_UNQUEUE, {"post_id": row.id})


def upsert(connection: Connection, made: dict[int, bytes], zone: ZoneInfo) -> None:
    """Store these documents (by post id), made in ``zone``, in this release's format."""
    connection.execute(
        _UPSERT,
        [
            {"post_id": post_id, "zone": zone.key, "format": FORMAT, "document": document}
            for post_id, document in made.items()
        ],
    )


def store_queued(connection: Connection, zone: ZoneInfo, limit: int | None = AT_COMMIT_MAX) -> int:
    """Store the documents of (at most ``limit``, None: all) the posts this transaction's
    changes queued, the posts it changed itself first, and leave the others to the worker.
    Returns how many it took off the queue."""
    held = _HELD if limit is None else _HELD_FIRST
    if connection.dialect.name == "postgresql":
        # Only rows no other transaction holds (this one's are its own): one committed by a
        # writer that stores no documents may be in the worker's hands.
        held = text(f"{held.text} FOR UPDATE SKIP LOCKED")
    # One more than the bound: whether any is left over past it.
    queued = list(connection.execute(held, {} if limit is None else {"limit": limit + 1}).scalars())
    over = limit is not None and len(queued) > limit
    queued = queued[:limit]
    left = 0
    for start in range(0, len(queued), BATCH):
        chunk = queued[start : start + BATCH]
        held_elsewhere = _held_elsewhere(connection, chunk)
        if held_elsewhere:
            chunk = [post_id for post_id in chunk if post_id not in held_elsewhere]
            left += len(held_elsewhere)
        store(connection, chunk, zone)
        # A post gone meanwhile (purged in this transaction) is only taken off the queue.
        connection.execute(delete(QUEUE).where(QUEUE.c.post_id.in_(chunk)))
    if left or over:
        # Past the bound (or held elsewhere): the worker's, in its own transactions. Not
        # the writer's own any more, so the next write's commit does not take them for its.
        connection.execute(_LEAVE)
    return len(queued) - left


def _held_elsewhere(connection: Connection, post_ids: list[int]) -> set[int]:
    """On PostgreSQL, those of ``post_ids`` whose posts another transaction is deleting: a
    document stored for one would break its foreign key, and the write with it. The others
    are locked against deletion until this transaction ends."""
    if connection.dialect.name != "postgresql":
        return set()
    locked = set(connection.execute(_LOCK_POSTS, {"ids": post_ids}).scalars())
    if len(locked) == len(post_ids):
        return set()
    # Not locked: gone (deleted by this transaction, whose queue row is only deleted) or
    # being deleted by another.
    existing = set(connection.execute(_EXISTING, {"ids": post_ids}).scalars())
    return existing - locked


def store_all_at_commit(connection: Connection) -> None:
    """Make the transaction of ``connection`` store every post it queued before it commits,
    however many: for a restore or an import batch, which write their posts in bulk and whose
    readers expect every document stored when they end."""
    connection.execution_options(**{_STORE_ALL: True})


def _store_all_legacy(connection: Connection, zone: ZoneInfo) -> None:
    """Store every queued post, on a schema from before the worker stored documents."""
    queued = list(connection.execute(_QUEUED).scalars())
    for start in range(0, len(queued), BATCH):
        chunk = queued[start : start + BATCH]
        store(connection, chunk, zone)
        connection.execute(delete(QUEUE).where(QUEUE.c.post_id.in_(chunk)))


def keep_documents(database: Database, zone: ZoneInfo, *, order: int) -> None:
    """Make every write transaction of ``database`` store the documents it made stale, in
    ``zone`` (a reader uses only documents of its own zone), as its before-commit hook of
    this ``order``: at most ``AT_COMMIT_MAX`` of them, unless it asked for all
    (``store_all_at_commit``)."""
    database.hooks.add_before_commit("post documents", _QueueStorer(zone), order=order)


class _QueueStorer:
    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone
        self._schema_is_current = False
        self._queue_has_generations = False

    def __call__(self, connection: Connection) -> None:
        # A server started before `presseschau migrate` must write on as before. On a schema
        # from before documents nothing queues posts; on one from before their format a
        # document would be stored without one, so none is: the triggers have deleted the
        # queued posts' documents already, reads make those posts from their rows, and the
        # migration's refresh stores them. On one from before the worker stored them, the
        # triggers queue posts for this commit alone: it stores them all, as then.
        if not self._schema_is_current:
            schema = inspect(connection)
            if not schema.has_table(QUEUE.name):
                return
            columns = {column["name"] for column in schema.get_columns(DOCUMENTS.name)}
            if DOCUMENTS.c.format.name not in columns:
                connection.execute(delete(QUEUE))
                return
            queued = {column["name"] for column in schema.get_columns(QUEUE.name)}
            if QUEUE.c.at_commit.name not in queued:
                _store_all_legacy(connection, self._zone)
                return
            self._schema_is_current = True  # a later migration does not take it away
        every = connection.get_execution_options().get(_STORE_ALL, False)
        store_queued(connection, self._zone, None if every else AT_COMMIT_MAX)


def _stale(connection: Connection, zone: ZoneInfo, after: int, batch: int) -> list[int]:
    """The first ``batch`` posts after id ``after`` without a document that reads use (none at
    all, or one of another zone or format) and not queued."""
    posts = queries.POSTS
    statement = (
        select(posts.c.id)
        .select_from(posts.outerjoin(DOCUMENTS, queries.current_document(zone.key, FORMAT)))
        .where(
            DOCUMENTS.c.post_id.is_(None),
            posts.c.id > after,
            # A queued post is the worker's (or its writer's) to store.
            ~select(QUEUE.c.post_id).where(QUEUE.c.post_id == posts.c.id).exists(),
        )
        .order_by(posts.c.id)
        .limit(batch)
    )
    return list(connection.execute(statement).scalars())


def refresh_documents(
    database: Database,
    zone: ZoneInfo,
    progress: Callable[[int], None] | None = None,
    *,
    batch: int = BATCH,
) -> int:
    """Store the document of every post that has no current one (after the migration that
    adds them or changes their format, or a change of the site's time zone), ``batch`` posts
    per transaction, so memory and each transaction stay bounded however many posts there
    are, then the queued posts' (``app.posts.document_queue``). Returns how many were stored,
    and tells ``progress`` the number so far after each batch. `presseschau migrate` runs it;
    a background worker may run it as well: it only ever stores what a read would make, and
    a post written meanwhile is stored by its write.
    """
    done, after = 0, 0
    while True:
        # Looked for in a read, which takes no lock: a refresh that finds nothing (the
        # worker's, every few minutes) never takes SQLite's write lock, and one that does
        # holds it only to store a batch. Stored from the rows as they are then, so a post
        # written in between is stored as written.
        with database.session(write=False) as session:
            stale = _stale(session.connection(), zone, after, batch)
        if not stale:
            break
        with database.session() as session:
            done += store(session.connection(), stale, zone)
        after = stale[-1]
        if progress is not None:
            progress(done)
    # Then the queued posts (a writer's that stores no documents, a migration's, a rename's
    # the worker is not through with), by the worker's rounds: never over a later write's.
    # Imported here: that module builds on this one.
    from app.posts.document_queue import store_queued_documents

    while stored := store_queued_documents(database, zone, batch):
        done += stored
        if progress is not None:
            progress(done)
    return done
