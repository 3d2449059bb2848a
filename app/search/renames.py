"""Renames of sources and tags, expanded into their posts' queue rows (docs/search.md,
"Keeping it right").

A post's lead holds its source's name and its tags' names. Renaming one would queue every post
that shows it; done by the renaming transaction's trigger, that held SQLite's single write lock
for seconds for a source of tens of thousands of posts. The trigger records the rename in one
row instead (``post_search_renames``: which source or tag, a random generation, the posts
queued so far), and the indexer calls ``expand_renames`` before each round: it queues the
next posts of the first rename, in id order, at most ``EXPAND_BATCH`` in one short write, and
moves the row on (or deletes it after the last post). Until a post is indexed again it is
found by the old name as well: its own text did not change.

Each post is queued with a new generation, so an indexer that read it before the rename
cannot store it with the old name. The row moves on only while it still has the generation
and position read: a rename again meanwhile starts over from the first post.

On PostgreSQL the expansion does not wait for locks: queue rows a writer or indexer holds are
left for a later step (the row is moved on only up to the first of them), the rename row is
taken with SKIP LOCKED (a writer renaming again holds it; the next step starts over anyway),
and a queue row another transaction is inserting ends the step at once (``lock_timeout``).
"""

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import BindParameter, Connection, bindparam, text
from sqlalchemy.exc import OperationalError

from app.core.db import Database
from app.search.models import NEW_GENERATION

# Posts queued per write transaction: about 25 ms of SQLite's write lock.
EXPAND_BATCH = 2_000
# PostgreSQL: the one wait a step can meet (a queue row a writer is inserting, while the
# writer may wait for a row this step holds) ends the step well before deadlock detection.
_LOCK_TIMEOUT = "SET LOCAL lock_timeout = '200ms'"
_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a lock_timeout reached

_IDS: BindParameter[int] = bindparam("ids", expanding=True)
# The first rename, and whether another waits behind it.
_FIRST_TWO = text(
    "SELECT kind, target_id, generation, after_post FROM post_search_renames "
    "ORDER BY kind, target_id LIMIT 2"
)
# The posts that show the renamed name, from the first not yet queued, in id order.
_POSTS_OF = {
    "source": text(
        "SELECT id FROM posts WHERE source_id = :target AND id > :after ORDER BY id LIMIT :limit"
    ),
    "tag": text(
        "SELECT post_id FROM post_tags WHERE tag_id = :target AND post_id > :after "
        "ORDER BY post_id LIMIT :limit"
    ),
}
_QUEUE = {
    dialect: text(
        "INSERT INTO post_search_queue (post_id, generation) "  # noqa: S608 (constants)
        f"SELECT id, {generation} FROM posts WHERE id IN :ids ORDER BY id "
        "ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation"
    ).bindparams(_IDS)
    for dialect, generation in NEW_GENERATION.items()
}
# PostgreSQL: the queue rows of these posts that no one else holds, locked in id order.
_TAKE_QUEUED = text(
    "SELECT post_id FROM post_search_queue WHERE post_id IN :ids ORDER BY post_id "
    "FOR UPDATE SKIP LOCKED"
).bindparams(_IDS)
_QUEUED = text("SELECT post_id FROM post_search_queue WHERE post_id IN :ids").bindparams(_IDS)
_REQUEUE = {
    dialect: text(
        f"UPDATE post_search_queue SET generation = {generation} "  # noqa: S608 (constants)
        "WHERE post_id IN :ids"
    ).bindparams(_IDS)
    for dialect, generation in NEW_GENERATION.items()
}
# The rename row as it was read: not if renamed again, or moved on by another indexer.
_AS_READ = (
    "WHERE kind = :kind AND target_id = :target_id AND generation = :generation "
    "AND after_post = :after_post"
)
_TAKE_RENAME = {
    "sqlite": text(f"SELECT 1 FROM post_search_renames {_AS_READ}"),  # noqa: S608 (constants)
    "postgresql": text(
        f"SELECT 1 FROM post_search_renames {_AS_READ} FOR UPDATE SKIP LOCKED"  # noqa: S608
    ),
}
_MOVE_ON = text(f"UPDATE post_search_renames SET after_post = :upto {_AS_READ}")  # noqa: S608
_FINISH = text(f"DELETE FROM post_search_renames {_AS_READ}")  # noqa: S608 (constants)


