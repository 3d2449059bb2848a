"""A post's stored status, decided in one place for every path that writes one (the API's
creates and edits, bulk changes, imports, the demo, a restore, the trash's restore; the
worker's publisher turns ``scheduled`` into ``published`` when the time comes), and who may
ask for which.

The stored status is the public rule (``app.posts.visibility``): a post is public exactly
while it is ``published``, so a ``published`` post never has a time still ahead. Asked for:

- ``published`` without a time: published now; with a time ahead: ``scheduled`` for it (the
  worker publishes it then, ``app.posts.publisher``); with a time past: published, dated so.
- ``scheduled`` needs a time; one ahead keeps it scheduled, one already past publishes it at
  once (dated so), as the worker would have at that time.
- ``draft``, ``pending`` and ``trashed`` keep whatever time they were given (a draft may carry
  the time it is meant to go out at).
"""

from datetime import datetime
from typing import NamedTuple

from app.auth.service import Viewer
from app.core.errors import Forbidden, InvalidInput
from app.posts.models import Post, PostStatus

# What a restore from the trash may give back: every status but the trash itself.
RESTORABLE = frozenset(
    {PostStatus.draft, PostStatus.pending, PostStatus.scheduled, PostStatus.published}
)


class Publication(NamedTuple):
    """A post's status and publication time, as they are stored."""

    status: PostStatus
    published_at: datetime | None


def decide(requested: PostStatus, published_at: datetime | None, now: datetime) -> Publication:
    """The status and time to store for a post asked to be ``requested`` at ``published_at``
    (aware), written at ``now``."""
    if requested is PostStatus.published:
        if published_at is None:
            return Publication(PostStatus.published, now)
        if published_at > now:
            return Publication(PostStatus.scheduled, published_at)
        return Publication(PostStatus.published, published_at)
    if requested is PostStatus.scheduled:
        if published_at is None:
            raise InvalidInput("published_at: a scheduled post needs the time it goes public at.")
        if published_at <= now:
            return Publication(PostStatus.published, published_at)
        return Publication(PostStatus.scheduled, published_at)
    return Publication(requested, published_at)


# What an author may write: their own posts in these statuses, into these statuses.
AUTHOR_STATUSES = frozenset({PostStatus.draft.value, PostStatus.pending.value})


def check_author_may_change(viewer: Viewer, post: Post) -> None:
    """Authors change only their own drafts and pending posts; editors anything."""
    if viewer.is_editor:
        return
    if post.author_id != viewer.user_id:
        raise Forbidden("Authors can change only their own drafts and pending posts.")
    if post.status not in AUTHOR_STATUSES:
        raise Forbidden(
            f"Authors can change only their own drafts and pending posts; this post is "
            f"{post.status}, which only an editor changes."
        )


def check_status_asked(viewer: Viewer, status: PostStatus) -> None:
    """A status a write asks for: never the trash (DELETE moves a post there); authors ask
    only for a draft or a review."""
    if status is PostStatus.trashed:
        raise InvalidInput(
            "status: a post goes to the trash by DELETE /posts/{id}, and comes back by "
            "POST /posts/{id}/restore."
        )
    if not viewer.is_editor and status.value not in AUTHOR_STATUSES:
        raise Forbidden(
            f"Authors cannot make a post {status.value}; they hand it in for review "
            "(status pending) and an editor publishes or schedules it."
        )
