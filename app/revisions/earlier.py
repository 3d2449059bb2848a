"""Earlier states of a post brought in from elsewhere (a WordPress export's revisions), put
among its revisions by the time they were saved.

The rest of a revision's content (slug, status, source, tags, ...) is the post's as it is
now: what such a file keeps of an earlier state is its title, body and excerpt.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text, update

from app.core.types import UTCDateTime
from app.events.actor import Actor, current_actor
from app.posts import tag_refs
from app.revisions import snapshots
from app.revisions.keeping import REVISIONS

_POST = text(
    f"SELECT p.id, {', '.join(f'p.{name}' for name in snapshots.POST_COLUMNS)} "  # noqa: S608 (constants)
    "FROM posts p WHERE p.id = :post"
).columns(published_at=UTCDateTime())
_POST_TAGS = text(
    "SELECT pt.post_id, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id "
    "WHERE pt.post_id = :post ORDER BY t.name"
)
_KEPT = (
    select(REVISIONS.c.number, REVISIONS.c.created_at)
    .where(REVISIONS.c.post_id == bindparam("post"))
    .order_by(REVISIONS.c.number)
)
_SNAPSHOT = select(REVISIONS.c.snapshot).where(
    REVISIONS.c.post_id == bindparam("post"), REVISIONS.c.number == bindparam("number")
)
# Numbers moved up in two steps, through negative ones: the unique (post_id, number) index
# is checked row by row, and a step straight up would meet the next row's number.
_MAKE_ROOM = text(
    "UPDATE post_revisions SET number = -(number + 1) WHERE post_id = :post AND number >= :from"
)
_MADE_ROOM = text("UPDATE post_revisions SET number = -number WHERE post_id = :post AND number < 0")


def add_earlier(
    connection: Connection,
    post_id: int,
    *,
    title: str,
    body: str,
    excerpt: str,
    saved_at: datetime,
    actor: Actor | None = None,
) -> bool:
    """Put this earlier state of the post among its revisions, after those saved before it
    (the revisions after it are numbered one up). False when the post is gone, or has a
    revision saved at that very moment already (an import run again)."""
    current = connection.execute(_POST, {"post": post_id}).mappings().one_or_none()
    if current is None:
        return False
    kept = connection.execute(_KEPT, {"post": post_id}).all()
    if any(row.created_at == saved_at for row in kept):
        return False
    tags = tag_refs.grouped_tag_names(connection.execute(_POST_TAGS, {"post": post_id}))
    snapshot = {
        **snapshots.of_row(current, tags.get(post_id, [])),
        "title": title,
        "body": body,
        "excerpt": excerpt,
    }
    before = [row.number for row in kept if row.created_at < saved_at]
    after = [row.number for row in kept if row.created_at > saved_at]
    number = before[-1] + 1 if before else (kept[0].number if kept else 1)
    previous = _snapshot(connection, post_id, before[-1]) if before else snapshots.EMPTY
    if after:
        connection.execute(_MAKE_ROOM, {"post": post_id, "from": number})
        connection.execute(_MADE_ROOM, {"post": post_id})
    who = actor or current_actor.get()
    row: dict[str, Any] = {
        "post_id": post_id,
        "number": number,
        "created_at": saved_at,
        "actor_kind": who.kind.value,
        "actor_user_id": who.user_id,
        "actor_name": who.name,
        "changed": snapshots.changed(previous, snapshot),
        "snapshot": snapshots.encode(snapshot),
    }
    connection.execute(insert(REVISIONS), row)
    if after:
        # The revision after it now differs from this one, not from the one before.
        following = _snapshot(connection, post_id, number + 1)
        connection.execute(
            update(REVISIONS)
            .where(REVISIONS.c.post_id == post_id, REVISIONS.c.number == number + 1)
            .values(changed=snapshots.changed(snapshot, following))
        )
    return True


def _snapshot(connection: Connection, post_id: int, number: int) -> snapshots.Snapshot:
    stored = connection.execute(_SNAPSHOT, {"post": post_id, "number": number}).scalar_one()
    return snapshots.decode(bytes(stored))