class Expanded(NamedTuple):
    """What one step did: posts queued, whether it finished a rename, and whether any rename
    is left to expand after it."""

    queued: int
    finished: int
    pending: bool


class _Rename(NamedTuple):
    kind: str
    target_id: int
    generation: int
    after_post: int


def expand_renames(database: Database, limit: int | None = None) -> Expanded:
    """Queue the next ``limit`` posts (at most; ``EXPAND_BATCH`` by default) of the first
    rename recorded."""
    limit = limit or EXPAND_BATCH
    with database.session(write=False) as session:
        connection = session.connection()
        first = connection.execute(_FIRST_TWO).all()
        if not first:
            return Expanded(0, 0, pending=False)
        row, another = first[0], len(first) > 1
        rename = _Rename(row.kind, row.target_id, row.generation, row.after_post)
        # Read with no write transaction open: on SQLite the write below holds the lock only
        # for the queue rows.
        parameters = {"target": rename.target_id, "after": rename.after_post, "limit": limit}
        ids = list(connection.execute(_POSTS_OF[rename.kind], parameters).scalars())
    try:
        with database.write_connection() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(_LOCK_TIMEOUT)
            queued = _queue(connection, ids)
            last = len(ids) < limit and queued.upto == (ids[-1] if ids else 0)
            finished = _move_on(connection, rename, None if last else queued.upto)
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
            raise
        # A queue row being inserted by a writer that may wait for one of this step's:
        # given up at once (nothing written), rather than deadlocked; a later step retries.
        return Expanded(0, 0, pending=True)
    # A rename recorded since the read is found by the next round's.
    return Expanded(queued.posts, int(finished), pending=not finished or another)


class _Queued(NamedTuple):
    posts: int  # how many were queued
    upto: int  # every post up to this id is queued (0: none)


def _queue(connection: Connection, ids: Sequence[int]) -> _Queued:
    """Queue the posts ``ids`` (in id order) with a new generation, up to the first whose
    queue row another transaction holds (PostgreSQL)."""
    if not ids:
        return _Queued(0, 0)
    dialect = connection.dialect.name
    if dialect != "postgresql":
        connection.execute(_QUEUE[dialect], {"ids": list(ids)})
        return _Queued(len(ids), ids[-1])
    taken = set(connection.execute(_TAKE_QUEUED, {"ids": list(ids)}).scalars())
    queued = set(connection.execute(_QUEUED, {"ids": list(ids)}).scalars())
    held = queued - taken
    if taken:
        connection.execute(_REQUEUE[dialect], {"ids": sorted(taken)})
    if held:
        # A writer changing the post (it steps the generation itself as it commits) or an
        # indexer storing it (whose read may predate the rename): queued again by a later
        # step, which starts at the first of them.
        ids = [post_id for post_id in ids if post_id < min(held)]
    fresh = [post_id for post_id in ids if post_id not in queued]
    if fresh:
        connection.execute(_QUEUE[dialect], {"ids": fresh})
    return _Queued(len(taken) + len(fresh), ids[-1] if ids else 0)


def _move_on(connection: Connection, rename: _Rename, upto: int | None) -> bool:
    """Record the posts up to ``upto`` queued, or the rename done (``upto`` None); only if
    the rename row is still as read. Returns whether it was done."""
    parameters = rename._asdict()
    taken = connection.execute(_TAKE_RENAME[connection.dialect.name], parameters).first()
    if taken is None:
        return False
    if upto is None:
        connection.execute(_FINISH, parameters)
        return True
    if upto > rename.after_post:
        connection.execute(_MOVE_ON, {**parameters, "upto": upto})
    return False
