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

from typing import Any

from sqlalchemy import Connection, LargeBinary, bindparam, delete, insert, inspect, text

from app.core.db import Database
from app.core.types import UTCDateTime, utcnow
from app.events.actor import Actor, current_actor
from app.posts import queries
from app.revisions import snapshots
from app.revisions.models import PostRevision, PostRevisionQueue

REVISIONS = PostRevision.metadata.tables["post_revisions"]
QUEUE = PostRevisionQueue.metadata.tables["post_revision_queue"]
# Posts looked at per round of queries: their bodies (up to 200,000 characters each, twice:
# the post's and its latest revision's) are in memory together.
BATCH = 100

# Plain SQL both databases read alike, each statement naming the queued posts by a subquery
# of the queue rather than a list of ids: a write's revision costs these few executions,
# not the building of constructs and expanded parameter lists (a tenth of a post's edit).
# The batch is the queued posts up to :last, the highest id of the batch.
_QUEUED = text("SELECT count(*) AS queued, max(post_id) AS last FROM post_revision_queue")
_BATCH_END = text(
    "SELECT post_id FROM post_revision_queue ORDER BY post_id LIMIT 1 OFFSET :skip"
).bindparams(skip=BATCH - 1)
_IN_BATCH = "IN (SELECT post_id FROM post_revision_queue WHERE post_id <= :last)"
# Each queued post's content with its latest revision (found along the (post_id, number)
# index), or none.
_CURRENT = text(
    f"SELECT p.id, {', '.join(f'p.{name}' for name in snapshots.POST_COLUMNS)}, "  # noqa: S608 (constants)
    "r.number AS latest_number, r.snapshot AS latest_snapshot "
    "FROM posts p LEFT JOIN post_revisions r ON r.post_id = p.id AND r.number = "
    "(SELECT max(number) FROM post_revisions WHERE post_id = p.id) "
    f"WHERE p.id {_IN_BATCH}"
).columns(published_at=UTCDateTime(), latest_snapshot=LargeBinary())
_TAGS = text(
    "SELECT pt.post_id, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id "  # noqa: S608 (constants)
    f"WHERE pt.post_id {_IN_BATCH} ORDER BY pt.post_id, t.name"
)
_UNQUEUE = text("DELETE FROM post_revision_queue WHERE post_id <= :last")
_DROP_OLD = delete(REVISIONS).where(
    REVISIONS.c.post_id == bindparam("post"), REVISIONS.c.number <= bindparam("through")
)


def _revise_batch(connection: Connection, last: int, *, keep: int, actor: Actor) -> int:
    """Write the revisions of the queued posts up to id ``last`` that differ from their
    latest; returns how many were written."""
    current = connection.execute(_CURRENT, {"last": last}).mappings().all()
    if not current:
        return 0  # deleted in the same transaction
    tags = queries.grouped_tags(connection.execute(_TAGS, {"last": last}))
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
        rows.append(
            {
                "post_id": post_id,
                "number": latest + 1 if latest is not None else 1,
                "created_at": now,
                "actor_kind": actor.kind.value,
                "actor_user_id": actor.user_id,
                "actor_name": actor.name,
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


def revise_queued(connection: Connection, *, keep: int, actor: Actor | None = None) -> int:
    """Write the revisions of the posts this transaction's changes queued, done by ``actor``
    (by default the one the request or command set), keeping at most ``keep`` per post (0:
    all), and empty the queue. Returns how many were written."""
    written = 0
    who = actor or current_actor.get()
    while True:
        # The only query a write that changed no post's content makes.
        queued = connection.execute(_QUEUED).one()
        if not queued.queued:
            return written
        rest = queued.queued <= BATCH
        last = queued.last if rest else connection.execute(_BATCH_END).scalar_one()
        written += _revise_batch(connection, last, keep=keep, actor=who)
        connection.execute(_UNQUEUE, {"last": last})
        if rest:
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
