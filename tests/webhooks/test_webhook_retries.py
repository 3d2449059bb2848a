"""What a receiver that is down, slow to recover or switching secrets sees: the whole retry
schedule then a failure for good, Retry-After in its forms, the old secret's signature
ending with its overlap, and several senders never sending one delivery twice. The sender is
run with the time it is given: no test sleeps for a backoff."""

import email.utils
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from app.core.db import Database
from app.core.types import utcnow
from app.webhooks.answers import RETRY_AFTER_MAX, SCHEDULE
from app.webhooks.delivery import Sender
from tests.factories import Account, make_post, make_source
from tests.webhooks.receiver import Answer, Receiver, deliveries, senders_side_by_side, subscribe


def test_a_delivery_that_never_succeeds_is_tried_on_the_whole_schedule(
    hooks: TestClient,
    db: Database,
    receiver: Receiver,
    sender: Sender,
    admin: Account,
    editor: Account,
) -> None:
    endpoint = subscribe(hooks, admin, receiver.url, ["post.published"])
    receiver.answer(*[Answer(500, body=b"still down")] * (len(SCHEDULE) + 1))
    make_post(db, editor)
    moment = utcnow()
    assert sender.deliver_due(db, now=moment) == 1
    for step, wait in enumerate(SCHEDULE, start=1):
        (waiting,) = deliveries(hooks, admin, endpoint["id"])
        assert waiting["status"] == "pending"
        assert waiting["attempts"] == step
        assert datetime.fromisoformat(waiting["next_attempt_at"]) == moment + wait
        # Not a moment before it is due.
        assert sender.deliver_due(db, now=moment + wait - timedelta(seconds=1)) == 0
        moment += wait
        assert sender.deliver_due(db, now=moment) == 1
    (failed,) = deliveries(hooks, admin, endpoint["id"], status="failed")
    assert failed["attempts"] == len(SCHEDULE) + 1
    assert failed["next_attempt_at"] is None
    assert failed["last_status"] == 500
    assert failed["last_error"] == "answered 500"
    assert failed["response_excerpt"] == "still down"
    assert isinstance(failed["last_latency_ms"], int)
    assert deliveries(hooks, admin, endpoint["id"], status="pending") == []
    assert sender.deliver_due(db, now=moment + timedelta(days=1)) == 0
    assert len(receiver.received) == len(SCHEDULE) + 1
    # About 28 hours of failing: short of the 3 days that disable an endpoint.
    shown = hooks.get(f"/api/v1/webhooks/{endpoint['id']}", headers=admin.headers).json()
    assert shown["enabled"] is True
    assert shown["failing_since"] is not None


def _http_date(moment: datetime) -> str:
    return email.utils.format_datetime(moment, usegmt=True)


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [
        (lambda: "600", timedelta(seconds=600)),
        (lambda: _http_date(utcnow() + timedelta(minutes=10)), timedelta(seconds=600)),
        # Sooner than the schedule: the schedule's wait.
        (lambda: "1", SCHEDULE[0]),
        # A receiver cannot park a delivery for ever.
        (lambda: "99999999", RETRY_AFTER_MAX),
        (lambda: "whenever", SCHEDULE[0]),
    ],
    ids=["seconds", "date", "sooner", "capped", "unreadable"],
)
def test_retry_after_in_its_forms(
    hooks: TestClient,
    db: Database,
    receiver: Receiver,
    sender: Sender,
    admin: Account,
    editor: Account,
    retry_after: Any,
    wait: timedelta,
) -> None:
    endpoint = subscribe(hooks, admin, receiver.url, ["post.published"])
    receiver.answer(Answer(429, {"Retry-After": retry_after()}))
    make_post(db, editor)
    moment = utcnow()
    sender.deliver_due(db, now=moment)
    (waiting,) = deliveries(hooks, admin, endpoint["id"])
    assert waiting["last_status"] == 429
    due = datetime.fromisoformat(waiting["next_attempt_at"])
    # An HTTP date has whole seconds, and is read against the clock when it arrives.
    assert abs(due - (moment + wait)) <= timedelta(seconds=2)


def test_the_old_secret_stops_signing_when_its_overlap_ends(
    hooks: TestClient,
    db: Database,
    receiver: Receiver,
    sender: Sender,
    admin: Account,
    editor: Account,
) -> None:
    endpoint = subscribe(hooks, admin, receiver.url, ["post.published"])
    response = hooks.patch(
        f"/api/v1/webhooks/{endpoint['id']}", json={"rotate_secret": True}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    rotated = response.json()
    overlap_ends = datetime.fromisoformat(rotated["previous_secret_expires_at"])
    assert timedelta(hours=23) < overlap_ends - utcnow() <= timedelta(hours=24)
    make_post(db, editor)
    sender.deliver_due(db, now=overlap_ends + timedelta(seconds=1))
    (told,) = receiver.received
    assert len(told.headers["webhook-signature"].split(" ")) == 1
    assert Webhook(rotated["secret"]).verify(told.body, told.headers)["type"] == "post.published"
    with pytest.raises(Exception, match="signature"):
        Webhook(endpoint["secret"]).verify(told.body, told.headers)


def test_several_senders_send_each_delivery_once(
    hooks: TestClient,
    db: Database,
    receiver: Receiver,
    admin: Account,
) -> None:
    endpoint = subscribe(hooks, admin, receiver.url, ["source.*"])
    made = [make_source(db) for _ in range(12)]
    senders_side_by_side(db, 3, batch=2)
    ids = [item.headers["webhook-id"] for item in receiver.received]
    assert len(ids) == len(made)
    assert len(set(ids)) == len(made)
    listed = deliveries(hooks, admin, endpoint["id"], per_page="100")
    assert [item["status"] for item in listed] == ["delivered"] * len(made)
