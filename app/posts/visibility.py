"""Which posts anonymous readers may see; every public read goes through this one rule."""

from datetime import datetime

from sqlalchemy import ColumnElement, and_
from sqlmodel import col

from app.posts.models import Post, PostStatus


def publicly_visible(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """Published, and not scheduled for later (``now`` may be a bound parameter)."""
    return and_(col(Post.status) == PostStatus.published.value, col(Post.published_at) <= now)


def is_publicly_visible(post: Post, now: datetime) -> bool:
    """The same rule for a row already loaded."""
    return (
        post.status == PostStatus.published.value
        and post.published_at is not None
        and post.published_at <= now
    )
