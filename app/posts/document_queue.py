"""The worker's share of the stored documents: the queued posts a write left behind.

A write stores at most ``documents.AT_COMMIT_MAX`` of the documents it made stale before it
commits; a rename of a source of 18,000 posts leaves the rest queued (``post_document_queue``,
``at_commit`` 0), their documents already deleted, so reads make those posts from their rows
until they are stored again. The worker does that here, in three steps, so that the rendering
never holds SQLite's write lock and each write transaction stays short:

1. ``read_queued``: a batch of queued posts, each with its queue generation and its row and
   tags, in a read transaction;
2. ``render``: their documents, with no transaction open;
3. ``store``: in one write transaction, the documents of the posts whose queue generation is
   still the one read, their queue rows deleted. A post changed meanwhile has a new
   generation (the triggers step it) and is left for its writer, or a later round: an older
   rendering never overwrites a later write's.

On PostgreSQL the worker runs beside the writers (and other workers): it locks the posts,
then their queue rows, each in id order, as writers take them, and with SKIP LOCKED, so it
never waits for a writer, and a post another transaction holds is left to it.
"""

from collections.abc import Sequence
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, text

from app.core.db import Database
from app.core.encoding import encode_json
from app.derived.generations import GenerationQueue, Taken
from app.posts import documents, queries, tag_refs

# Posts per round: rendered with no transaction open, stored in one short write.
BATCH = 100

_QUEUED = text("SELECT post_id, generation FROM post_document_queue ORDER BY post_id LIMIT :batch")
_QUEUE = GenerationQueue("post_document_queue")


class Queued(NamedTuple):
    """A queued post as the worker read it: its row and tags, None for a post that is gone."""

    post_id: int
    generation: int
    row: queries.PostRow | None
    tags: list[tag_refs.TagJson]


class Made(NamedTuple):
    """A queued post's document, None for a post that is gone."""

    post_id: int
    generation: int
    document: bytes | None


class Stored(NamedTuple):
    """What a round did with the queue rows it read: documents ``stored``, posts found
    ``gone`` (their queue rows only deleted), and ``stale`` ones (changed since they were
    read, or held by another transaction: left to it, or to a later round)."""

    stored: int = 0
    gone: int = 0
    stale: int = 0

    @property
    def progress(self) -> int:
        """Queue rows taken off: what a sweep reports."""
        return self.stored + self.gone


def read_queued(database: Database, batch: int = BATCH) -> list[Queued]:
    """The first ``batch`` queued posts (in id order), read in one read transaction."""
    with database.session(write=False) as session:
        connection = session.connection()
        queue = connection.execute(_QUEUED, {"batch": batch}).all()
        if not queue:
            return []
        ids = [row.post_id for row in queue]
        statement = queries.rows_statement(
            [queries.POSTS.c.id.in_(ids)], [], long_text_as_json=True
        )
        rows = {row.id: row for row in queries.post_rows(connection.execute(statement))}
        tags = tag_refs.tags_by_post(connection, list(rows))
    return [
        Queued(post_id, generation, rows.get(post_id), tags.get(post_id, []))
        for post_id, generation in queue
    ]


def render(queued: Sequence[Queued], zone: ZoneInfo) -> list[Made]:
    """Each post's document in ``zone``: CPU work, to be done with no transaction open."""
    return [
        Made(
            post.post_id,
            post.generation,
            None
            if post.row is None
            else encode_json(queries.post_document(post.row, post.tags, zone)),
        )
        for post in queued
    ]


def store(database: Database, made: Sequence[Made], zone: ZoneInfo) -> Stored:
    """Store the documents of the posts whose queue generation is still the one they were
    read with, in one write transaction."""
    if not made:
        return Stored()
    with database.write_connection() as connection:
        return store_in(connection, made, zone)


def store_in(connection: Connection, made: Sequence[Made], zone: ZoneInfo) -> Stored:
    """``store`` in the write transaction of ``connection``, for a batch as read (in post id
    order)."""
    # A post being deleted, or whose queue row a writer or another worker holds, is left to
    # that transaction (PostgreSQL). A writer that changes a post after this took its queue
    # row waits for this commit, then deletes what it stored.
    gone = {post.post_id for post in made if post.document is None}
    current = _QUEUE.current(connection, [post.post_id for post in made], gone)
    unchanged = [post for post in made if current.get(post.post_id) == post.generation]
    stale = len(made) - len(unchanged)
    if not unchanged:
        return Stored(stale=stale)
    rendered = {post.post_id: post.document for post in unchanged if post.document is not None}
    if rendered:
        documents.upsert(connection, rendered, zone)
    _QUEUE.unqueue(connection, (Taken(post.post_id, post.generation) for post in unchanged))
    return Stored(stored=len(rendered), gone=len(unchanged) - len(rendered), stale=stale)


def store_queued_documents(database: Database, zone: ZoneInfo, batch: int = BATCH) -> int:
    """One round: read, render and store the next ``batch`` queued posts. Returns how many
    were taken off the queue (fewer than ``batch``: the queue is empty, or what is left is
    held by other transactions)."""
    queued = read_queued(database, batch)
    if not queued:
        return 0
    return store(database, render(queued, zone), zone).progress
