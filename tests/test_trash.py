"""The trash: a trashed post leaves every public view at once and comes back with a restore;
purging deletes it for good; the worker empties the trash by age; a trashed post keeps its
slug, and the source it names."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app.auth.models import Role
from app.core.config import Settings
from app.core.db import Database
from app.models import metadata
from app.posts.schemas import PostPublic
from app.posts.trash import empty_trash
from app.worker.runner import Worker
from app.worker.tasks import standard_registry
from tests.factories import Account, make_account, make_post, make_source

API = "/api/v1"
POSTS = metadata.tables["posts"]
EVENTS = metadata.tables["events"]
DAY = datetime(2022, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def editor(db: Database) -> Account:
    return make_account(db, Role.editor)


def public_views(app: FastAPI, client: TestClient, post: PostPublic, source: str) -> Any:
    """Everything an anonymous reader is shown that the post could be part of."""

    def get(route: str, params: dict[str, Any] | None = None, **path: Any) -> Any:
        response = client.get(app.url_path_for(route, **path), params=params)
        return response.status_code, response.json()

    return {
        "list": get("list_posts"),
        "by source": get("list_posts", {"source": source}),
        "by tag": get("list_posts", {"tag": "lage"}),
        "day": get("day_archive", year="2022", month="1", day="10"),
        "day of the source": get(
            "day_archive", {"source": source}, year="2022", month="1", day="10"
        ),
        "month": get("month_archive", year="2022", month="1"),
        "index": get("archive_index"),
        "source": get("get_source", id_or_slug=source),
        "sources": get("list_sources"),
        "by id": get("get_post", id_or_slug=str(post.id)),
        "by slug": get("get_post", id_or_slug=post.slug),
    }


@pytest.mark.parametrize("path", ["direct", "framework"])
def test_a_trashed_post_vanishes_from_every_public_view_and_comes_back_on_restore(
    app: FastAPI,
    client: TestClient,
    framework: TestClient,
    db: Database,
    editor: Account,
    path: str,
) -> None:
    reader = client if path == "direct" else framework
    source = make_source(db, name="Kurier")
    post = make_post(db, editor, source_id=source.id, tags=["Lage"], published_at=DAY)
    other = make_post(db, editor, source_id=source.id, published_at=DAY + timedelta(hours=1))
    before = public_views(app, reader, post, source.slug)
    assert before["day"][1]["count"] == 2
    assert before["source"][1]["post_count"] == 2
    assert before["by slug"][0] == 200
    like = app.url_path_for("like_post", id_or_slug=post.slug)
    assert reader.post(like).status_code == 200
    before = public_views(app, reader, post, source.slug)  # with its like

    url = f"{API}/posts/{post.id}"
    assert client.delete(url, headers=editor.headers).status_code == 204
    gone = public_views(app, reader, post, source.slug)
    assert gone["by id"][0] == gone["by slug"][0] == 404
    assert [item["id"] for item in gone["list"][1]["items"]] == [other.id]
    assert gone["list"][1]["total"] == gone["by source"][1]["total"] == 1
    assert gone["by tag"][1]["total"] == 0
    assert (gone["day"][1]["count"], gone["day of the source"][1]["count"]) == (1, 1)
    assert [item["id"] for item in gone["day"][1]["items"]] == [other.id]
    assert gone["month"][1]["days"] == [{"date": "2022-01-10", "count": 1}]
    assert gone["index"][1]["years"][0]["count"] == 1
    assert gone["source"][1]["post_count"] == 1
    assert [item["post_count"] for item in gone["sources"][1]["items"]] == [1]
    assert reader.post(like).status_code == 404

    restored = client.post(f"{url}/restore", headers=editor.headers)
    assert restored.status_code == 200, restored.text
    assert restored.json()["status"] == "published"
    assert public_views(app, reader, post, source.slug) == before


def test_a_trashed_post_keeps_its_slug(client: TestClient, db: Database, editor: Account) -> None:
    post = make_post(db, editor, status="draft", published_at=None)
    assert client.delete(f"{API}/posts/{post.id}", headers=editor.headers).status_code == 204
    taken = client.post(
        f"{API}/posts", json={"title": "Neu", "slug": post.slug}, headers=editor.headers
    )
    assert taken.status_code == 409
    assert post.slug in taken.json()["detail"]
    # A new post of the same title gets another slug; the trashed one comes back as it was.
    same_title = client.post(f"{API}/posts", json={"title": post.title}, headers=editor.headers)
    assert same_title.json()["slug"] != post.slug
    back = client.post(f"{API}/posts/{post.id}/restore", headers=editor.headers)
    assert (back.json()["slug"], back.json()["status"]) == (post.slug, "draft")


def _count(db: Database, table: str, post_id: int) -> int:
    with db.engine.connect() as connection:
        rows = metadata.tables[table]
        return int(connection.scalar(select(func.count()).where(rows.c.post_id == post_id)) or 0)


def test_purging_deletes_the_post_with_its_likes_tags_and_document(
    client: TestClient, db: Database, editor: Account
) -> None:
    post = make_post(db, editor, tags=["Lage", "Welt"])
    assert client.post(f"{API}/posts/{post.id}/likes").status_code == 200
    assert [_count(db, table, post.id) for table in ("post_likes", "post_tags")] == [1, 2]
    assert client.delete(f"{API}/posts/{post.id}", headers=editor.headers).status_code == 204
    purged = client.delete(
        f"{API}/posts/{post.id}", params={"purge": "true"}, headers=editor.headers
    )
    assert purged.status_code == 204
    for table in ("post_likes", "post_tags", "post_documents"):
        assert _count(db, table, post.id) == 0, table
    assert client.get(f"{API}/posts/{post.id}", headers=editor.headers).status_code == 404
    # Restoring what is gone: nothing there.
    assert client.post(f"{API}/posts/{post.id}/restore", headers=editor.headers).status_code == 404


def _trashed_days_ago(db: Database, post_id: int, days: int) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            update(POSTS)
            .where(POSTS.c.id == post_id)
            .values(trashed_at=datetime.now(UTC) - timedelta(days=days))
        )


def _ids(db: Database) -> set[int]:
    with db.engine.connect() as connection:
        return set(connection.scalars(select(POSTS.c.id)))


def _purge_events(db: Database) -> list[tuple[int, str]]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(EVENTS.c.object_id, EVENTS.c.actor_kind).where(EVENTS.c.action == "post.purged")
        )
        return [(row.object_id, row.actor_kind) for row in rows]


TrashedPost = Callable[[int], PostPublic]


@pytest.fixture
def trashed(client: TestClient, db: Database, editor: Account) -> TrashedPost:
    """A post trashed ``days`` ago."""

    def make(days: int) -> PostPublic:
        post = make_post(db, editor)
        assert client.delete(f"{API}/posts/{post.id}", headers=editor.headers).status_code == 204
        _trashed_days_ago(db, post.id, days)
        return post

    return make


def test_the_worker_empties_posts_trashed_longer_than_the_setting(
    db: Database, settings: Settings, editor: Account, trashed: TrashedPost
) -> None:
    old, recent = trashed(31), trashed(29)
    kept = make_post(db, editor)
    worker = Worker(db, standard_registry(db, settings.zone, trash_days=30))
    while worker.run_once():  # each periodic task once: the trash's emptying among them
        pass
    assert _ids(db) == {recent.id, kept.id}
    assert _purge_events(db) == [(old.id, "worker")]
    # Nothing is due again: the emptying has done its work.
    assert empty_trash(db, 30) == 0


def test_trash_days_zero_keeps_the_trash(db: Database, trashed: TrashedPost) -> None:
    old = trashed(3650)
    assert empty_trash(db, 0) == 0
    assert _ids(db) == {old.id}


def test_the_trash_is_emptied_in_short_batches(
    db: Database, trashed: TrashedPost, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.posts.trash.EMPTY_BATCH", 2)
    many = [trashed(40).id for _ in range(5)]
    left: list[int] = []
    assert empty_trash(db, 30, between_batches=lambda: left.append(len(_ids(db)))) == 5
    assert left == [3, 1, 0]  # each batch committed on its own
    assert _ids(db) == set()
    assert sorted(post_id for post_id, _ in _purge_events(db)) == sorted(many)


def test_a_source_holding_only_trashed_posts_is_freed_by_purging_them(
    client: TestClient, db: Database, editor: Account
) -> None:
    source = make_source(db, name="Alte Quelle")
    post = make_post(db, editor, source_id=source.id)
    url = f"{API}/sources/{source.slug}"
    assert client.delete(f"{API}/posts/{post.id}", headers=editor.headers).status_code == 204
    held = client.delete(url, headers=editor.headers)
    assert held.status_code == 409
    assert "1 trashed post" in held.json()["detail"]
    assert "purg" in held.json()["detail"]
    purge = client.delete(
        f"{API}/posts/{post.id}", params={"purge": "true"}, headers=editor.headers
    )
    assert purge.status_code == 204
    assert client.delete(url, headers=editor.headers).status_code == 204


def test_posts_in_the_trash_are_listed_only_when_asked_for(
    client: TestClient, db: Database, editor: Account
) -> None:
    post = make_post(db, editor, status="draft", published_at=None)
    client.delete(f"{API}/posts/{post.id}", headers=editor.headers)
    drafts = client.get(f"{API}/posts", params={"status": "draft"}, headers=editor.headers)
    assert drafts.json()["total"] == 0
    listed = client.get(f"{API}/posts", params={"status": "trashed"}, headers=editor.headers)
    assert [(item["id"], item["status"]) for item in listed.json()["items"]] == [
        (post.id, "trashed")
    ]
    assert client.get(f"{API}/posts", params={"status": "trashed"}).status_code == 401


def test_authors_trash_and_restore_their_own_drafts(client: TestClient, db: Database) -> None:
    author = make_account(db, Role.author)
    post = make_post(db, author, status="pending", published_at=None)
    assert client.delete(f"{API}/posts/{post.id}", headers=author.headers).status_code == 204
    purge = client.delete(
        f"{API}/posts/{post.id}", params={"purge": "true"}, headers=author.headers
    )
    assert purge.status_code == 403
    back = client.post(f"{API}/posts/{post.id}/restore", headers=author.headers)
    assert back.json()["status"] == "pending"


def test_a_scheduled_post_whose_time_passed_in_the_trash_comes_back_published(
    client: TestClient, db: Database, editor: Account
) -> None:
    post = make_post(db, editor, published_at=datetime.now(UTC) + timedelta(days=1))
    assert post.status == "scheduled"
    client.delete(f"{API}/posts/{post.id}", headers=editor.headers)
    with db.engine.begin() as connection:
        connection.execute(
            update(POSTS)
            .where(POSTS.c.id == post.id)
            .values(published_at=datetime.now(UTC) - timedelta(hours=1))
        )
    back = client.post(f"{API}/posts/{post.id}/restore", headers=editor.headers)
    assert back.json()["status"] == "published"
    assert client.get(f"{API}/posts/{post.id}").status_code == 200
    assert _stored_status(db, post.id) == "published"


def _stored_status(db: Database, post_id: int) -> str:
    with db.engine.connect() as connection:
        return str(connection.scalar(select(POSTS.c.status).where(POSTS.c.id == post_id)))
