"""The audit log: admins read the events, filtered, newest first, a cursor page after page."""

import string
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from app.auth import service as auth
from app.auth.models import Role
from app.core.config import Settings
from app.core.db import Database
from app.core.security import generate_token
from app.events.actor import COMMAND_LINE, acting_as
from app.main import create_app
from app.sources import service as sources
from app.sources.schemas import SourceCreate
from tests.factories import Account, make_account, make_source

AUDIT = "/api/v1/audit"


@pytest.fixture
def admin(db: Database) -> Account:
    return make_account(db, Role.admin, name="Admina")


def audit(client: TestClient, admin: Account, **params: Any) -> dict[str, Any]:
    response = client.get(AUDIT, headers=admin.headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def refusal(client: TestClient, admin: Account, **params: Any) -> str:
    response = client.get(AUDIT, headers=admin.headers, params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail: str = response.json()["detail"]
    return detail


def test_each_entry_says_who_did_what_to_which_object_and_when(
    client: TestClient, db: Database, admin: Account
) -> None:
    me = client.get("/api/v1/me", headers=admin.headers).json()
    started = datetime.now(UTC)
    created = client.post("/api/v1/sources", headers=admin.headers, json={"name": "Global Times"})
    assert created.status_code == 201
    (entry,) = audit(client, admin, action="source.created")["items"]
    assert entry["object"] == {"type": "source", "id": created.json()["id"]}
    assert entry["actor"] == {
        "kind": "token",
        "user_id": admin.viewer.user_id,
        "name": "Admina",
        "token_id": me["token_id"],
    }
    assert entry["request_id"] == created.headers["x-request-id"]
    assert entry["data"] == {"name": "Global Times", "slug": "global-times"}
    assert started - timedelta(seconds=5) <= datetime.fromisoformat(entry["occurred_at"])

    # The name stays as it was when the user acted, after a rename too.
    renamed = client.patch(
        f"/api/v1/users/{admin.viewer.user_id}", headers=admin.headers, json={"name": "Ada"}
    )
    assert renamed.status_code == 200
    (entry,) = audit(client, admin, action="source.created")["items"]
    assert entry["actor"]["name"] == "Admina"


def test_the_filters_narrow_the_log(client: TestClient, db: Database, admin: Account) -> None:
    editor = make_account(db, Role.editor, name="Redakteurin")
    post = client.post(
        "/api/v1/posts", headers=editor.headers, json={"title": "Eins", "status": "published"}
    ).json()
    other = client.post("/api/v1/posts", headers=editor.headers, json={"title": "Zwei"}).json()
    client.patch(f"/api/v1/posts/{post['id']}", headers=editor.headers, json={"title": "Uno"})
    with acting_as(COMMAND_LINE):
        db.call(sources.create_source, data=SourceCreate(name="Per Befehl"))
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {generate_token()}"})

    def seen(**params: Any) -> list[tuple[str, str | None]]:
        items = audit(client, admin, **params)["items"]
        return [
            (
                item["action"],
                f"{item['object']['type']}:{item['object']['id']}" if item["object"] else None,
            )
            for item in items
        ]

    one, two = f"post:{post['id']}", f"post:{other['id']}"
    assert seen(object=one) == [
        ("post.updated", one),
        ("post.published", one),
        ("post.created", one),
    ]
    assert seen(action="post.created") == [("post.created", two), ("post.created", one)]
    assert [action for action, _ in seen(action="post.*")] == [
        "post.updated",
        "post.created",
        "post.published",
        "post.created",
    ]
    assert len(seen(actor="Redakteurin")) == 4
    assert seen(actor=str(editor.viewer.user_id)) == seen(actor="Redakteurin")
    assert seen(actor="cli") == [("source.created", seen(action="source.created")[0][1])]
    # Accounts the factories make are written outside any request or command: anonymous too.
    assert seen(actor="anonymous", action="auth.*") == [("auth.failed", None)]
    assert seen(actor="Redakteurin", action="post.updated", object=one) == [("post.updated", one)]
    assert seen(object=one, action="source.*") == []

    everything = audit(client, admin)["items"]
    middle = datetime.fromisoformat(everything[2]["occurred_at"])
    newer = audit(client, admin, after=middle.isoformat())["items"]
    older = audit(client, admin, before=middle.isoformat())["items"]
    assert all(datetime.fromisoformat(item["occurred_at"]) > middle for item in newer)
    assert all(datetime.fromisoformat(item["occurred_at"]) < middle for item in older)
    assert {item["id"] for item in newer} | {item["id"] for item in older} <= {
        item["id"] for item in everything
    }
    assert audit(client, admin, after="2999-01-01T00:00:00Z")["items"] == []


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"action": "post.liked"}, "action: 'post.liked' is no action"),
        ({"action": "kommentar.*"}, "action: there is no family 'kommentar.*'"),
        ({"object": "post"}, "object: 'post' names no object"),
        ({"object": "post:zwölf"}, "object: 'post:zwölf' names no object"),
        ({"object": "kommentar:3"}, "object: 'kommentar:3' names no object"),
        ({"object": "post:0"}, "object: 'post:0' names no object"),
        ({"actor": "99999999999"}, "actor: '99999999999' is no user id"),
        ({"after": "gestern"}, "after"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"cursor": "abc"}, "cursor: not a cursor this server gave out"),
        ({"actions": "post.*"}, "actions"),
    ],
    ids=str,
)
def test_bad_filters_are_refused_saying_which(
    client: TestClient, admin: Account, params: dict[str, Any], named: str
) -> None:
    assert named in refusal(client, admin, **params)


