"""The README's webhook receiver (docs/examples/webhook_receiver.py) works against real
deliveries: it acts on a signed message once, and refuses one whose signature is wrong."""

import importlib.util
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.db import Database
from app.webhooks.delivery import Sender
from tests.factories import Account, make_post
from tests.webhooks.receiver import deliveries, subscribe

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "webhook_receiver.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("webhook_receiver_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Example:
    """The example listening on 127.0.0.1; it answers once given the endpoint's secret."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.server = HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.serving = False

    def start(self, secret: str) -> None:
        self.server.RequestHandlerClass = _example().make_handler(
            secret, on_event=self.events.append
        )
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.serving = True


@pytest.fixture
def example() -> Iterator[Example]:
    running = Example()
    yield running
    if running.serving:  # shutdown() waits for a serve_forever that was started
        running.server.shutdown()
    running.server.server_close()


def test_the_example_receiver_acts_on_signed_messages_once(
    hooks: TestClient,
    db: Database,
    sender: Sender,
    admin: Account,
    editor: Account,
    example: Example,
) -> None:
    endpoint = subscribe(hooks, admin, example.url, ["post.published"])
    example.start(endpoint["secret"])
    post = make_post(db, editor)
    assert sender.deliver_due(db) == 1
    assert [(event["type"], event["data"]["id"]) for event in example.events] == [
        ("post.published", post.id)
    ]
    (delivered,) = deliveries(hooks, admin, endpoint["id"])
    assert (delivered["status"], delivered["last_status"]) == ("delivered", 204)
    # Sent again (by hand, as after a lost answer): the same webhook-id, acted on once.
    again = hooks.post(
        f"/api/v1/webhooks/{endpoint['id']}/deliveries/{delivered['id']}/redeliver",
        headers=admin.headers,
    )
    assert again.status_code == 202
    assert sender.deliver_due(db) == 1
    assert len(example.events) == 1


def test_the_example_receiver_refuses_a_forged_message(
    hooks: TestClient, admin: Account, example: Example
) -> None:
    endpoint = subscribe(hooks, admin, example.url, ["post.published"])
    example.start(endpoint["secret"])
    forged = httpx.post(
        example.url,
        content=b'{"type": "post.published", "data": {"id": 1}}',
        headers={
            "webhook-id": "evt_1",
            "webhook-timestamp": "1700000000",
            "webhook-signature": "v1,AAAA",
        },
    )
    assert forged.status_code == 400
    assert example.events == []
