"""Managing webhook endpoints: the secret shown once, validation as problem responses that
change nothing, subscriptions followed by the triggers, deletion; and the address rules and
signatures every delivery relies on."""

import ipaddress
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session
from standardwebhooks import Webhook

from app.auth.models import Role
from app.core.db import Database
from app.events.record import Action
from app.webhooks import addresses, signing
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import Account, make_account, make_post, make_source

HOOK = "https://hooks.example/in"


def _create(client: TestClient, admin: Account, **body: Any) -> dict[str, Any]:
    response = client.post(
        "/api/v1/webhooks",
        json={"url": HOOK, "events": ["post.published"], **body},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def _count(session: Session, model: type[WebhookEndpoint] | type[WebhookDelivery]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_secret_is_shown_once(client: TestClient, admin: Account) -> None:
    made = _create(client, admin, events=["post.published", "source.*", "post.published"])
    assert made["secret"].startswith("whsec_")
    assert made["events"] == ["post.published", "source.*"]
    assert made["enabled"] is True
    shown = client.get(f"/api/v1/webhooks/{made['id']}", headers=admin.headers).json()
    listed = client.get("/api/v1/webhooks", headers=admin.headers).json()["items"]
    assert "secret" not in shown
    assert [item["id"] for item in listed] == [made["id"]]
    assert "secret" not in listed[0]
    audit = client.get(
        "/api/v1/audit", params={"action": Action.webhook_created}, headers=admin.headers
    ).json()["items"]
    assert audit[0]["data"] == {"url": HOOK}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"url": "http://hooks.example/in"}, "https"),
        ({"url": "https://10.1.2.3/in"}, "private"),
        ({"url": "https://[::1]:8443/in"}, "private"),
        ({"url": "https://169.254.169.254/latest"}, "private"),
        ({"url": "ftp://hooks.example/in"}, "https"),
        ({"url": "https://user:pw@hooks.example/in"}, "password"),
        ({"events": ["post.created"]}, "events"),
        ({"events": []}, "events"),
        ({"url": "https://hooks.example/" + "a" * 2000}, "url"),
    ],
    ids=["http", "private", "loopback6", "metadata", "ftp", "credentials", "type", "none", "long"],
)
def test_bad_endpoints_are_refused_and_change_nothing(
    client: TestClient, db: Database, admin: Account, body: dict[str, Any], detail: str
) -> None:
    response = client.post(
        "/api/v1/webhooks",
        json={"url": HOOK, "events": ["post.published"], **body},
        headers=admin.headers,
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.text
    assert db.call(_count, model=WebhookEndpoint) == 0


def test_a_change_of_url_is_checked_too(client: TestClient, db: Database, admin: Account) -> None:
    made = _create(client, admin)
    response = client.patch(
        f"/api/v1/webhooks/{made['id']}",
        json={"url": "https://127.0.0.1/in"},
        headers=admin.headers,
    )
    assert response.status_code == 422
    shown = client.get(f"/api/v1/webhooks/{made['id']}", headers=admin.headers).json()
    assert shown["url"] == HOOK


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"events": ["post.created"]}, "events"),
        ({"events": []}, "events"),
        ({"url": "ftp://hooks.example/in"}, "https"),
        ({"enabled": "sometimes"}, "enabled"),
        ({"secret": "whsec_mine"}, "secret"),
    ],
    ids=["type", "none", "scheme", "enabled", "own-secret"],
)
def test_a_bad_change_is_refused_and_changes_nothing(
    client: TestClient, admin: Account, body: dict[str, Any], detail: str
) -> None:
    made = _create(client, admin)
    before = client.get(f"/api/v1/webhooks/{made['id']}", headers=admin.headers).json()
    response = client.patch(f"/api/v1/webhooks/{made['id']}", json=body, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.text
    after = client.get(f"/api/v1/webhooks/{made['id']}", headers=admin.headers).json()
    assert after == before


def test_subscriptions_follow_the_events_given(
    client: TestClient, db: Database, admin: Account
) -> None:
    editor = make_account(db, Role.editor)
    made = _create(client, admin, events=["post.published"])
    make_source(db)
    make_post(db, editor)
    response = client.patch(
        f"/api/v1/webhooks/{made['id']}", json={"events": ["source.*"]}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert "secret" not in response.json()
    make_source(db)
    make_post(db, editor)
    listed = client.get(f"/api/v1/webhooks/{made['id']}/deliveries", headers=admin.headers).json()[
        "items"
    ]
    # Newest first: the second source's creation, then the first post's publication.
    assert [(item["type"], item["status"]) for item in listed] == [
        ("source.created", "pending"),
        ("post.published", "pending"),
    ]


def test_deleting_an_endpoint_takes_its_deliveries(
    client: TestClient, db: Database, admin: Account
) -> None:
    made = _create(client, admin, events=["source.*"])
    make_source(db)
    assert db.call(_count, model=WebhookDelivery) == 1
    response = client.delete(f"/api/v1/webhooks/{made['id']}", headers=admin.headers)
    assert response.status_code == 204
    assert client.get(f"/api/v1/webhooks/{made['id']}", headers=admin.headers).status_code == 404
    assert db.call(_count, model=WebhookDelivery) == 0
    make_source(db)
    assert db.call(_count, model=WebhookDelivery) == 0


def test_unknown_endpoints_and_deliveries_are_404(
    client: TestClient, db: Database, admin: Account
) -> None:
    first = _create(client, admin, events=["source.*"])
    second = _create(client, admin, events=["source.*"])
    make_source(db)
    delivery = client.get(
        f"/api/v1/webhooks/{first['id']}/deliveries", headers=admin.headers
    ).json()["items"][0]
    for method, path in [
        ("GET", "/api/v1/webhooks/999"),
        ("GET", "/api/v1/webhooks/999/deliveries"),
        ("DELETE", "/api/v1/webhooks/999"),
        # Another endpoint's delivery is not found through this one.
        ("POST", f"/api/v1/webhooks/{second['id']}/deliveries/{delivery['id']}/redeliver"),
    ]:
        response = client.request(method, path, headers=admin.headers)
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"


def test_redelivery_since_needs_a_time_zone(client: TestClient, admin: Account) -> None:
    made = _create(client, admin)
    response = client.post(
        f"/api/v1/webhooks/{made['id']}/redeliver",
        json={"since": "2026-12-01T00:00:00"},
        headers=admin.headers,
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 (an address refused, not one bound)
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_inside_addresses_are_not_allowed(address: str) -> None:
    assert not addresses.allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert addresses.allowed(ipaddress.ip_address(address))


def test_a_name_resolving_inside_is_refused_unless_allowed() -> None:
    with pytest.raises(addresses.Refused, match=r"127\.0\.0\.1"):
        addresses.resolve("https://localhost/in", allow_private=False)
    assert str(addresses.resolve("https://localhost/in", allow_private=True).address) in (
        "127.0.0.1",
        "::1",
    )
    with pytest.raises(addresses.Refused, match="http"):
        addresses.resolve("http://hooks.example/in", allow_private=False)


def test_signatures_are_the_standard_ones() -> None:
    secret = signing.new_secret()
    old = signing.new_secret()
    body = b'{"type":"post.published"}'
    stamp = int(datetime.now(UTC).timestamp())
    header = signing.signature_header([secret, old], "evt_1", stamp, body)
    headers = {"webhook-id": "evt_1", "webhook-timestamp": str(stamp), "webhook-signature": header}
    for key in (secret, old):
        assert Webhook(key).verify(body, headers) == {"type": "post.published"}
    other = {**headers, "webhook-signature": signing.sign(secret, "evt_2", stamp, body)}
    with pytest.raises(Exception, match="signature"):
        Webhook(secret).verify(body, other)
