"""Posts published for a later time wait on the publication schedule until their going public
is announced: whoever writes the post (the API, SQL by hand), the schedule follows it."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlmodel import col

from app.core.db import Database
from app.posts.models import Post, PublicationSchedule
from tests.factories import make_account, make_post

API = "/api/v1"


def schedule(db: Database) -> dict[int, datetime]:
    with db.session(write=False) as session:
        rows = session.execute(
            select(col(PublicationSchedule.post_id), col(PublicationSchedule.due_at))
        )
        return {row.post_id: row.due_at for row in rows}


def test_the_schedule_follows_a_post_written_through_the_api(
    client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    created = client.post(
        f"{API}/posts",
        json={"title": "Später", "body": "Text", "status": "published",
              "published_at": later.isoformat()},
        headers=editor.headers,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]
    assert schedule(db) == {post_id: later}

    moved = later + timedelta(hours=5)
    patched = client.patch(
        f"{API}/posts/{post_id}", json={"published_at": moved.isoformat()}, headers=editor.headers
    )
    assert patched.status_code == 200, patched.text
    assert schedule(db) == {post_id: moved}

    drafted = client.patch(
        f"{API}/posts/{post_id}", json={"status": "draft"}, headers=editor.headers
    )
    assert drafted.status_code == 200, drafted.text
    assert schedule(db) == {}

    client.patch(f"{API}/posts/{post_id}", json={"status": "published"}, headers=editor.headers)
    assert schedule(db) == {post_id: moved}
    deleted = client.delete(f"{API}/posts/{post_id}", headers=editor.headers)
    assert deleted.status_code == 204
    assert schedule(db) == {}


def test_posts_public_or_drafted_at_once_are_not_scheduled(db: Database) -> None:
    editor = make_account(db)
    make_post(db, editor)  # published in the past
    make_post(db, editor, status="draft", published_at=None)
    make_post(db, editor, status="draft", published_at=datetime.now(UTC) + timedelta(days=1))
    assert schedule(db) == {}


def test_a_post_whose_time_has_come_stays_until_announced(db: Database) -> None:
    """An edit to a post that went public before anyone announced it must not lose the
    announcement: it stays on the schedule, due at its (new) time."""
    editor = make_account(db)
    post = make_post(db, editor, published_at=datetime.now(UTC) + timedelta(days=1))
    came, moved = (datetime.now(UTC) - timedelta(minutes=m) for m in (1, 5))
    with db.session() as session:  # as if its time had come: due in the past
        session.execute(update(Post).where(col(Post.id) == post.id).values(published_at=came))
    with db.session() as session:  # its time moved, still in the past
        session.execute(update(Post).where(col(Post.id) == post.id).values(published_at=moved))
    assert schedule(db) == {post.id: moved}


def test_sql_by_hand_is_followed_too(db: Database) -> None:
    editor = make_account(db)
    post = make_post(db, editor, status="draft", published_at=None)
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    with db.session() as session:
        session.execute(
            update(Post).where(col(Post.id) == post.id)
            .values(status="published", published_at=later)
        )  # fmt: skip
    assert schedule(db) == {post.id: later}
    with db.session() as session:
        session.execute(text("DELETE FROM posts"))
    assert schedule(db) == {}
