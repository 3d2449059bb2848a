"""Which posts anonymous readers may see; every public read goes through this one rule."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlmodel import col

from app.posts.models import Post, PostStatus, PublishedCount


def publicly_visible(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """Published, and not scheduled for later (``now`` may be a bound parameter)."""
    return and_(col(Post.status) == PostStatus.published.value, col(Post.published_at) <= now)


def is_publicly_visible(post: Post, now: datetime) -> bool:
    """The same rule for a row already loaded."""
    return is_visible(post.status, post.published_at, now)


def is_visible(status: str, published_at: datetime | None, now: datetime) -> bool:
    """The same rule for a post's status and publication time."""
    return status == PostStatus.published.value and published_at is not None and published_at <= now


def scheduled(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """Published for later: what the triggers' counts hold beyond the public posts."""
    return and_(col(Post.status) == PostStatus.published.value, col(Post.published_at) > now)


def public_total(
    now: datetime | ColumnElement[datetime],
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
