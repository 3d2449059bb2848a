"""Deliveries sent many at a time: each claimed batch is sent side by side, and every answer
lands on its own delivery; a failing endpoint leaves the others' records alone; order per post
holds from one batch to the next; senders side by side never send one delivery at once; and a
batch's writes take the same statements however many deliveries it holds."""

import json
import threading
import time
from collections import defaultdict

from fastapi.testclient import TestClient

from app.core.db import Database
from app.core.types import utcnow
from app.posts import service as posts
from app.posts import trash
from app.posts.schemas import PostUpdate
from app.webhooks.delivery import Sender
from tests.counting import count_queries
from tests.factories import BERLIN, Account, make_post, make_source
from tests.webhooks.receiver import (
    Answer,
    deliveries,
    running_receiver,
    senders_side_by_side,
    subscribe,
)
from tests.webhooks.test_webhook_delivery import LATER

# How long the receiver takes over some answers: their recorded latency is at least this.
SLOW_SECONDS = 0.25


def _post_id(body: bytes) -> int:
    return int(json.loads(body)["data"]["id"])


def _by_post(_headers: dict[str, str], body: bytes) -> Answer:
    """Each post's delivery answered in its own way: odd ids busy, every third one slow."""
    post_id = _post_id(body)
    if post_id % 3 == 0:
        time.sleep(SLOW_SECONDS)
    if post_id % 2:
        return Answer(503, body=f"busy with {post_id}".encode())
    return Answer(200, body=f"took {post_id}".encode())


def test_each_delivery_of_a_batch_gets_its_own_answer(
    hooks: TestClient, db: Database, sender: Sender, admin: Account, editor: Account
) -> None:
    with running_receiver() as answering, running_receiver() as gone:
        answering.answering = _by_post
        gone.answer(*[Answer(410, body=b"gone for good")] * 8)
        kept = subscribe(hooks, admin, answering.url, ["post.published"])
        dropped = subscribe(hooks, admin, gone.url, ["post.published"])
        made = [make_post(db, editor) for _ in range(8)]

        # One batch: all sixteen at once.
        assert sender.deliver_due(db, batch=32) == 16

    listed = deliveries(hooks, admin, kept["id"])
    assert sorted(item["subject_id"] for item in listed) == sorted(post.id for post in made)
    for item in listed:
        post_id = item["subject_id"]
        assert item["attempts"] == 1
        if post_id % 2:
            assert (item["status"], item["last_status"]) == ("pending", 503)
            assert item["response_excerpt"] == f"busy with {post_id}"
            assert item["last_error"] == "answered 503"
            assert item["next_attempt_at"] is not None
        else:
            assert (item["status"], item["last_status"]) == ("delivered", 200)
            assert item["response_excerpt"] == f"took {post_id}"
            assert item["last_error"] is None
        assert item["last_latency_ms"] is not None
        if post_id % 3 == 0:
            assert item["last_latency_ms"] >= SLOW_SECONDS * 1000
    # The endpoint that answered 410 is disabled, its deliveries failed; the other goes on.
    refused = deliveries(hooks, admin, dropped["id"])
    assert [(item["status"], item["last_status"]) for item in refused] == [("failed", 410)] * 8
    assert {item["response_excerpt"] for item in refused} == {"gone for good"}
    endpoints = {
        item["id"]: item
        for item in hooks.get("/api/v1/webhooks", headers=admin.headers).json()["items"]
    }
    assert endpoints[dropped["id"]]["enabled"] is False
    assert endpoints[dropped["id"]]["disabled_reason"] == "answered 410 Gone"
    assert endpoints[kept["id"]]["enabled"] is True


def test_order_per_post_holds_across_batches(
    hooks: TestClient, db: Database, sender: Sender, admin: Account, editor: Account
) -> None:
    refused_once: set[int] = set()
    lock = threading.Lock()

    def first_update_fails(_headers: dict[str, str], body: bytes) -> Answer:
        told = json.loads(body)
        with lock:
            if told["type"] == "post.updated" and told["data"]["id"] not in refused_once:
                refused_once.add(told["data"]["id"])
                return Answer(503)
        return Answer(200)

    with running_receiver() as receiver:
        receiver.answering = first_update_fails
        subscribe(hooks, admin, receiver.url, ["post.published", "post.updated", "post.trashed"])
        made = [make_post(db, editor) for _ in range(3)]
        for post in made:
            db.call(
                posts.update_post,
                viewer=editor.viewer,
                id_or_slug=str(post.id),
                data=PostUpdate(title=f"Neuer Titel {post.id}"),
                zone=BERLIN,
            )
            db.call(trash.trash_post, viewer=editor.viewer, id_or_slug=str(post.id), zone=BERLIN)
        moment = utcnow()
        for _ in range(3):
            # Batches of two: each post's deliveries are spread over several of them.
            while sender.deliver_due(db, now=moment, batch=2):
                pass
            moment += LATER

    told: dict[int, list[str]] = defaultdict(list)
    for item in receiver.received:
        payload = json.loads(item.body)
        told[payload["data"]["id"]].append(payload["type"])
    assert told == {
        post.id: ["post.published", "post.updated", "post.updated", "post.trashed"] for post in made
    }


def test_senders_side_by_side_never_send_one_delivery_at_once(
    hooks: TestClient, db: Database, admin: Account
) -> None:
    in_flight: set[str] = set()
    overlapping: list[str] = []
    lock = threading.Lock()

    def slowly(headers: dict[str, str], _body: bytes) -> Answer:
        message = headers["webhook-id"]
        with lock:
            if message in in_flight:
                overlapping.append(message)
            in_flight.add(message)
        time.sleep(0.05)
        with lock:
            in_flight.discard(message)
        return Answer(200)

    with running_receiver() as receiver:
        receiver.answering = slowly
        endpoint = subscribe(hooks, admin, receiver.url, ["source.*"])
        made = [make_source(db) for _ in range(15)]
        senders_side_by_side(db, 2, batch=3)

    assert overlapping == []
    ids = [item.headers["webhook-id"] for item in receiver.received]
    assert sorted(ids) == sorted(set(ids))
    assert len(ids) == len(made)
    listed = deliveries(hooks, admin, endpoint["id"], per_page="100")
    assert [item["status"] for item in listed] == ["delivered"] * len(made)


def test_a_batch_takes_the_same_statements_however_large(
    hooks: TestClient, db: Database, sender: Sender, admin: Account, editor: Account
) -> None:
    with running_receiver() as receiver:
        subscribe(hooks, admin, receiver.url, ["post.published"])
        counted: list[int] = []
        for size in (2, 12):
            for _ in range(size):
                make_post(db, editor)
            with count_queries(db) as statements:
                assert sender.deliver_due(db, batch=32) == size
            counted.append(len(statements))
        assert len(receiver.received) == 14
    assert counted[0] == counted[1]
