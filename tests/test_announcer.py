"""A scheduled post going public is announced once, as ``post.published`` by the worker, at its
time: with several workers, several processes, and when a write has made it public already."""

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import col

from app.auth.models import Role
from app.core.db import Database
from app.events.actor import ActorKind
from app.events.models import Event
from app.posts.announcer import announce_due
from app.posts.models import PublicationSchedule
from tests.factories import make_account, make_post
from tests.jobs import eventually
from tests.live_server import served, url_of

API = "/api/v1"
# How late the announcement may come after the post's time: a poll of the in-process worker
# (1 s by default), with room for a busy machine.
ANNOUNCED_WITHIN = timedelta(seconds=2)


def published_events(db: Database) -> list[tuple[int, str, datetime]]:
    with db.session(write=False) as session:
        rows = session.execute(
            select(col(Event.object_id), col(Event.actor_kind), col(Event.occurred_at))
            .where(col(Event.action) == "post.published")
            .order_by(col(Event.id))
        )
        return [(row.object_id, row.actor_kind, row.occurred_at) for row in rows]


def scheduled_ids(db: Database) -> set[int]:
    with db.session(write=False) as session:
        return set(session.scalars(select(col(PublicationSchedule.post_id))))


def test_a_due_post_is_announced_once_by_the_worker(db: Database) -> None:
    editor = make_account(db)
    due = datetime.now(UTC) + timedelta(days=1)
    post = make_post(db, editor, published_at=due)
    make_post(db, editor, published_at=due + timedelta(days=1))  # not due yet
    assert published_events(db) == []

    assert announce_due(db, now=due - timedelta(seconds=1)) == 0
    assert announce_due(db, now=due + timedelta(seconds=1)) == 1
    assert [(post_id, kind) for post_id, kind, _ in published_events(db)] == [
        (post.id, ActorKind.worker.value)
    ]
    assert announce_due(db, now=due + timedelta(seconds=2)) == 0
    assert len(published_events(db)) == 1


def test_a_post_a_write_made_public_is_not_announced_again(
    client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    post = make_post(db, editor, published_at=datetime.now(UTC) + timedelta(days=1))
    now = datetime.now(UTC) - timedelta(minutes=1)
    published = client.patch(
        f"{API}/posts/{post.id}", json={"published_at": now.isoformat()}, headers=editor.headers
    )
    assert published.status_code == 200, published.text
    assert [kind for _, kind, _ in published_events(db)] == [ActorKind.token.value]
    announce_due(db)
    assert scheduled_ids(db) == set()
    assert len(published_events(db)) == 1


def test_workers_announcing_at_once_announce_each_post_once(db: Database) -> None:
    editor = make_account(db)
    due = datetime.now(UTC) + timedelta(days=1)
    scheduled = [make_post(db, editor, published_at=due + timedelta(seconds=n)) for n in range(40)]
    later = due + timedelta(minutes=5)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            while scheduled_ids(db):
                announce_due(db, now=later)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    announced = [post_id for post_id, _, _ in published_events(db)]
    assert sorted(announced) == sorted(post.id for post in scheduled)


def test_two_servers_announce_a_post_scheduled_two_seconds_ahead_once(db: Database) -> None:
    url = url_of(db)
    editor = make_account(db)
    admin = make_account(db, Role.admin)
    with served(url) as (_, first), served(url) as (_, second):
        due = datetime.now(UTC) + timedelta(seconds=2)
        created = httpx.post(
            f"{first}{API}/posts",
            json={"title": "Um zwei", "body": "Text", "status": "published",
                  "published_at": due.isoformat()},
            headers=editor.headers,
        )  # fmt: skip
        assert created.status_code == 201, created.text
        post_id = created.json()["id"]
        audit = f"{second}{API}/audit"
        query = {"action": "post.published", "object": f"post:{post_id}"}

        def entries() -> list[dict[str, Any]]:
            response = httpx.get(audit, params=query, headers=admin.headers)
            return list(response.json()["items"])

        eventually(lambda: bool(entries()), "the post is announced")
        time.sleep(1.5)  # more polls of both servers' workers
        announced = entries()
    assert [entry["actor"]["kind"] for entry in announced] == ["worker"]
    ((announced_id, _, occurred_at),) = published_events(db)
    assert announced_id == post_id
    assert due <= occurred_at <= due + ANNOUNCED_WITHIN
