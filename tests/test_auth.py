import threading
import time
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import col, select

from app.auth import service as auth
from app.auth import throttle
from app.auth.models import ApiToken, AuthFailure, Role
from app.auth.schemas import UserUpdate
from app.core.config import Settings
from app.core.db import Database
from app.core.errors import Conflict
from app.core.security import generate_token, hash_token
from app.core.types import utcnow
from app.main import create_app
from tests.factories import make_account


def test_me_names_the_tokens_user(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db, Role.editor, name="Anna")
    response = client.get(app.url_path_for("me"), headers=editor.headers)
    assert response.status_code == 200
    assert response.json()["name"] == "Anna"
    assert response.json()["role"] == "editor"


def test_bad_tokens_get_401_with_www_authenticate(app: FastAPI, client: TestClient) -> None:
    url = app.url_path_for("me")
    for header in ("Bearer psk_wrong", f"Bearer {generate_token()}", "Basic dXNlcjpwYXNz"):
        response = client.get(url, headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"


def test_tokens_are_stored_hashed_and_shown_once(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    created = client.post(
        app.url_path_for("create_token"), headers=editor.headers, json={"name": "Laptop"}
    )
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("psk_")
    assert created.json()["prefix"] == secret[:10]
    listed = client.get(app.url_path_for("list_tokens"), headers=editor.headers).json()
    assert [token["name"] for token in listed] == ["first token", "Laptop"]
    assert all("token" not in token for token in listed)
    with db.session() as session:
        hashes = set(session.exec(select(ApiToken.token_hash)))
    assert hash_token(secret) in hashes
    assert secret not in hashes
    response = client.get(app.url_path_for("me"), headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200


def test_revoked_and_expired_tokens_stop_working(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    spare = client.post(app.url_path_for("create_token"), headers=editor.headers, json={}).json()
    spare_headers = {"Authorization": f"Bearer {spare['token']}"}
    revoke = app.url_path_for("revoke_token", token_id=str(spare["id"]))
    assert client.delete(revoke, headers=editor.headers).status_code == 204
    response = client.get(app.url_path_for("me"), headers=spare_headers)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    with db.session() as session:
        session.execute(
            update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    expired = client.get(app.url_path_for("me"), headers=editor.headers)
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]


def test_last_used_at_is_recorded(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    before = client.get(app.url_path_for("list_tokens"), headers=editor.headers).json()
    assert before[0]["last_used_at"] is not None


def test_only_admins_manage_users(app: FastAPI, client: TestClient, db: Database) -> None:
    admin, editor = make_account(db, Role.admin), make_account(db, Role.editor)
    url = app.url_path_for("create_user")
    assert client.post(url, headers=editor.headers, json={"name": "Bob"}).status_code == 403
    assert client.get(app.url_path_for("list_users"), headers=editor.headers).status_code == 403
    created = client.post(url, headers=admin.headers, json={"name": "Bob", "role": "author"})
    assert created.status_code == 201
    bob = created.json()
    assert bob["role"] == "author"
    bob_headers = {"Authorization": f"Bearer {bob['token']}"}
    assert client.get(app.url_path_for("me"), headers=bob_headers).json()["name"] == "Bob"
    duplicate = client.post(url, headers=admin.headers, json={"name": "Bob"})
    assert duplicate.status_code == 409
    user_url = app.url_path_for("update_user", user_id=str(bob["id"]))
    promoted = client.patch(user_url, headers=admin.headers, json={"role": "editor"})
    assert promoted.json()["role"] == "editor"
    assert client.get(app.url_path_for("me"), headers=bob_headers).json()["role"] == "editor"
    locked = client.patch(user_url, headers=admin.headers, json={"is_active": False})
    assert locked.json()["is_active"] is False
    assert client.get(app.url_path_for("me"), headers=bob_headers).status_code == 401


def test_tokens_of_other_users(app: FastAPI, client: TestClient, db: Database) -> None:
    admin, editor, other = (make_account(db, Role.admin), make_account(db), make_account(db))
    url = app.url_path_for("create_token")
    for_other = {"user_id": other.viewer.user_id}
    assert client.post(url, headers=editor.headers, json=for_other).status_code == 403
    assert client.post(url, headers=admin.headers, json=for_other).status_code == 201
    other_tokens = client.get(
        app.url_path_for("list_tokens"), headers=admin.headers, params=for_other
    ).json()
    assert len(other_tokens) == 2
    revoke = app.url_path_for("revoke_token", token_id=str(other_tokens[0]["id"]))
    assert client.delete(revoke, headers=editor.headers).status_code == 404
    assert client.get(app.url_path_for("me"), headers=other.headers).status_code == 200


def test_token_expiry_must_lie_ahead(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    response = client.post(
        app.url_path_for("create_token"),
        headers=editor.headers,
        json={"expires_at": "2000-01-01T00:00:00Z"},
    )
    assert response.status_code == 422
    assert "future" in response.json()["detail"]


def _throttled(db: Database, database_url: str, *, limit: int) -> FastAPI:
    return create_app(Settings(database_url=database_url, auth_failure_limit=limit), db)


def test_repeated_failed_authentication_is_throttled_per_client(
    db: Database, database_url: str
) -> None:
    editor = make_account(db)
    throttled_app = _throttled(db, database_url, limit=3)
    url = throttled_app.url_path_for("me")
    with TestClient(throttled_app, client=("198.51.100.9", 1)) as attacker:
        for guess in ("psk_nope", generate_token(), generate_token()):
            assert (
                attacker.get(url, headers={"Authorization": f"Bearer {guess}"}).status_code == 401
            )
        for guess in (generate_token(), "psk_nope"):
            blocked = attacker.get(url, headers={"Authorization": f"Bearer {guess}"})
            assert blocked.status_code == 429
            assert 0 < int(blocked.headers["retry-after"]) <= 300
            assert blocked.headers["content-type"] == "application/problem+json"
        # Anonymous reads are not affected.
        assert attacker.get(throttled_app.url_path_for("list_posts")).status_code == 200
    with TestClient(throttled_app, client=("192.0.2.1", 1)) as someone_else:
        assert someone_else.get(url, headers=editor.headers).status_code == 200


def test_a_valid_token_works_from_a_client_locked_out(db: Database, database_url: str) -> None:
    """Someone else's failures from the same address (a shared network, or every client when
    a proxy does not pass addresses on) never lock out a user with a valid token."""
    editor = make_account(db)
    throttled_app = _throttled(db, database_url, limit=3)
    url = throttled_app.url_path_for("me")
    with TestClient(throttled_app, client=("198.51.100.9", 1)) as shared:
        for _ in range(5):
            shared.get(url, headers={"Authorization": f"Bearer {generate_token()}"})
        for _ in range(3):
            response = shared.get(url, headers=editor.headers)
            assert response.status_code == 200, response.text
            assert response.json()["name"] == editor.viewer.name
        created = shared.post(
            throttled_app.url_path_for("create_token"), headers=editor.headers, json={}
        )
        assert created.status_code == 201
        # The valid token neither lifted nor extended the lockout of bad ones.
        bad = shared.get(url, headers={"Authorization": f"Bearer {generate_token()}"})
        assert bad.status_code == 429


def _failure_rows(db: Database) -> set[str]:
    with db.session(write=False) as session:
        return set(session.scalars(select(col(AuthFailure.client))))


def test_expired_failures_are_removed(db: Database, database_url: str) -> None:
    """The table keeps about one window's failing clients, not every client ever seen."""
    throttled_app = _throttled(db, database_url, limit=10)
    url = throttled_app.url_path_for("me")
    window = timedelta(seconds=throttled_app.state.settings.auth_failure_window_seconds)
    earlier = 250
    with db.session() as session:
        for number in range(earlier):
            throttle.record_failure(
                session, client=f"{number:064x}", window=window, reason="The token is not valid."
            )

    def fail_from(address: str) -> None:
        with TestClient(throttled_app, client=(address, 1)) as client:
            bad = client.get(url, headers={"Authorization": f"Bearer {generate_token()}"})
            assert bad.status_code == 401

    # Within their window the rows stay: they are what locks a client out.
    fail_from("203.0.113.1")
    assert len(_failure_rows(db)) == earlier + 1
    # Their window passes.
    with db.session() as session:
        session.execute(update(AuthFailure).values(window_start=utcnow() - window))
    expired = earlier + 1
    counts = []
    for number in range(2, 6):
        fail_from(f"203.0.113.{number}")
        counts.append(len(_failure_rows(db)))
    step = throttle.EXPIRED_PER_FAILURE
    assert counts[:2] == [expired - step + 1, expired - 2 * step + 2]
    # Then only the clients that failed within the window are left.
    assert counts[2:] == [3, 4]


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_expires_no_later_than_the_token_creating_it(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    url = app.url_path_for("create_token")
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
    later, earlier = soon + timedelta(days=365), soon - timedelta(seconds=30)
    for role in (Role.author, Role.editor):
        account = make_account(db, role)
        short = client.post(url, headers=account.headers, json={"expires_at": soon.isoformat()})
        assert short.status_code == 201
        short_headers = _bearer(short.json()["token"])
        for asked, given in ((None, soon), (later, soon), (earlier, earlier)):
            body = {} if asked is None else {"expires_at": asked.isoformat()}
            created = client.post(url, headers=short_headers, json=body)
            assert created.status_code == 201, created.text
            assert datetime.fromisoformat(created.json()["expires_at"]) == given, (role, asked)
            me = client.get(app.url_path_for("me"), headers=_bearer(created.json()["token"]))
            assert me.status_code == 200
        # A token without an expiry makes tokens as asked.
        lasting = client.post(url, headers=account.headers, json={})
        assert lasting.json()["expires_at"] is None


def test_an_admin_may_create_tokens_that_outlive_its_own(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    admin, author = make_account(db, Role.admin), make_account(db, Role.author)
    url = app.url_path_for("create_token")
    soon = datetime.now(UTC) + timedelta(minutes=1)
    short = client.post(url, headers=admin.headers, json={"expires_at": soon.isoformat()})
    short_headers = _bearer(short.json()["token"])
    own = client.post(url, headers=short_headers, json={})
    assert own.status_code == 201
    assert own.json()["expires_at"] is None
    for_author = client.post(url, headers=short_headers, json={"user_id": author.viewer.user_id})
    assert for_author.status_code == 201
    assert for_author.json()["expires_at"] is None


def test_the_last_active_admin_cannot_be_demoted_or_locked(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    admin = make_account(db, Role.admin)
    own_url = app.url_path_for("update_user", user_id=str(admin.viewer.user_id))
    for change in ({"role": "editor"}, {"role": "author"}, {"is_active": False}):
        refused = client.patch(own_url, headers=admin.headers, json=change)
        assert refused.status_code == 409, change
        assert refused.headers["content-type"] == "application/problem+json"
        assert "last active admin" in refused.json()["detail"]
    me = client.get(app.url_path_for("me"), headers=admin.headers)
    assert me.json()["role"] == "admin"
    # Renaming it, or confirming its role, is fine.
    renamed = client.patch(own_url, headers=admin.headers, json={"name": "Chefin", "role": "admin"})
    assert renamed.status_code == 200
    # A locked admin does not count as one.
    other = make_account(db, Role.admin)
    other_url = app.url_path_for("update_user", user_id=str(other.viewer.user_id))
    assert (
        client.patch(other_url, headers=admin.headers, json={"is_active": False}).json()[
            "is_active"
        ]
        is False
    )
    assert client.patch(own_url, headers=admin.headers, json={"role": "editor"}).status_code == 409
    # With another active admin, either may step down; then the other is the last one.
    assert (
        client.patch(other_url, headers=admin.headers, json={"is_active": True}).status_code == 200
    )
    assert client.patch(own_url, headers=admin.headers, json={"role": "editor"}).status_code == 200
    last = client.patch(other_url, headers=other.headers, json={"is_active": False})
    assert last.status_code == 409


def test_two_admins_demoting_each_other_at_once_leave_one(db: Database) -> None:
    """The second demotion waits for the first and then sees it: one admin stays."""
    first, second = make_account(db, Role.admin), make_account(db, Role.admin)
    demote = UserUpdate(role=Role.editor)
    outcome: list[BaseException | None] = []

    def demote_first() -> None:
        try:
            db.call(auth.update_user, user_id=first.viewer.user_id, data=demote)
        except Conflict as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    with db.session() as session:
        auth.update_user(session, user_id=second.viewer.user_id, data=demote)
        other = threading.Thread(target=demote_first)
        other.start()
        # Give the other demotion time to reach the admins' rows while this one is open.
        time.sleep(0.5)
    other.join()
    assert len(outcome) == 1
    assert isinstance(outcome[0], Conflict)
    with db.session(write=False) as session:
        roles = {user.id: user.role for user in auth.list_users(session)}
    assert roles == {first.viewer.user_id: "admin", second.viewer.user_id: "editor"}
