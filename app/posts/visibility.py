"""Which posts anonymous readers may see; every public read goes through this one rule.

A post is public once it is published and its publication time has come: published with a
later time, it is scheduled and becomes public at that time without any write. The rule is
stated here once, as expressions over a table of posts: queries use it on ``posts``, and the
database triggers that keep derived state (``app.derived.triggers``) render it on the row a
trigger sees (``NEW``/``OLD``), so what they count is what readers are shown.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, FromClause, Select, and_, func, select
from sqlmodel import col

from app.posts.models import Post, PostStatus, PublishedCount

POSTS: FromClause = Post.metadata.tables["posts"]
Moment = datetime | ColumnElement[datetime]


def _published_status(posts: FromClause) -> ColumnElement[bool]:
    return posts.c.status == PostStatus.published.value


def published(posts: FromClause = POSTS) -> ColumnElement[bool]:
    """Published with a publication time: public now or scheduled for later. The published
    counts hold exactly these posts."""
    return and_(_published_status(posts), posts.c.published_at.is_not(None))


def publicly_visible(now: Moment, posts: FromClause = POSTS) -> ColumnElement[bool]:
    """Published, and its time has come (``now`` may be a bound parameter or SQL). A post
    without a publication time never passes the comparison."""
    return and_(_published_status(posts), posts.c.published_at <= now)


def scheduled(now: Moment, posts: FromClause = POSTS) -> ColumnElement[bool]:
    """Published for later: what the published counts hold beyond the public posts, and
    what becomes public without a write when its time comes."""
    return and_(_published_status(posts), posts.c.published_at > now)


def is_publicly_visible(post: Post, now: datetime) -> bool:
    """``publicly_visible`` for a row already loaded."""
    return is_visible(post.status, post.published_at, now)


def is_visible(status: str, published_at: datetime | None, now: datetime) -> bool:
    """``publicly_visible`` for a post's status and publication time."""
    return status == PostStatus.published.value and published_at is not None and published_at <= now


def public_total(
    now: Moment,
    source_ids: Sequence[int | ColumnElement[int]] | None = None,
) -> Select[tuple[int]]:
    """How many posts are public, of these sources or of all: the published posts the
    triggers count, less those scheduled for later (a short range of the status index), so
    the answer never counts the public posts themselves."""
    kept = select(func.coalesce(func.sum(col(PublishedCount.posts)), 0))
    later = select(func.count()).select_from(Post).where(scheduled(now))
    if source_ids is not None:
        kept = kept.where(col(PublishedCount.source_key).in_(source_ids))
        later = later.where(col(Post.source_id).in_(source_ids))
    return select(kept.scalar_subquery() - later.scalar_subquery())
