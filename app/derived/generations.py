"""A queue of posts whose rows carry a generation: the search index's (app.search.store) and
the post documents' (app.posts.document_queue).

Triggers queue a post whenever something derived from it changes, each time with a new
random generation. A worker reads the queued posts with their generations, does its CPU work
with no transaction open, then stores what it made in one short write, only for the posts
whose generation is still the one it read (a post changed meanwhile is queued again with
another one and left to a later round), and deletes exactly those queue rows.

On PostgreSQL writers and several workers run at once. The store locks the posts, then their
queue rows, each in id order, as writers take them, and with SKIP LOCKED: a row another
transaction holds is left to it, so a worker never waits, nor deadlocks.
"""

from collections.abc import Collection, Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import BindParameter, Connection, bindparam, text

_IDS: BindParameter[int] = bindparam("ids", expanding=True)
_LOCK_POSTS = text(
    "SELECT id FROM posts WHERE id IN :ids ORDER BY id FOR KEY SHARE SKIP LOCKED"
).bindparams(_IDS)


class Taken(NamedTuple):
    """A queue row a store dealt with: its post and the generation it was read with."""

    post_id: int
    generation: int


class GenerationQueue:
    """The statements of one such queue table (columns ``post_id`` and ``generation``)."""

    def __init__(self, table: str) -> None:
        # ``table`` is one of the project's own names, never input.
        read = f"SELECT post_id, generation FROM {table} WHERE post_id IN :ids ORDER BY post_id"  # noqa: S608
        self._generations = text(read).bindparams(_IDS)
        self._take = text(f"{read} FOR UPDATE SKIP LOCKED").bindparams(_IDS)
        self._unqueue = text(
            f"DELETE FROM {table} WHERE post_id = :post_id AND generation = :generation"  # noqa: S608
        )

    def current(
        self, connection: Connection, ids: Sequence[int], gone: Collection[int]
    ) -> dict[int, int]:
        """The queue generations of the posts ``ids`` as they are now, in the write
        transaction of ``connection``; on PostgreSQL only of those this transaction could
        lock, the posts first, then their queue rows (a post ``gone`` when it was read has no
        row to lock: only its queue row is taken)."""
        statement = self._generations
        if connection.dialect.name == "postgresql":
            present = set(connection.execute(_LOCK_POSTS, {"ids": list(ids)}).scalars())
            ids = [post_id for post_id in ids if post_id in present or post_id in gone]
            statement = self._take
        rows = connection.execute(statement, {"ids": list(ids)})
        return {row.post_id: row.generation for row in rows}

    def unqueue(self, connection: Connection, taken: Iterable[Taken]) -> None:
        """Delete these queue rows, each only while it still has the generation read."""
        rows = [row._asdict() for row in taken]
        if rows:
            connection.execute(self._unqueue, rows)
