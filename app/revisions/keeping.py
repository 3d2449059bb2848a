"""Every write transaction writes the revisions of the posts whose content it changed.

Triggers (``post_revisions`` in app.derived.triggers) queue a post whenever one of the columns
a revision keeps changes, or its tags do; ``keep_revisions`` makes every write transaction of
a Database look at the queued posts before it commits: it reads them, their tags and their
latest revisions in a fixed number of queries per batch, and writes a revision for each post
whose content differs from its latest one (the first one for a new post). So every write path
(the API, the command line, imports, the demo, a restore, the worker) keeps revisions without
calling anything, and a write that ends where it began (a tag taken off and put back, a value
written twice) adds none.
"""

import weakref
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    LargeBinary,
    RowMapping,
    bindparam,
    delete,
    insert,
    inspect,
    text,
)

from app.core.db import Database
from app.core.types import UTCDateTime, utcnow
from app.events.actor import Actor, current_actor
from app.posts import tag_refs
from app.revisions import snapshots
from app.revisions.models import PostRevision, PostRevisionQueue

REVISIONS = PostRevision.metadata.tables["post_revisions"]
QUEUE = PostRevisionQueue.metadata.tables["post_revision_queue"]
# Posts looked at per round of queries: their bodies (up to 200,000 characters each, twice:
# the post's and its latest revision's) are in memory together.
BATCH = 100

# Plain SQL both databases read alike: a write's revision costs these few executions, not
# the building of constructs and expanded parameter lists (a tenth of a post's edit).
# A batch is the first queued posts: each with its content and its latest revision
# (found along the (post_id, number) index), or none; a queued post deleted since has no
# content. So the one statement that finds the batch reads it too, and a write that queued
# nothing (one that changed no post's content) makes this query alone.
_CURRENT = text(
    "SELECT q.post_id AS queued_id, p.id, "  # noqa: S608 (constants)
    f"{', '.join(f'p.{name}' for name in snapshots.POST_COLUMNS)}, "
    "r.number AS latest_number, r.snapshot AS latest_snapshot "
    "FROM post_revision_queue q LEFT JOIN posts p ON p.id = q.post_id "
    "LEFT JOIN post_revisions r ON r.post_id = p.id AND r.number = "
    "(SELECT max(number) FROM post_revisions WHERE post_id = p.id) "
    "ORDER BY q.post_id LIMIT :batch"
).columns(published_at=UTCDateTime(), latest_snapshot=LargeBinary())
# The batch's tags: the queued posts up to :last, the highest id of the batch.
_TAGS = text(
    "SELECT pt.post_id, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id "
    "WHERE pt.post_id IN (SELECT post_id FROM post_revision_queue WHERE post_id <= :last) "
    "ORDER BY pt.post_id, t.name"
)
_UNQUEUE = text("DELETE FROM post_revision_queue WHERE post_id <= :last")
_UNQUEUE_ONE = text("DELETE FROM post_revision_queue WHERE post_id = :post_id")
_DROP_OLD = delete(REVISIONS).where(
    REVISIONS.c.post_id == bindparam("post"), REVISIONS.c.number <= bindparam("through")
)


def _revise_batch(
    connection: Connection, queued: Sequence[RowMapping], last: int, *, keep: int, actor: Actor
) -> int:
    """Write the revisions of the ``queued`` posts (up to id ``last``) that differ from their
    latest; returns how many were written."""
    current = [values for values in queued if values["id"] is not None]
    if not current:
        return 0  # deleted in the same transaction
    tags = tag_refs.grouped_tag_names(connection.execute(_TAGS, {"last": last}))
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for values in current:
        post_id, latest = values["id"], values["latest_number"]
        snapshot = snapshots.of_row(values, tags.get(post_id, []))
        stored = values["latest_snapshot"]
        before = snapshots.decode(stored) if stored is not None else snapshots.EMPTY
        changed = snapshots.changed(before, snapshot)
        if latest is not None and not changed:
            continue
        number = latest + 1 if latest is not None else 1
        rows.append(_revision(post_id, number, snapshot, changed, actor, now))
    if not rows:
        return 0
    connection.execute(insert(REVISIONS), rows)
    if keep:
        dropped = [
            {"post": row["post_id"], "through": row["number"] - keep}
            for row in rows
            if row["number"] > keep
        ]
        if dropped:
            connection.execute(_DROP_OLD, dropped)
    return len(rows)


