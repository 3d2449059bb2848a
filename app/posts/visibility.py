"""Which posts anonymous readers may see; every public read goes through this one rule."""

from datetime import datetime

from sqlalchemy import ColumnElement, and_
from sqlmodel import col

from app.posts.models import Post, PostStatus


def publicly_visible(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """Published, and not scheduled for later (``now`` may be a bound parameter)."""
    return and_(col(Post.status) == PostStatus.published.value, col(Post.published_at) <= now)