def test_the_cursor_walks_the_log_newest_first_while_entries_are_added(
    client: TestClient, db: Database, admin: Account
) -> None:
    for _ in range(8):
        make_source(db)
    at_start = [item["id"] for item in audit(client, admin, limit=100)["items"]]
    assert len(at_start) >= 10

    walked: list[int] = []
    params: dict[str, Any] = {"limit": 3}
    pages = 0
    while True:
        response = client.get(AUDIT, headers=admin.headers, params=params)
        assert response.status_code == 200
        page = response.json()
        walked += [item["id"] for item in page["items"]]
        pages += 1
        make_source(db)  # a new entry between every two pages
        if page["next_cursor"] is None:
            assert "link" not in response.headers
            break
        link = response.headers["link"]
        assert link.endswith('>; rel="next"')
        following = parse_qs(urlsplit(link[1 : -len('>; rel="next"')]).query)
        assert following == {"limit": ["3"], "cursor": [page["next_cursor"]]}
        params = {"limit": 3, "cursor": page["next_cursor"]}
    assert walked == at_start, "the walk repeats or skips entries"
    assert pages == -(-len(at_start) // 3)


def test_a_cursor_changed_by_hand_is_refused(
    client: TestClient, db: Database, admin: Account
) -> None:
    for _ in range(3):
        make_source(db)
    cursor = audit(client, admin, limit=1)["next_cursor"]
    assert cursor is not None
    for position in range(len(cursor)):
        changed = (
            cursor[:position] + ("A" if cursor[position] != "A" else "B") + cursor[position + 1 :]
        )
        assert "cursor" in refusal(client, admin, limit=1, cursor=changed)
    assert "cursor" in refusal(client, admin, cursor=cursor + "A")
    # The same bytes spelt another way: the last character's bits that no byte uses, set.
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    respelt = cursor[:-1] + alphabet[alphabet.index(cursor[-1]) ^ 1]
    assert "cursor" in refusal(client, admin, cursor=respelt)
    assert "cursor" in refusal(client, admin, cursor="ÄÖÜ")


def test_failed_authentications_appear_without_the_token(
    client: TestClient, db: Database, admin: Account
) -> None:
    unknown = generate_token()
    revoked = make_account(db, Role.editor)
    with db.session() as session:
        (token,) = auth.list_tokens(session, viewer=revoked.viewer, user_id=None)
        assert token.id is not None
        auth.revoke_token(session, viewer=revoked.viewer, token_id=token.id)
    tried = [
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        for secret in (unknown, revoked.token, "psk_kaputt")
    ]
    assert [response.status_code for response in tried] == [401, 401, 401]

    response = client.get(AUDIT, headers=admin.headers, params={"action": "auth.failed"})
    entries = response.json()["items"][::-1]
    assert [entry["data"]["reason"] for entry in entries] == [
        "The token is not valid.",
        "The token has been revoked.",
        "The token is malformed.",
    ]
    assert [entry["request_id"] for entry in entries] == [
        attempt.headers["x-request-id"] for attempt in tried
    ]
    assert all(entry["actor"]["kind"] == "anonymous" for entry in entries)
    assert all(len(entry["data"]["client"]) == 64 for entry in entries)  # a keyed hash
    for secret in (unknown, revoked.token, "psk_kaputt"):
        assert secret not in response.text
        assert secret[:10] not in response.text  # not even the prefix tokens are told by


def test_failures_beyond_the_limit_add_no_entries(settings: Settings, db: Database) -> None:
    strict = create_app(settings=settings.model_copy(update={"auth_failure_limit": 3}), database=db)
    admin = make_account(db, Role.admin)
    with TestClient(strict, raise_server_exceptions=False) as client:
        statuses = [
            client.get(
                "/api/v1/me", headers={"Authorization": f"Bearer {generate_token()}"}
            ).status_code
            for _ in range(8)
        ]
        assert statuses == [401, 401, 401, *[429] * 5]
        # The admin's valid token still works from the client locked out.
        failed = audit(client, admin, action="auth.failed")["items"]
    assert len(failed) == 3


def test_the_log_cannot_be_changed_through_the_api(client: TestClient, admin: Account) -> None:
    (entry,) = audit(client, admin, action="user.created")["items"]
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert client.request(method, AUDIT, headers=admin.headers).status_code == 405
        at = f"{AUDIT}/{entry['id']}"
        assert client.request(method, at, headers=admin.headers).status_code == 404
    spec = client.get("/openapi.json").json()
    audit_paths = {path: item for path, item in spec["paths"].items() if "audit" in path}
    assert list(audit_paths) == [AUDIT]
    assert set(audit_paths[AUDIT]) == {"get"}


def test_the_spec_describes_the_log(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"][AUDIT]["get"]
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert parameters == {"actor", "action", "object", "after", "before", "cursor", "limit"}
    ok = operation["responses"]["200"]
    assert "Link" in ok["headers"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/AuditPage"}
    assert {"401", "403", "422"} <= set(operation["responses"])
    assert "cannot" in operation["description"] or "read-only" in operation["description"]
