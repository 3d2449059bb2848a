"""Publishing scheduled posts at their time: every worker's poll asks, with one indexed read,
whether a scheduled post is due, and only then publishes the due ones in a short write.

The write changes only rows still scheduled (``UPDATE ... WHERE status = 'scheduled' AND id IN
(...) RETURNING``) and records ``post.published`` for exactly the rows it changed: of several
workers that found the same posts due, the first to commit publishes them, and the others'
updates find them published already (PostgreSQL checks the condition again on the committed
row; SQLite runs one writer at a time). A post is published once, however many processes run.
Going public is a write like any other: the triggers bump the content version and queue the
post's stored document, so caches follow at once.
"""

from datetime import datetime

from sqlalchemy import ColumnElement, and_, select, update

from app.core.db import Database
from app.core.types import utcnow
from app.events import posts as post_events
from app.events.actor import WORKER
from app.events.record import record_all
from app.posts.models import Post, PostStatus

POSTS = Post.metadata.tables["posts"]
# Posts per transaction: more due at once (an import of posts whose time has come) are
# published in the polls that follow.
PUBLISH_BATCH = 100


def _due(moment: datetime) -> ColumnElement[bool]:
    """Scheduled, its time come: a short range of the (status, published_at) index."""
    return and_(POSTS.c.status == PostStatus.scheduled.value, POSTS.c.published_at <= moment)


def publish_due(database: Database, now: datetime | None = None) -> int:
    """Publish the scheduled posts whose time has come; how many this call published. Takes
    no write lock when none is due."""
    moment = now or utcnow()
    with database.session(write=False) as session:
        if session.execute(select(POSTS.c.id).where(_due(moment)).limit(1)).first() is None:
            return 0
    with database.session() as session:
        due = session.scalars(
            select(POSTS.c.id)
            .where(_due(moment))
            .order_by(POSTS.c.published_at, POSTS.c.id)
            .limit(PUBLISH_BATCH)
        ).all()
        if not due:
            return 0
        published = session.execute(
            update(POSTS)
            .where(POSTS.c.status == PostStatus.scheduled.value, POSTS.c.id.in_(due))
            .values(status=PostStatus.published.value)
            .returning(POSTS.c.id, POSTS.c.title, POSTS.c.slug)
        ).all()
        record_all(
            session,
            [post_events.went_public(row.id, title=row.title, slug=row.slug) for row in published],
            actor=WORKER,
        )
    return len(published)
