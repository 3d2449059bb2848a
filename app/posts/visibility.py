"""Which posts anonymous readers may see; every public read goes through this one rule.

A post is public exactly while its stored status is ``published`` (``app.posts.workflow``
keeps a published post's time from lying ahead: such a post is ``scheduled`` until the
worker publishes it, with a write). The rule is stated here once, as an expression over a
table of posts: queries use it on ``posts``, and the database triggers that keep derived
state (``app.derived.triggers``) render it on the row a trigger sees (``NEW``/``OLD``), so
what they count is what readers are shown.
"""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, FromClause, Select, func, select
from sqlmodel import col

from app.posts.models import Post, PostStatus, PublishedCount

POSTS: FromClause = Post.metadata.tables["posts"]


def published(posts: FromClause = POSTS) -> ColumnElement[bool]:
    """Public: published. The published counts hold exactly these posts."""
    return posts.c.status == PostStatus.published.value


def is_published(status: str) -> bool:
    """``published`` for a post's status."""
    return status == PostStatus.published.value


def public_total(
    source_ids: Sequence[int | ColumnElement[int]] | None = None,
) -> Select[int]:
    """How many posts are public, of these sources or of all: the counts the triggers keep,
    a few rows, never a count of the posts themselves."""
    kept = select(func.coalesce(func.sum(col(PublishedCount.posts)), 0))
    if source_ids is not None:
        kept = kept.where(col(PublishedCount.source_key).in_(source_ids))
    return kept
