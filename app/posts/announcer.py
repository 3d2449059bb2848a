"""Announcing scheduled posts: the moment a post published for later goes public is recorded
as ``post.published``, once, by whichever worker sees it first.

A scheduled post becomes public at its time without any write, so no write can record it.
Triggers keep the posts published for later on the publication schedule whoever writes them
(``app.derived.triggers``); every worker's poll asks the schedule, with a read, whether one is
due, and only then takes the due rows in a write transaction (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite's write lock), records their events and deletes them, all in that one
transaction: a post is announced by exactly one worker, however many processes run one.

A post a write made public itself (its time moved to the past, or it was published again)
has that write's own ``post.published``; it may still be on the schedule (a trigger cannot
tell it from a post whose time came before the announcer ran), so its announcement is
skipped when the post's latest visibility event already says it is public.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select
from sqlmodel import Session, col

from app.core.db import Database
from app.core.types import utcnow
from app.events import posts as post_events
from app.events.actor import WORKER
from app.events.models import Event
from app.events.record import Action, record_all
from app.posts.models import Post, PublicationSchedule
from app.posts.visibility import is_visible

# Posts per transaction: more due at once (an import of future posts whose time has come)
# are taken in the polls that follow.
ANNOUNCE_BATCH = 100


def _due(moment: datetime) -> ColumnElement[bool]:
    return col(PublicationSchedule.due_at) <= moment


def announce_due(database: Database, now: datetime | None = None) -> int:
    """Announce the scheduled posts whose time has come; how many were taken off the
    schedule. Takes no write lock when none is due."""
    moment = now or utcnow()
    with database.session(write=False) as session:
        first_due = session.execute(
            select(col(PublicationSchedule.post_id)).where(_due(moment)).limit(1)
        ).first()
        if first_due is None:
            return 0
    with database.session() as session:
        taken = session.scalars(
            select(col(PublicationSchedule.post_id))
            .where(_due(moment))
            .order_by(col(PublicationSchedule.due_at))
            .limit(ANNOUNCE_BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        if not taken:
            return 0
        posts = session.execute(
            select(col(Post.id), col(Post.title), col(Post.slug), col(Post.status),
                   col(Post.published_at))
            .where(col(Post.id).in_(taken))
        ).all()  # fmt: skip
        announced = _announced(session, taken)
        entries = [
            post_events.announced(post.id, title=post.title, slug=post.slug)
            for post in posts
            if is_visible(post.status, post.published_at, moment) and post.id not in announced
        ]
        record_all(session, entries, actor=WORKER)
        session.execute(
            delete(PublicationSchedule).where(col(PublicationSchedule.post_id).in_(taken))
        )
    return len(taken)


def _announced(session: Session, post_ids: Sequence[int]) -> set[int]:
    """Those of the posts whose latest visibility event says they are public already."""
    visibility = (Action.post_published, Action.post_unpublished)
    latest = (
        select(func.max(col(Event.id)))
        .where(
            col(Event.object_type) == "post",
            col(Event.object_id).in_(post_ids),
            col(Event.action).in_(visibility),
        )
        .group_by(col(Event.object_id))
    )
    published = select(col(Event.object_id)).where(
        col(Event.id).in_(latest), col(Event.action) == Action.post_published
    )
    return set(session.scalars(published))
