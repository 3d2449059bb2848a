"""The trash: a post moved there leaves every public view at once (it is no longer
published) and keeps its row and slug; a restore gives it back its former status; a purge, or
the worker's emptying of posts trashed longer than the configured days (in short batches),
deletes it for good, with its likes, tag links, revisions and document by their foreign
keys."""

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
from app.events.record import Entry, record_all
from app.posts import service, written
from app.posts.models import Post, PostStatus
from app.posts.schemas import PostPublic
from app.posts.visibility import is_published
from app.posts.workflow import AUTHOR_STATUSES, RESTORABLE, check_author_may_change

POSTS = Post.metadata.tables["posts"]
# Posts per transaction: each batch holds SQLite's write lock only briefly, with their
# likes, tag links and documents going by their foreign keys.
EMPTY_BATCH = 100


def check_may_trash(viewer: Viewer, post: Post) -> None:
    """Whether ``viewer`` may move ``post`` to the trash: a domain error if not."""
    if post.status == PostStatus.trashed.value:
        raise Conflict(
            f"The post {post.id} is in the trash already; DELETE with purge=true deletes it "
            "for good."
        )
    check_author_may_change(viewer, post)


def move_to_trash(viewer: Viewer, post: Post) -> list[Entry]:
    """Put a loaded post in the trash, if ``viewer`` may (not flushed); its events."""
    check_may_trash(viewer, post)
    was_visible = is_published(post.status)
    # updated_at stays: the post's content is as it was, and comes back so from the trash.
    post.trashed_from, post.status = post.status, PostStatus.trashed.value
    post.trashed_at = utcnow()
    assert post.id is not None
    about = post_events.post_data(title=post.title, slug=post.slug, status=post.trashed_from)
    return post_events.trashed(post.id, was_visible=was_visible, data=about)


def former_status(viewer: Viewer, post: Post) -> PostStatus:
    """The status a restore gives ``post`` back, if ``viewer`` may restore it: a domain
    error if not."""
    if post.status != PostStatus.trashed.value:
        raise Conflict(f"The post {post.id} is not in the trash; it is {post.status}.")
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
    return former


def bring_back(viewer: Viewer, post: Post, zone: ZoneInfo) -> list[Entry]:
    """Give a loaded post in the trash back the status it had, as the workflow decides it
    now (a scheduled post whose time has passed comes back published), if ``viewer`` may
    (not flushed); its events."""
    post.status = former_status(viewer, post).value
    service.apply_publication(post, zone)
    post.trashed_at = post.trashed_from = None
    assert post.id is not None
    about = post_events.post_data(title=post.title, slug=post.slug, status=post.status)
    return post_events.restored(post.id, visible=is_published(post.status), data=about)


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
    # The caller's rights first, then the version, then the change: a 412 shows the post as
    # it is, to someone who may change it.
    check_may_trash(viewer, post)
    service.check_post_version(session, viewer, post, zone, precondition)
    entries = move_to_trash(viewer, post)
    session.flush()
    record_all(session, entries)
    return post.version


def restore_post(
    session: Session,
    *,
    viewer: Viewer,
    id_or_slug: str,
    zone: ZoneInfo,
    precondition: Precondition = UNCONDITIONAL,
) -> Versioned[PostPublic]:
    """Bring a post back from the trash (``bring_back``)."""
    post = service.writable_post(session, viewer, id_or_slug)
    former_status(viewer, post)
    service.check_post_version(session, viewer, post, zone, precondition)
    entries = bring_back(viewer, post, zone)
    session.flush()
    record_all(session, entries)
    assert post.id is not None
    # Read once for the response and the post's document.
    return Versioned(written.stored_and_public(session, post.id, zone), post.version)


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
