"""Preview tokens: they read what their user may read of the content, drafts included, and
nothing else; every request that would write is refused, whichever operation it is."""

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from alembic.script import ScriptDirectory
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlmodel import Session, col

from app.auth import service as auth
from app.auth.models import ApiToken, Role, TokenKind
from app.auth.schemas import TokenCreate
from app.core.db import Database
from app.core.keys import CLIENT_HASH_KEY
from app.core.migrations import alembic_config, downgrade, upgrade
from app.derived.root import open_database
from app.main import API_PREFIX
from app.models import metadata
from app.posts.models import Post
from tests.conftest import FreshDatabase
from tests.factories import Account, make_account, make_post, make_source

EVENTS = metadata.tables["events"]
READS = {"GET", "HEAD"}
# What a preview token may read; everything else of the API is refused to it.
CONTENT_TAGS = {"posts", "sources", "tags", "archives", "auth"}


def preview_token(client: TestClient, app: FastAPI, account: Account) -> dict[str, str]:
    """A preview token of ``account``'s user, made through the API, as request headers."""
    made = client.post(
        app.url_path_for("create_token"),
        json={"name": "Vorschau", "kind": "preview"},
        headers=account.headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["kind"] == "preview"
    return {"Authorization": f"Bearer {made.json()['token']}"}


def _changes(session: Session) -> tuple[int, int, datetime | None]:
    """How many events and posts there are, and the latest token use: what a refused
    request must leave as it was."""
    events = session.scalar(select(func.count()).select_from(EVENTS)) or 0
    posts = session.scalar(select(func.count()).select_from(Post)) or 0
    used = session.scalar(select(func.max(col(ApiToken.last_used_at))))
    return events, posts, used


def test_a_preview_token_reads_drafts(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db, Role.editor)
    author = make_account(db, Role.author)
    draft = make_post(db, author, status="draft", published_at=None, title="Entwurf")
    headers = preview_token(client, app, editor)

    one = client.get(app.url_path_for("get_post", id_or_slug=draft.id), headers=headers)
    assert one.status_code == 200, one.text
    assert (one.json()["title"], one.json()["status"]) == ("Entwurf", "draft")
    listed = client.get(app.url_path_for("list_posts"), params={"status": "draft"}, headers=headers)
    assert listed.status_code == 200, listed.text
    assert [post["id"] for post in listed.json()["items"]] == [draft.id]
    me = client.get(app.url_path_for("me"), headers=headers).json()
    assert (me["id"], me["token_kind"]) == (editor.viewer.user_id, "preview")

    # Without it, the draft is not there.
    assert client.get(app.url_path_for("get_post", id_or_slug=draft.id)).status_code == 404
    tokens = client.get(app.url_path_for("list_tokens"), headers=editor.headers).json()
    assert sorted(token["kind"] for token in tokens) == ["full", "preview"]


def test_a_preview_token_never_reads_the_trash(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    """It previews what may go out: a trashed post, which the editor behind it still reads
    with a full token, is not there for it."""
    editor = make_account(db, Role.editor)
    trashed = make_post(db, editor, status="draft", published_at=None, title="Verworfen")
    url = app.url_path_for("get_post", id_or_slug=trashed.id)
    assert client.delete(url, headers=editor.headers).status_code == 204
    headers = preview_token(client, app, editor)
    assert client.get(url, headers=headers).status_code == 404
    listed = client.get(
        app.url_path_for("list_posts"), params={"status": "trashed"}, headers=headers
    )
    assert listed.status_code == 200
    assert listed.json()["items"] == []
    assert client.get(url, headers=editor.headers).status_code == 200


def test_an_authors_preview_token_reads_only_their_own_drafts(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    author, other = make_account(db, Role.author), make_account(db, Role.author)
    own = make_post(db, author, status="draft", published_at=None)
    foreign = make_post(db, other, status="draft", published_at=None)
    headers = preview_token(client, app, author)

    assert client.get(app.url_path_for("get_post", id_or_slug=own.id), headers=headers).is_success
    refused = client.get(app.url_path_for("get_post", id_or_slug=foreign.id), headers=headers)
    assert refused.status_code == 404
    listed = client.get(app.url_path_for("list_posts"), params={"status": "draft"}, headers=headers)
    assert [post["id"] for post in listed.json()["items"]] == [own.id]


def _api_routes(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    """Every operation of the API: (method, path template, route)."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or context.path_format is None:
            continue
        if not context.path_format.startswith(f"{API_PREFIX}/"):
            continue
        found += [(method, context.path_format, route) for method in sorted(context.methods or ())]
    return found


def _latest_preview_token(session: Session) -> int | None:
    return session.scalar(select(func.max(col(ApiToken.id))).where(col(ApiToken.kind) == "preview"))


def test_every_write_operation_refuses_a_preview_token(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    """Walked over the app's own routes, so an operation added later is covered too. Each
    request names real rows the admin's full token could change, and sends a body that
    would do so where one is taken: only the token's kind stops it."""
    admin = make_account(db, Role.admin)
    headers = preview_token(client, app, admin)
    post = make_post(db, admin, status="draft", published_at=None)
    source = make_source(db)
    token_id = db.call(_latest_preview_token)
    values = {
        "id_or_slug": str(post.id),
        "token_id": str(token_id),
        "user_id": str(admin.viewer.user_id),
    }
    bodies: dict[str, object] = {
        "create_post": {"title": "Neu", "status": "published"},
        "update_post": {"title": "Geändert"},
        "create_source": {"name": "Neue Quelle"},
        "update_source": {"description": "Neu"},
        "match_source": {"title": "Etwas"},
        "create_token": {"name": "Neu"},
        "create_user": {"name": "neu"},
        "update_user": {"role": "editor"},
    }
    before = db.call(_changes)
    refused = []
    for method, path, route in _api_routes(app):
        if method in READS:
            continue
        names = re.findall(r"{(\w+)}", path)
        target = values | ({"id_or_slug": source.slug} if "/sources/" in path else {})
        url = path.format(**{name: target.get(name, "1") for name in names})
        response = client.request(method, url, json=bodies.get(route.name, {}), headers=headers)
        assert response.status_code == 403, f"{method} {path}: {response.text[:300]}"
        assert response.headers["content-type"] == "application/problem+json"
        assert "Preview tokens only read" in response.json()["detail"], f"{method} {path}"
        refused.append(route.name)
    assert db.call(_changes) == before, "a refused request changed something"
    # The walk did find the writes (a broken walk must not pass for a safe app).
    assert {"create_post", "update_post", "delete_post", "like_post", "create_token",
            "revoke_token", "create_user", "create_preview_link"} <= set(refused)  # fmt: skip
    # With a full token, the same admin may make these changes.
    full = client.patch(
        app.url_path_for("update_post", id_or_slug=post.id),
        json={"title": "Geändert"},
        headers=admin.headers,
    )
    assert full.status_code == 200


def test_a_preview_token_reads_content_only(app: FastAPI, client: TestClient, db: Database) -> None:
    """Posts, sources, archives and who it is; not the audit log, users, tokens or the
    export, though its user is an admin."""
    admin = make_account(db, Role.admin)
    headers = preview_token(client, app, admin)
    make_post(db, admin)
    readable, closed = set(), set()
    for method, path, route in _api_routes(app):
        if method != "GET":
            continue
        names = re.findall(r"{(\w+)}", path)
        sample = {"year": "2022", "month": "1", "day": "10"}
        response = client.get(
            path.format(**{name: sample.get(name, "1") for name in names}), headers=headers
        )
        if CONTENT_TAGS.isdisjoint(route.tags):
            assert response.status_code == 403, f"{path}: {response.text[:300]}"
            assert "Preview tokens read posts" in response.json()["detail"]
            closed.add(route.name)
        else:
            assert response.status_code != 403, f"{path}: {response.text[:300]}"
            readable.add(route.name)
    assert {"audit_log", "list_users", "list_tokens", "export_database"} <= closed
    assert {"list_posts", "get_post", "list_sources", "day_archive", "me"} <= readable
    # The same requests with the admin's full token are answered.
    for name in ("audit_log", "list_users", "list_tokens"):
        assert client.get(app.url_path_for(name), headers=admin.headers).status_code == 200


def test_the_command_line_makes_preview_tokens(
    app: FastAPI,
    client: TestClient,
    db: Database,
    database_url: str,
    command_line: Callable[..., Any],
) -> None:
    editor = make_account(db, Role.editor, name="redaktion")
    draft = make_post(db, editor, status="draft", published_at=None)
    made = command_line(database_url, "tokens", "create", "redaktion", "--kind", "preview")
    assert made.exit_code == 0, made.output
    assert "kind preview" in made.output
    headers = {"Authorization": f"Bearer {made.output.strip().splitlines()[-1]}"}

    assert client.get(app.url_path_for("get_post", id_or_slug=draft.id), headers=headers).is_success
    write = client.delete(app.url_path_for("delete_post", id_or_slug=draft.id), headers=headers)
    assert write.status_code == 403
    listed = command_line(database_url, "tokens", "list", "redaktion")
    assert sorted(line.split("\t")[3] for line in listed.output.splitlines()) == [
        "full",
        "preview",
    ]


PREVIEW_MIGRATION = "4b6352668afa"


def test_a_downgrade_revokes_the_preview_tokens(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    """The schema before knows no kinds: a preview token left active there would be a full
    one."""
    url = fresh_database_url(backend)
    upgrade(url)
    database = open_database(url)
    try:
        editor = make_account(database, Role.editor)
        preview, _secret = database.call(
            auth.create_token, viewer=editor.viewer, data=TokenCreate(kind=TokenKind.preview)
        )
        scripts = ScriptDirectory.from_config(alembic_config(url))
        before = scripts.get_revision(PREVIEW_MIGRATION)
        assert before is not None
        assert isinstance(before.down_revision, str)
        downgrade(url, before.down_revision)
        with database.engine.connect() as connection:
            rows = connection.execute(text("SELECT id, revoked_at FROM api_tokens ORDER BY id"))
            revoked = {row.id: row.revoked_at is not None for row in rows}
            keys = connection.execute(text("SELECT name FROM instance_keys")).scalars()
            assert set(keys) == {CLIENT_HASH_KEY}
        assert preview.id is not None
        assert revoked.pop(preview.id) is True
        assert list(revoked.values()) == [False]  # the editor's full token works on
        upgrade(url)
    finally:
        database.dispose()
