"""Each post's JSON, stored beside it, so anonymous pages read stored bytes.

A page of 20 posts built from their rows joins sources and authors, reads the tags, quotes
three long texts as JSON and encodes the lot; read as stored documents, it is one indexed
query and a join of bytes. Triggers (see the migration that makes the tables) delete a post's
document whenever something it shows changes and queue the post; ``keep_documents`` makes
every write transaction of a Database store the queued posts' documents again before it
commits. A post without a current document (queued by a writer that does not store them, or
made in another time zone) is read from its row instead, so a document is never required,
only faster.
"""

from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, LargeBinary, bindparam, delete, inspect, select, text

from app.core.db import Database
from app.core.encoding import encode_json
from app.posts import queries
from app.posts.models import PostDocumentQueue
from app.posts.queries import DOCUMENTS

QUEUE = PostDocumentQueue.metadata.tables["post_document_queue"]
# Posts rendered per statement: few enough for any database's limit on bound values.
BATCH = 500
# Plain SQL both databases read alike: a write's own document costs its execution alone,
# not the building of an INSERT ... ON CONFLICT construct.
_UPSERT = text(
    "INSERT INTO post_documents (post_id, zone, document) VALUES (:post_id, :zone, :document) "
    "ON CONFLICT (post_id) DO UPDATE SET zone = excluded.zone, document = excluded.document"
).bindparams(bindparam("document", type_=LargeBinary()))
_UNQUEUE = text("DELETE FROM post_document_queue WHERE post_id = :post_id")
_QUEUED = text("SELECT post_id FROM post_document_queue")


def documents(connection: Connection, post_ids: Sequence[int], zone: ZoneInfo) -> dict[int, bytes]:
    """The JSON of each of these posts that exists, as anonymous reads give it in ``zone``."""
    statement = queries.rows_statement(
        [queries.POSTS.c.id.in_(post_ids)], [], long_text_as_json=True
    )
    rows = connection.execute(statement).all()
    tags = queries.tags_by_post(connection, [row[0] for row in rows])
    return {
        row[0]: encode_json(queries.post_document(row, tags.get(row[0], []), zone)) for row in rows
    }


def store(connection: Connection, post_ids: Sequence[int], zone: ZoneInfo) -> int:
    """Store these posts' documents as they are now; returns how many posts exist."""
    made = documents(connection, post_ids, zone)
    if made:
        _upsert(connection, made, zone)
    return len(made)


def put(connection: Connection, row: Sequence[Any], tags: list[str], zone: ZoneInfo) -> None:
    """Store the document of the post ``row`` (of ``rows_statement``, with its ``tags``) and
    take it off the queue: for a write that has its post's values at hand."""
    post_id = row[0]
    _upsert(connection, {post_id: encode_json(queries.post_document(row, tags, zone))}, zone)
    connection.execute(_UNQUEUE, {"post_id": post_id})


def _upsert(connection: Connection, made: dict[int, bytes], zone: ZoneInfo) -> None:
    connection.execute(
        _UPSERT,
        [
            {"post_id": post_id, "zone": zone.key, "document": document}
            for post_id, document in made.items()
        ],
    )


def store_queued(connection: Connection, zone: ZoneInfo) -> None:
    """Store the documents of the posts this transaction's changes queued."""
    queued = list(connection.execute(_QUEUED).scalars())
    for start in range(0, len(queued), BATCH):
        chunk = queued[start : start + BATCH]
        store(connection, chunk, zone)
        connection.execute(delete(QUEUE).where(QUEUE.c.post_id.in_(chunk)))


def keep_documents(database: Database, zone: ZoneInfo, *, order: int) -> None:
    """Make every write transaction of ``database`` store the documents it made stale, in
    ``zone`` (a reader uses only documents of its own zone), as its before-commit hook of
    this ``order``."""
    database.hooks.add_before_commit("post documents", _QueueStorer(zone), order=order)


class _QueueStorer:
    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone
        self._schema_has_queue = False

    def __call__(self, connection: Connection) -> None:
        # On a schema from before documents (a server started before `presseschau migrate`),
        # nothing queues posts, and writes must go on as before.
        if not self._schema_has_queue:
            if not inspect(connection).has_table(QUEUE.name):
                return
            self._schema_has_queue = True  # a later migration does not take it away
        store_queued(connection, self._zone)


def _missing(connection: Connection, zone: ZoneInfo, after: int) -> list[int]:
    posts = queries.POSTS
    current = (DOCUMENTS.c.post_id == posts.c.id) & (DOCUMENTS.c.zone == zone.key)
    statement = (
        select(posts.c.id)
        .outerjoin(DOCUMENTS, current)
        .where(DOCUMENTS.c.post_id.is_(None), posts.c.id > after)
        .order_by(posts.c.id)
        .limit(BATCH)
    )
    return list(connection.execute(statement).scalars())


def store_missing(
    database: Database, zone: ZoneInfo, progress: Callable[[int], None] | None = None
) -> int:
    """Store the document of every post that has no current one (after the migration that
    adds them, or a change of the site's time zone), a batch per transaction; returns how
    many were stored, and tells ``progress`` the number so far after each batch."""
    done, after = 0, 0
    while True:
        with database.session() as session:
            connection = session.connection()
            missing = _missing(connection, zone, after)
            if not missing:
                return done
            done += store(connection, missing, zone)
        after = missing[-1]
        if progress is not None:
            progress(done)
