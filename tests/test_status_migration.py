"""The migration to stored statuses: a published post whose time lies ahead becomes scheduled,
the published counts count the published posts, no id is given twice, and going back makes
every post one that revision knows (nothing trashed or pending becomes public)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from app.core.db import create_db_engine
from app.core.migrations import downgrade, upgrade
from app.core.types import UTCDateTime
from tests.conftest import FreshDatabase

BEFORE = "5e8c2a7f9b31"  # the revision before stored statuses
NOW = datetime.now(UTC)
USERS = sa.table(
    "users",
    sa.column("name", sa.String()),
    sa.column("role", sa.String()),
    sa.column("is_active", sa.Boolean()),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)
# Only the columns every revision around this one has.
POSTS = sa.table(
    "posts",
    sa.column("id", sa.Integer()),
    sa.column("slug", sa.String()),
    sa.column("title", sa.String()),
    sa.column("title_sort", sa.String()),
    sa.column("status", sa.String()),
    sa.column("published_at", UTCDateTime()),
    sa.column("author_id", sa.Integer()),
    sa.column("language", sa.String()),
    sa.column("body", sa.String()),
    sa.column("body_html", sa.String()),
    sa.column("excerpt", sa.String()),
    sa.column("likes", sa.Integer()),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)


def _post(slug: str, status: str, published_at: datetime | None) -> dict[str, Any]:
    return {
        "slug": slug, "title": slug, "title_sort": slug, "status": status,
        "published_at": published_at, "author_id": 1, "language": "de", "body": "",
        "body_html": "", "excerpt": "", "likes": 0, "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip


def _statuses(connection: sa.Connection) -> dict[str, str]:
    return {
        row.slug: row.status for row in connection.execute(sa.select(POSTS.c.slug, POSTS.c.status))
    }


def _queued(connection: sa.Connection) -> int:
    queued: int = connection.execute(
        sa.text("SELECT count(*) FROM post_revision_queue")
    ).scalar_one()
    return queued


def _counts(connection: sa.Connection) -> dict[int, int]:
    rows = connection.execute(sa.text("SELECT source_key, posts FROM published_counts"))
    return {key: count for key, count in rows if count}


def test_published_posts_ahead_become_scheduled_and_going_back_keeps_them_hidden(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    url = fresh_database_url(backend)
    upgrade(url, BEFORE)
    engine = create_db_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.insert(USERS).values(
                    name="anna", role="editor", is_active=True, created_at=NOW, updated_at=NOW
                )
            )
            connection.execute(
                sa.insert(POSTS),
                [
                    _post("ahead", "published", NOW + timedelta(days=1)),
                    _post("public", "published", NOW - timedelta(days=1)),
                    _post("draft", "draft", None),
                    _post("deleted", "draft", None),
                ],
            )
            connection.execute(sa.delete(POSTS).where(POSTS.c.slug == "deleted"))
        upgrade(url)
        with engine.begin() as connection:
            assert _statuses(connection) == {
                "ahead": "scheduled", "public": "published", "draft": "draft",
            }  # fmt: skip
            assert _counts(connection) == {0: 1}
            # The revisions its change queued (and those of the rows written by hand before)
            # are written by the migration, as the command line's, not by the next write.
            assert _queued(connection) == 0
            revised = connection.execute(
                sa.text(
                    "SELECT p.slug, r.actor_kind FROM post_revisions r "
                    "JOIN posts p ON p.id = r.post_id"
                )
            ).all()
            assert sorted(map(tuple, revised)) == [
                ("ahead", "cli"), ("draft", "cli"), ("public", "cli"),
            ]  # fmt: skip
            # The largest id ever given is remembered across the table's rebuild.
            new_id = connection.execute(
                sa.insert(POSTS).returning(POSTS.c.id), [_post("trashed", "trashed", None)]
            ).scalar_one()
            assert new_id == 5
            connection.execute(sa.insert(POSTS), [_post("pending", "pending", None)])
        downgrade(url, BEFORE)
        with engine.begin() as connection:
            assert _statuses(connection) == {
                "ahead": "published", "public": "published", "draft": "draft",
                "trashed": "draft", "pending": "draft",
            }  # fmt: skip
            assert _counts(connection) == {0: 2}
            ahead = connection.execute(sa.text("SELECT post_id FROM publication_schedule")).all()
            assert len(ahead) == 1
        upgrade(url)
        with engine.connect() as connection:
            assert _statuses(connection)["ahead"] == "scheduled"
    finally:
        engine.dispose()
