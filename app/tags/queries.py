"""Reading tags: each tag with the number of published posts that carry it.

A list needs every tag's count to sort by it, so the counts are read in one grouped query
along the (tag_id, post_id) index of post_tags and kept per content version
(app.derived.memo), with both orders made from them once; a page is then a slice. One tag
alone is counted along that index for itself."""

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Select, func, select

from app.core.collation import sort_key
from app.posts.models import Post, PostTag, Tag
from app.posts.visibility import published
from app.tags.schemas import TagSort

TAGS = Tag.metadata.tables["tags"]
POST_TAGS = PostTag.metadata.tables["post_tags"]
POSTS = Post.metadata.tables["posts"]


class TagRow(NamedTuple):
    id: int
    slug: str
    name: str
    posts: int  # published posts carrying it


class TagOrders(NamedTuple):
    """Every tag in each order a list gives, and the tags with published posts in each."""

    every: dict[TagSort, list[TagRow]]
    public: dict[TagSort, list[TagRow]]


def _public_count(tag_id: Any) -> Select[Any]:
    return (
        select(func.count())
        .select_from(POST_TAGS)
        .join(POSTS, POSTS.c.id == POST_TAGS.c.post_id)
        .where(POST_TAGS.c.tag_id == tag_id, published(POSTS))
    )


def tag_statement(slug: str) -> Select[Any]:
    """The tag of this slug with its count: one row, or none."""
    count = _public_count(TAGS.c.id).scalar_subquery()
    return select(TAGS.c.id, TAGS.c.slug, TAGS.c.name, count.label("count")).where(
        TAGS.c.slug == slug
    )


def counts_statement() -> Select[Any]:
    """Published posts per tag, for the tags that have any."""
    return (
        select(POST_TAGS.c.tag_id, func.count())
        .select_from(POST_TAGS)
        .join(POSTS, POSTS.c.id == POST_TAGS.c.post_id)
        .where(published(POSTS))
        .group_by(POST_TAGS.c.tag_id)
    )


def tags_statement() -> Select[Any]:
    return select(TAGS.c.id, TAGS.c.slug, TAGS.c.name)


def orders(tags: Iterable[Sequence[Any]], counts: Iterable[Sequence[Any]]) -> TagOrders:
    """Rows of ``tags_statement`` and ``counts_statement`` as TagOrders."""
    counted = {int(tag_id): int(count) for tag_id, count in counts}
    rows = [TagRow(int(id_), slug, name, counted.get(int(id_), 0)) for id_, slug, name in tags]
    # German dictionary order, the slug deciding between names alike (unique, so stable).
    by_name = sorted(rows, key=lambda row: (sort_key(row.name), row.slug))
    by_count = sorted(by_name, key=lambda row: -row.posts)  # stable: ties stay by name
    every = {TagSort.by_name: by_name, TagSort.by_count: by_count}
    public = {sort: [row for row in listed if row.posts] for sort, listed in every.items()}
    return TagOrders(every, public)