def _revision(
    post_id: int,
    number: int,
    snapshot: snapshots.Snapshot,
    changed: list[str],
    actor: Actor,
    now: datetime,
) -> dict[str, Any]:
    return {
        "post_id": post_id,
        "number": number,
        "created_at": now,
        "actor_kind": actor.kind.value,
        "actor_user_id": actor.user_id,
        "actor_name": actor.name,
        "changed": changed,
        "snapshot": snapshots.encode(snapshot),
    }


def keep_first(
    connection: Connection, post_id: int, values: Mapping[str, Any], tags: Sequence[str]
) -> None:
    """Write revision 1 of the post this transaction has just inserted, from the ``values``
    it wrote (its ``POST_COLUMNS``, as stored) and its ``tags``, and take the post off the
    queue: what the before-commit hook would write, without reading the new post and its tags
    back (a creation has them at hand). Done by the request's or command's actor. On a schema
    from before revisions it does nothing, as the hook does."""
    if not _has_revisions(connection):
        return
    snapshot = snapshots.of_row(values, tags)
    changed = snapshots.changed(snapshots.EMPTY, snapshot)
    connection.execute(
        insert(REVISIONS), [_revision(post_id, 1, snapshot, changed, current_actor.get(), utcnow())]
    )
    connection.execute(_UNQUEUE_ONE, {"post_id": post_id})


# Engines whose schema has revisions: a later migration does not take them away.
_WITH_REVISIONS: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def _has_revisions(connection: Connection) -> bool:
    if connection.engine in _WITH_REVISIONS:
        return True
    if not inspect(connection).has_table(REVISIONS.name):
        return False
    _WITH_REVISIONS.add(connection.engine)
    return True


def revise_queued(connection: Connection, *, keep: int, actor: Actor | None = None) -> int:
    """Write the revisions of the posts this transaction's changes queued, done by ``actor``
    (by default the one the request or command set), keeping at most ``keep`` per post (0:
    all), and empty the queue. Returns how many were written."""
    written = 0
    who = actor or current_actor.get()
    while True:
        # One post past the batch tells whether another batch follows, so a full batch
        # is not followed by a query that finds nothing.
        queued = connection.execute(_CURRENT, {"batch": BATCH + 1}).mappings().all()
        if not queued:
            return written
        batch = queued[:BATCH]
        last = batch[-1]["queued_id"]
        written += _revise_batch(connection, batch, last, keep=keep, actor=who)
        connection.execute(_UNQUEUE, {"last": last})
        if len(queued) <= BATCH:
            return written


def keep_revisions(database: Database, *, keep: int, order: int) -> None:
    """Make every write transaction of ``database`` write the revisions of the posts it
    changed, keeping at most ``keep`` per post (0: all), as its before-commit hook of this
    ``order``."""
    database.hooks.add_before_commit("post revisions", _QueueReviser(keep), order=order)


class _QueueReviser:
    def __init__(self, keep: int) -> None:
        self._keep = keep
        self._schema_is_current = False

    def __call__(self, connection: Connection) -> None:
        # A server started before `presseschau migrate` writes on as before: on a schema
        # without revisions nothing queues posts.
        if not self._schema_is_current:
            if not inspect(connection).has_table(QUEUE.name):
                return
            self._schema_is_current = True  # a later migration does not take it away
        revise_queued(connection, keep=self._keep)
