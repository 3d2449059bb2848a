"""Deliveries survive `kill -9`: the real `presseschau worker` process is killed while its
requests are held by a real receiver on 127.0.0.1, and a new worker delivers every event once
the dead one's claims run out (at least once: only what was in flight at the kill arrives
twice). The claims are made short by the site's settings (a 3 s timeout, no margin), as an
operator could set them; no clock is faked."""

import os
import signal
from collections import Counter

from fastapi.testclient import TestClient

from app.core.db import Database
from tests.factories import Account, make_post
from tests.jobs import PATIENCE_SECONDS, eventually
from tests.live_server import url_of, working
from tests.webhooks.receiver import Receiver, deliveries, subscribe, verified

# A send times out after 3 s, so a claim lasts 9 s: the test waits that long after the kill,
# not the default's minute. Shorter, a busy machine's slow answer could count as a timeout,
# and the delivery be sent twice for another reason than the kill.
TIMEOUT_SECONDS = 3


# The worker's settings: short claims (a 3 s timeout, no margin) and a receiver on 127.0.0.1.
SETTINGS = {
    "PRESSESCHAU_WEBHOOKS_ALLOW_PRIVATE": "true",
    "PRESSESCHAU_WEBHOOKS_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
    "PRESSESCHAU_WEBHOOKS_CLAIM_MARGIN_SECONDS": "0",
}


def _statuses(hooks: TestClient, admin: Account, endpoint_id: int) -> dict[int, str]:
    """Each delivery's status by the id of the event it tells of."""
    listed = deliveries(hooks, admin, endpoint_id, per_page="100")
    return {item["event_id"]: item["status"] for item in listed}


def test_deliveries_in_flight_when_the_worker_is_killed_are_sent_by_the_next_one(
    hooks: TestClient, db: Database, receiver: Receiver, admin: Account, editor: Account
) -> None:
    endpoint = subscribe(hooks, admin, receiver.url, ["post.published"])
    before = [make_post(db, editor) for _ in range(3)]

    with working(url_of(db), environment=SETTINGS) as first:
        # Delivered before the kill: never sent again.
        eventually(
            lambda: (
                set(_statuses(hooks, admin, endpoint["id"]).values()) == {"delivered"}
                and len(receiver.received) == len(before)
            ),
            "the first worker delivers the first posts' events",
        )
        answered = {item.headers["webhook-id"] for item in receiver.received}

        receiver.hold()
        during = [make_post(db, editor) for _ in range(12)]
        eventually(
            lambda: len(receiver.received) > len(before), "the first worker sends the next ones"
        )
        os.kill(first.pid, signal.SIGKILL)  # mid-send: nothing of it runs after this
        first.wait(timeout=PATIENCE_SECONDS)
        in_flight = {item.headers["webhook-id"] for item in receiver.received} - answered
    receiver.release()

    assert in_flight
    statuses = _statuses(hooks, admin, endpoint["id"])
    assert len(statuses) == len(before) + len(during)
    # What the killed worker was sending has no answer recorded: still pending.
    assert {statuses[int(message.removeprefix("evt_"))] for message in in_flight} == {"pending"}

    with working(url_of(db), environment=SETTINGS):
        eventually(
            lambda: set(_statuses(hooks, admin, endpoint["id"]).values()) == {"delivered"},
            "the next worker delivers the rest once the dead one's claims run out",
        )

    listed = deliveries(hooks, admin, endpoint["id"], per_page="100")
    assert all(item["last_status"] == 200 for item in listed)
    # Every event arrived, each with a signature the standardwebhooks library verifies.
    payloads = [verified(endpoint["secret"], item) for item in receiver.received]
    assert {payload["data"]["id"] for payload in payloads} == {post.id for post in before + during}
    arrivals = Counter(item.headers["webhook-id"] for item in receiver.received)
    assert set(arrivals) == {f"evt_{item['event_id']}" for item in listed}
    # At least once: twice only what the killed worker had in flight, once everything else.
    twice = {message for message, count in arrivals.items() if count > 1}
    assert twice == in_flight, (arrivals, listed)
    assert max(arrivals.values()) == 2, (arrivals, listed)
