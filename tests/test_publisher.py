"""A scheduled post goes public at its time by the worker's write: published once, as
``post.published`` by the worker, with several workers, several processes, and when a write
has published it already; invisible to anonymous readers until then."""

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import col

from app.auth.models import Role
from app.core.config import Settings
from app.core.db import Database
from app.events.actor import ActorKind
from app.events.models import Event
from app.posts.models import Post
from app.posts.publisher import publish_due
from app.worker.runner import Worker
from app.worker.tasks import standard_registry
from tests.factories import make_account, make_post
from tests.jobs import eventually
from tests.live_server import served, url_of

API = "/api/v1"
# How late the publication may come after the post's time: a poll of the in-process worker
# (1 s by default), with room for a busy machine.
PUBLISHED_WITHIN = timedelta(seconds=2)


def published_events(db: Database) -> list[tuple[int, str, datetime]]:
    with db.session(write=False) as session:
        rows = session.execute(
            select(col(Event.object_id), col(Event.actor_kind), col(Event.occurred_at))
            .where(col(Event.action) == "post.published")
            .order_by(col(Event.id))
        )
        return [(row.object_id, row.actor_kind, row.occurred_at) for row in rows]


def statuses(db: Database) -> dict[int, str]:
    with db.session(write=False) as session:
        rows = session.execute(select(col(Post.id), col(Post.status)))
        return {row.id: row.status for row in rows}


def test_a_due_post_is_published_once_by_the_worker(client: TestClient, db: Database) -> None:
    editor = make_account(db)
    due = datetime.now(UTC) + timedelta(days=1)
    post = make_post(db, editor, published_at=due)
    later = make_post(db, editor, published_at=due + timedelta(days=1))
    assert (post.status, later.status) == ("scheduled", "scheduled")
    assert client.get(f"{API}/posts/{post.id}").status_code == 404
    assert published_events(db) == []

    assert publish_due(db, now=due - timedelta(seconds=1)) == 0
    assert publish_due(db, now=due + timedelta(seconds=1)) == 1
    assert statuses(db) == {post.id: "published", later.id: "scheduled"}
    assert [(post_id, kind) for post_id, kind, _ in published_events(db)] == [
        (post.id, ActorKind.worker.value)
    ]
    assert publish_due(db, now=due + timedelta(seconds=2)) == 0
    assert len(published_events(db)) == 1


def test_the_in_process_worker_publishes_a_post_whose_time_has_come(
    client: TestClient, db: Database, settings: Settings
) -> None:
    editor = make_account(db)
    post = make_post(db, editor, published_at=datetime.now(UTC) + timedelta(seconds=1))
    listed = client.get(f"{API}/posts").json()["items"]
    assert post.id not in [item["id"] for item in listed]
    assert client.get(f"{API}/posts/{post.slug}").status_code == 404
    worker = Worker(db, standard_registry(db, settings.zone), poll_seconds=0.1)
    worker.start()
    try:
        eventually(
            lambda: client.get(f"{API}/posts/{post.slug}").status_code == 200,
            "the worker publishes the post",
        )
    finally:
        worker.stop(timeout=30)
    shown = client.get(f"{API}/posts/{post.id}").json()
    assert shown["status"] == "published"
    assert post.id in [item["id"] for item in client.get(f"{API}/posts").json()["items"]]
    assert [(post_id, kind) for post_id, kind, _ in published_events(db)] == [
        (post.id, ActorKind.worker.value)
    ]


def test_a_post_a_write_published_is_not_published_again(client: TestClient, db: Database) -> None:
    editor = make_account(db)
    post = make_post(db, editor, published_at=datetime.now(UTC) + timedelta(days=1))
    now = datetime.now(UTC) - timedelta(minutes=1)
    published = client.patch(
        f"{API}/posts/{post.id}", json={"published_at": now.isoformat()}, headers=editor.headers
    )
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert [kind for _, kind, _ in published_events(db)] == [ActorKind.token.value]
    assert publish_due(db) == 0
    assert len(published_events(db)) == 1


def test_workers_publishing_at_once_publish_each_post_once(db: Database) -> None:
    editor = make_account(db)
    due = datetime.now(UTC) + timedelta(days=1)
    scheduled = [make_post(db, editor, published_at=due + timedelta(seconds=n)) for n in range(40)]
    later = due + timedelta(minutes=5)
    errors: list[BaseException] = []
    counted: list[int] = []

    def sweep() -> None:
        try:
            while "scheduled" in statuses(db).values():
                counted.append(publish_due(db, now=later))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    published = [post_id for post_id, _, _ in published_events(db)]
    assert sorted(published) == sorted(post.id for post in scheduled)
    assert sum(counted) == len(scheduled)


def test_two_servers_publish_a_post_scheduled_two_seconds_ahead_once(db: Database) -> None:
    url = url_of(db)
    editor = make_account(db)
    admin = make_account(db, Role.admin)
    with served(url) as (_, first), served(url) as (_, second):
        # A fresh server's first requests are its slowest (connections, first statements):
        # made before the clock starts, so the creation is answered within its two seconds.
        for server in (first, second):
            assert httpx.get(f"{server}{API}/posts", headers=editor.headers).status_code == 200
        due = datetime.now(UTC) + timedelta(seconds=2)
        created = httpx.post(
            f"{first}{API}/posts",
            json={"title": "Um zwei", "body": "Text", "status": "published",
                  "published_at": due.isoformat()},
            headers=editor.headers,
        )  # fmt: skip
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "scheduled"
        post_id = created.json()["id"]
        # Invisible to readers of either server until its time: what was answered before it
        # (all of it, unless the machine is so busy that two seconds pass first).
        for server in (first, second):
            read = httpx.get(f"{server}{API}/posts/{post_id}")
            listed = httpx.get(f"{server}{API}/posts").json()["items"]
            if datetime.now(UTC) < due:
                assert read.status_code == 404
                assert post_id not in [item["id"] for item in listed]
        audit = f"{second}{API}/audit"
        query = {"action": "post.published", "object": f"post:{post_id}"}

        def entries() -> list[dict[str, Any]]:
            response = httpx.get(audit, params=query, headers=admin.headers)
            return list(response.json()["items"])

        # Only the audit log is asked (a token holder's read): no anonymous request may
        # make the post public.
        eventually(lambda: bool(entries()), "the post is published")
        time.sleep(1.5)  # more polls of both servers' workers
        published = entries()
        for server in (first, second):
            shown = httpx.get(f"{server}{API}/posts/{post_id}")
            assert shown.status_code == 200
            assert shown.json()["status"] == "published"
            listed = httpx.get(f"{server}{API}/posts").json()["items"]
            assert post_id in [item["id"] for item in listed]
    assert [entry["actor"]["kind"] for entry in published] == ["worker"]
    ((published_id, _, occurred_at),) = published_events(db)
    assert published_id == post_id
    assert due <= occurred_at <= due + PUBLISHED_WITHIN
