"""Every way content changes queues its deliveries, not only the API: an import run from the
command line, the worker's own sweep sending them as a running site would, and tags' renames
and merges, to a real receiver on 127.0.0.1."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jsonschema
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from app.auth.models import Role
from app.core.config import Settings
from app.core.db import Database
from app.core.links import PostLinks
from app.webhooks.delivery import DeliveryOptions, Sender
from app.webhooks.types import EVENT_TYPES
from app.worker.process import worker_for
from tests.factories import Account, make_account, make_post, make_source
from tests.webhooks.receiver import Receiver, subscribe, verified

BLOG = Path(__file__).resolve().parents[1] / "data" / "blog.wxr"


def told(secret: str, receiver: Receiver) -> list[dict[str, Any]]:
    """Every payload received, each after its signature was verified."""
    return [Webhook(secret).verify(item.body, item.headers) for item in receiver.received]


def test_an_import_from_the_command_line_is_delivered(
    hooks: TestClient,
    db: Database,
    database_url: str,
    receiver: Receiver,
    admin: Account,
    command_line: Callable[..., Any],
) -> None:
    endpoint = subscribe(hooks, admin, receiver.url, ["post.published", "source.*"])
    imported = command_line(database_url, "import", "wxr", str(BLOG))
    assert imported.exit_code == 2, imported.output  # one bad item; the others are in
    sender = Sender(DeliveryOptions(allow_private=True, timeout_seconds=5))
    try:
        while sender.deliver_due(db):
            pass
    finally:
        sender.close()
    payloads = told(endpoint["secret"], receiver)
    published = sorted(
        item["data"]["slug"] for item in payloads if item["type"] == "post.published"
    )
    listed = hooks.get("/api/v1/posts", params={"per_page": 100}).json()["items"]
    # The import's published posts, each told of once; its sources too.
    assert published == sorted(post["slug"] for post in listed)
    assert len(published) == 2
    assert any(item["type"] == "source.created" for item in payloads)


def test_the_worker_sends_them_with_the_posts_public_url(
    hooks: TestClient, db: Database, allowed: Settings, receiver: Receiver, admin: Account
) -> None:
    endpoint = subscribe(hooks, admin, receiver.url, ["post.published"])
    morning = datetime(2022, 1, 10, 9, 0, tzinfo=UTC)
    post = make_post(db, make_account(db, Role.editor), published_at=morning)
    worker = worker_for(db, allowed)
    assert worker.sweep().handled >= 1
    (payload,) = told(endpoint["secret"], receiver)
    assert payload["type"] == "post.published"
    assert payload["data"]["id"] == post.id
    # Its day where the site is, by the template.
    expected = PostLinks(allowed.post_link_template, "https://blog.example")
    assert payload["data"]["url"] == expected.link(post.id, post.slug, date(2022, 1, 10))
    assert payload["data"]["url"].startswith("https://blog.example/2022/01/10/")


def test_what_is_sent_is_what_the_openapi_document_describes(
    hooks: TestClient, db: Database, allowed: Settings, receiver: Receiver, admin: Account
) -> None:
    spec = hooks.get("/openapi.json").json()
    assert set(spec["webhooks"]) == set(EVENT_TYPES)
    endpoint = subscribe(hooks, admin, receiver.url, ["post.published", "source.*"])
    make_source(db)
    make_post(db, make_account(db, Role.editor))
    worker_for(db, allowed).sweep()
    payloads = told(endpoint["secret"], receiver)
    assert sorted(item["type"] for item in payloads) == ["post.published", "source.created"]
    for payload in payloads:
        documented = spec["webhooks"][
            "source.*" if payload["type"].startswith("source.") else payload["type"]
        ]
        body = documented["post"]["requestBody"]["content"]["application/json"]["schema"]
        # The document's own components resolve the schema's references; nothing is sent
        # that it does not name.
        schemas = spec["components"]["schemas"]
        jsonschema.validate(payload, {**body, "components": spec["components"]})
        assert set(payload) == set(schemas["WebhookPayload"]["properties"])
        assert set(payload["data"]) <= set(schemas["WebhookData"]["properties"])


def test_tag_renames_and_merges_reach_a_tag_webhook(
    hooks: TestClient,
    db: Database,
    receiver: Receiver,
    sender: Sender,
    admin: Account,
    editor: Account,
) -> None:
    endpoint = subscribe(hooks, admin, receiver.url, ["tag.*"])
    make_post(db, editor, tags=["Handel", "Wirtschaft"])
    renamed = hooks.patch("/api/v1/tags/handel", json={"name": "Kommerz"}, headers=editor.headers)
    assert renamed.status_code == 200
    merged = hooks.post(
        "/api/v1/tags/kommerz/merge", json={"into": "wirtschaft"}, headers=editor.headers
    )
    assert merged.status_code == 200
    # One delivery a round for one tag: its events reach the endpoint in order.
    assert sender.deliver_due(db) == 1
    assert sender.deliver_due(db) == 1
    told = [verified(endpoint["secret"], item) for item in receiver.received]
    assert [payload["type"] for payload in told] == ["tag.renamed", "tag.merged"]
    assert [payload["data"]["slug"] for payload in told] == ["kommerz", "kommerz"]
