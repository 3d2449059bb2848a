"""A post's tags as reads show them: each its slug and name (``TagRef``), read by the one
query per page that brings them (``tags_statement``), in the order of their names.

A stored document shows both, and is made again when a tag's name changes (the triggers of
``post_documents`` watch the name): a tag's slug changes only with its name (a rename gives
it the new name's slug), so no trigger watches the slug on its own.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, TypedDict

from sqlalchemy import ColumnElement, Connection, Select, select

from app.posts.models import Tag

TAGS = Tag.metadata.tables["tags"]
POST_TAGS = Tag.metadata.tables["post_tags"]
_TAGS = (
    select(POST_TAGS.c.post_id, TAGS.c.slug, TAGS.c.name)
    .join(TAGS, TAGS.c.id == POST_TAGS.c.tag_id)
    .order_by(POST_TAGS.c.post_id, TAGS.c.name)
)


class PostTagRow(NamedTuple):
    """A row of ``tags_statement``: one tag of one post."""

    post_id: int
    slug: str
    name: str


class PostTagName(NamedTuple):
    """A row of a post id and one of its tags' names (revisions read those alone)."""

    post_id: int
    name: str


class TagJson(TypedDict):
    """A post's tag as its JSON holds it (TagRef's fields, in their order): a plain dict, so
    a document is encoded without a model."""

    slug: str
    name: str


def tags_statement(post_ids: Sequence[int | ColumnElement[int]]) -> Select[int, str, str]:
    """The tags of these posts (PostTagRow's columns), by post and name."""
    return _TAGS.where(POST_TAGS.c.post_id.in_(post_ids))


def tags_by_post(connection: Connection, post_ids: Sequence[int]) -> dict[int, list[TagJson]]:
    if not post_ids:
        return defaultdict(list)
    return grouped_tags(connection.execute(tags_statement(post_ids)))


def grouped_tags(rows: Iterable[Sequence[Any]]) -> dict[int, list[TagJson]]:
    """Rows of ``tags_statement`` (from a session or a driver cursor) as each post's tags,
    in their order."""
    tags: dict[int, list[TagJson]] = defaultdict(list)
    for row in map(PostTagRow._make, rows):
        tags[row.post_id].append({"slug": row.slug, "name": row.name})
    return tags


def grouped_tag_names(rows: Iterable[Sequence[Any]]) -> dict[int, list[str]]:
    """Rows of post ids and tag names (by post and name) as each post's tag names, as
    revisions keep them."""
    names: dict[int, list[str]] = defaultdict(list)
    for row in map(PostTagName._make, rows):
        names[row.post_id].append(row.name)
    return names


def tag_names(tags: Iterable[TagJson]) -> list[str]:
    """The names of these tags, in their order: what writes take, and search indexes."""
    return [tag["name"] for tag in tags]
