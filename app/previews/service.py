"""Previews: issuing a post's link, and reading the post through one."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from app.auth.service import Viewer
from app.core.errors import NotFound
from app.events.record import Action, Ref, record
from app.posts import queries
from app.posts.models import Post, PostStatus
from app.posts.schemas import PostPublic


def issue_link(session: Session, *, viewer: Viewer, id_or_slug: str, expires_at: datetime) -> int:
    """The id of the post a link is issued for, once the caller may read it as it is now (its
    author, editors, admins: a link lends that right to whoever holds it, until it expires);
    the issue is recorded in the audit log."""
    found = session.execute(
        select(col(Post.id), col(Post.title), col(Post.slug)).where(
            queries.by_id_or_slug(id_or_slug), queries.readable_by(viewer)
        )
    ).one_or_none()
    if found is None:
        raise NotFound(f"There is no post {id_or_slug!r}.")
    about = {"title": found.title, "slug": found.slug, "expires_at": expires_at.isoformat()}
    record(session, Action.post_preview_link_issued, Ref("post", found.id), about)
    post_id: int = found.id
    return post_id


def preview_post(session: Session, *, post_id: int, zone: ZoneInfo) -> PostPublic:
    """The post as it is now, in any status but the trash, as its writers see it: moving a
    post to the trash ends its links, as it ends every other view of it."""
    not_trashed = col(Post.status) != PostStatus.trashed.value
    found = queries.fetch_posts(
        session, where=[col(Post.id) == post_id, not_trashed], order=[], zone=zone
    )
    if not found:
        raise NotFound(f"There is no post {post_id}; it has been deleted or moved to the trash.")
    return found[0]
