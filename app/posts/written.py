"""A post a write has just changed, read once for both its response and its stored document.

An edit answers with the post as it now is, and its commit stores the post's document
(app.posts.documents); each read the post and its tags on its own. Read here once, the same
row and tags make both, and the document is stored at once and taken off the queue, so the
commit's hook finds nothing left to do for it. Anything that changes the post after this
queues it again (the triggers), and the hook stores it as it is then.
"""

from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel import Session

from app.core.errors import NotFound
from app.posts import documents, queries, tag_refs
from app.posts.schemas import PostPublic

# Plain SQL both databases read alike, typed by the tables' own columns (times and dates come
# back as they do from the constructs): an edit costs their execution alone, not the building
# of a select and its IN list. The columns are PostRow's, in its order, as rows_statement's.
# Each field of a PostRow with the column it is read from: the post's own, or its source's
# and author's.
_FROM = {
    **{name: f"p.{name}" for name in queries.PostRow._fields},
    "source_id": "s.id",
    "source_slug": "s.slug",
    "source_name": "s.name",
    "author_name": "u.name",
}
_TYPES = {
    **{name: column.type for name, column in queries.POSTS.c.items()},
    "source_id": queries.SOURCES.c.id.type,
    "source_slug": queries.SOURCES.c.slug.type,
    "source_name": queries.SOURCES.c.name.type,
    "author_name": queries.USERS.c.name.type,
}
_ROW = text(
    "SELECT "  # noqa: S608 (constants)
    + ", ".join(f"{_FROM[name]} AS {name}" for name in queries.PostRow._fields)
    + " FROM posts p LEFT OUTER JOIN sources s ON s.id = p.source_id"
    " JOIN users u ON u.id = p.author_id WHERE p.id = :post_id"
).columns(**{name: _TYPES[name] for name in queries.PostRow._fields})
# In the order of tags_statement: by name, in the database's collation.
_TAGS = text(
    "SELECT pt.post_id, t.slug, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id "
    "WHERE pt.post_id = :post_id ORDER BY t.name"
)


class WrittenPost(NamedTuple):
    row: queries.PostRow
    tags: list[tag_refs.TagJson]


def read(session: Session, post_id: int) -> WrittenPost | None:
    """The post ``post_id`` as this transaction has written it (pending ORM changes flushed
    first), with its tags; None if there is no such post."""
    session.flush()
    found = session.connection().execute(_ROW, {"post_id": post_id}).one_or_none()
    if found is None:
        return None
    return WrittenPost(queries.PostRow._make(found), tags_of(session, post_id))


def tags_of(session: Session, post_id: int) -> list[tag_refs.TagJson]:
    """The tags of the post ``post_id``, in the order every read gives them."""
    rows = session.connection().execute(_TAGS, {"post_id": post_id})
    return tag_refs.grouped_tags(rows).get(post_id, [])


def stored_and_public(session: Session, post_id: int, zone: ZoneInfo) -> PostPublic:
    """The post ``post_id`` this transaction has just written, as the response model; its
    document is stored (and the post taken off the queue) from the same read."""
    found = read(session, post_id)
    if found is None:
        raise NotFound(f"There is no post {post_id}.")
    documents.put(session.connection(), found.row, found.tags, zone)
    return queries.to_public(found.row, found.tags, zone)
