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

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, inspect, select

from app.core.db import Database
from app.core.types import utcnow
from app.events.actor import Actor, current_actor
from app.posts import queries
from app.posts.visibility import POSTS
from app.revisions import snapshots
from app.revisions.models import PostRevision, PostRevisionQueue

REVISIONS = PostRevision.metadata.tables["post_revisions"]
QUEUE = PostRevisionQueue.metadata.tables["post_revision_queue"]
# Posts looked at per round of queries: their bodies (up to 200,000 characters each, twice:
# the post's and its latest revision's) are in memory together.
BATCH = 100

_QUEUED = select(QUEUE.c.post_id).order_by(QUEUE.c.post_id)
_LATEST_NUMBERS = (
    select(REVISIONS.c.post_id, func.max(REVISIONS.c.number).label("number"))
    .where(REVISIONS.c.post_id.in_(bindparam("posts", expanding=True)))
    .group_by(REVISIONS.c.post_id)
    .subquery("latest")
)
# Each post's latest revision: found along the (post_id, number) index.
_LATEST = select(REVISIONS.c.post_id, REVISIONS.c.number, REVISIONS.c.snapshot).join(
    _LATEST_NUMBERS,
    and_(
        REVISIONS.c.post_id == _LATEST_NUMBERS.c.post_id,
        REVISIONS.c.number == _LATEST_NUMBERS.c.number,
    ),
)
_CURRENT = select(POSTS.c.id, *(POSTS.c[name] for name in snapshots.POST_COLUMNS)).where(
    POSTS.c.id.in_(bindparam("posts", expanding=True))
)
_DROP_OLD = delete(REVISIONS).where(
    REVISIONS.c.post_id == bindparam("post"), REVISIONS.c.number <= bindparam("through")
)
_UNQUEUE = delete(QUEUE).where(QUEUE.c.post_id.in_(bindparam("posts", expanding=True)))


def revise(
    connection: Connection, post_ids: Sequence[int], *, keep: int = 0, actor: Actor | None = None
) -> int:
    """Write a revision of each of these posts whose content differs from its latest one,
    done by ``actor`` (by default the one the request or command set); ``keep``: how many
    revisions a post keeps at most (0: all). Returns how many revisions were written."""
    if not post_ids:
        return 0
    who = actor or current_actor.get()
    current = {
        row["id"]: row for row in connection.execute(_CURRENT, {"posts": list(post_ids)}).mappings()
    }
    if not current:
        return 0  # deleted in the same transaction
    ids = list(current)
    tags = queries.tags_by_post(connection, ids)
    latest = {row.post_id: row for row in connection.execute(_LATEST, {"posts": ids})}
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for post_id, values in current.items():
        snapshot = snapshots.of_row(values, tags.get(post_id, []))
        last = latest.get(post_id)
        before = snapshots.decode(last.snapshot) if last is not None else snapshots.EMPTY
        changed = snapshots.changed(before, snapshot)
        if last is not None and not changed:
            continue
        rows.append(
            {
                "post_id": post_id,
                "number": last.number + 1 if last is not None else 1,
                "created_at": now,
                "actor_kind": who.kind.value,
                "actor_user_id": who.user_id,
                "actor_name": who.name,
                "changed": changed,
                "snapshot": snapshots.encode(snapshot),
            }
        )
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


def revise_queued(connection: Connection, *, keep: int) -> None:
    """Write the revisions of the posts this transaction's changes queued, and empty the
    queue."""
    queued = list(connection.execute(_QUEUED).scalars())
    for start in range(0, len(queued), BATCH):
        chunk = queued[start : start + BATCH]
        revise(connection, chunk, keep=keep)
        connection.execute(_UNQUEUE, {"posts": chunk})


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
