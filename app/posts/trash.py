"""The trash: a post moved there leaves every public view at once (it is no longer
published) and keeps its row and slug; a restore gives it back its former status; a purge, or
the worker's emptying of posts trashed longer than the configured days (in short batches),
deletes it for good, with its likes, tag links and document by their foreign keys."""

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, delete, select
from sqlmodel import Session

from app.auth.service import Viewer
from app.core.db import Database
from app.core.errors import Conflict, Forbidden
from app.core.preconditions import UNCONDITIONAL, Precondition, Versioned
from app.core.types import utcnow
from app.events import posts as post_events
from app.events.actor import WORKER
from app.events.record import record_all
from app.posts import service
from app.posts.models import Post, PostStatus
from app.posts.schemas import PostPublic
from app.posts.visibility import is_published
from app.posts.workflow import AUTHOR_STATUSES, RESTORABLE, check_author_may_change

POSTS = Post.metadata.tables["posts"]
# Posts per transaction: each batch holds SQLite's write lock only briefly, with their
# likes, tag links and documents going by their foreign keys.
EMPTY_BATCH = 100


def trash_post(
    session: Session,
    *,
    viewer: Viewer,
    id_or_slug: str,
    zone: ZoneInfo,
    precondition: Precondition = UNCONDITIONAL,
) -> int:
    """Move a post to the trash: out of every public view at once, its slug still taken.
    Returns its new version."""
    post = service.writable_post(session, viewer, id_or_slug)
    if post.status == PostStatus.trashed.value:
        raise Conflict(
            f"The post {id_or_slug!r} is in the trash already; DELETE with purge=true deletes "
            "it for good."
        )
    check_author_may_change(viewer, post)
    service.check_post_version(session, viewer, post, zone, precondition)
    was_visible = is_published(post.status)
    # updated_at stays: the post's content is as it was, and comes back so from the trash.
    post.trashed_from, post.status = post.status, PostStatus.trashed.value
    post.trashed_at = utcnow()
    session.flush()
    assert post.id is not None
    about = post_events.post_data(title=post.title, slug=post.slug, status=post.trashed_from)
    record_all(session, post_events.trashed(post.id, was_visible=was_visible, data=about))
    return post.version


def restore_post(
    session: Session,
    *,
    viewer: Viewer,
    id_or_slug: str,
    zone: ZoneInfo,
    precondition: Precondition = UNCONDITIONAL,
) -> Versioned[PostPublic]:
    """Bring a post back from the trash to the status it had, as the workflow decides it now
    (a scheduled post whose time has passed comes back published)."""
    post = service.writable_post(session, viewer, id_or_slug)
    if post.status != PostStatus.trashed.value:
        raise Conflict(f"The post {id_or_slug!r} is not in the trash; it is {post.status}.")
    former = PostStatus(post.trashed_from or PostStatus.draft.value)
    if former not in RESTORABLE:
        former = PostStatus.draft
    if not viewer.is_editor and (
        post.author_id != viewer.user_id or former.value not in AUTHOR_STATUSES
    ):
        raise Forbidden(
            "Authors restore only their own drafts and pending posts; this one was "
            f"{former.value}, which only an editor restores."
        )
    service.check_post_version(session, viewer, post, zone, precondition)
    post.status = former.value
    service.apply_publication(post, zone)
    post.trashed_at = post.trashed_from = None
    session.flush()
    assert post.id is not None
    about = post_events.post_data(title=post.title, slug=post.slug, status=post.status)
    visible = is_published(post.status)
    record_all(session, post_events.restored(post.id, visible=visible, data=about))
    restored = service.get_post(session, viewer=viewer, id_or_slug=str(post.id), zone=zone)
    return Versioned(restored, post.version)


def purge_post(
    session: Session,
    *,
    viewer: Viewer,
    id_or_slug: str,
    zone: ZoneInfo,
    precondition: Precondition = UNCONDITIONAL,
) -> None:
    """Delete a post for good, in whatever status, with its likes, tag links, revisions and
    stored document (by their foreign keys)."""
    if not viewer.is_editor:
        raise Forbidden("Only editors and admins delete posts for good (purge=true).")
    post = service.writable_post(session, viewer, id_or_slug)
    service.check_post_version(session, viewer, post, zone, precondition)
    assert post.id is not None
    about = post_events.post_data(title=post.title, slug=post.slug, status=post.status)
    record_all(
        session, post_events.purged(post.id, was_visible=is_published(post.status), data=about)
    )
    session.delete(post)


def _expired(cutoff: datetime) -> ColumnElement[bool]:
    """In the trash since before ``cutoff``: a range of the trashed_at index."""
    return and_(POSTS.c.trashed_at <= cutoff, POSTS.c.status == PostStatus.trashed.value)


def empty_trash(
    database: Database,
    days: int,
    *,
    now: datetime | None = None,
    between_batches: Callable[[], None] = lambda: None,
) -> int:
    """Delete the posts trashed more than ``days`` days before ``now``; how many. ``days``
    0 keeps the trash as it is (nothing is emptied by age). ``between_batches`` runs after
    each batch committed (a worker gives up there when it is stopping)."""
    if days <= 0:
        return 0
    cutoff = (now or utcnow()) - timedelta(days=days)
    purged = 0
    while True:
        with database.session(write=False) as session:
            if session.execute(select(POSTS.c.id).where(_expired(cutoff)).limit(1)).first() is None:
                return purged
        with database.session() as session:
            batch = session.scalars(
                select(POSTS.c.id).where(_expired(cutoff)).order_by(POSTS.c.id).limit(EMPTY_BATCH)
            ).all()
            # Only rows still trashed: a post restored meanwhile stays.
            deleted = session.execute(
                delete(POSTS)
                .where(POSTS.c.id.in_(batch), _expired(cutoff))
                .returning(POSTS.c.id, POSTS.c.title, POSTS.c.slug, POSTS.c.trashed_from)
            ).all()
            record_all(
                session,
                [
                    entry
                    for row in deleted
                    for entry in post_events.purged(
                        row.id,
                        was_visible=False,
                        data=post_events.post_data(
                            title=row.title,
                            slug=row.slug,
                            status=PostStatus.trashed.value,
                            trashed_from=row.trashed_from,
                            via="trash emptied",
                        ),
                    )
                ],
                actor=WORKER,
            )
        purged += len(deleted)
        if not batch:
            return purged
        between_batches()
