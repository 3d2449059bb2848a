"""Domain events: every write path records what it did, by whom, in the write's own transaction.

The table of every API operation in test_access checks that each write through the API leaves
its events with the caller's token; these tests follow each other path (command line, import,
demo, restore, worker) and what a rolled-back write leaves: nothing.
"""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, select
from sqlmodel import Session

from app.auth.models import Role
from app.core.db import Database
from app.core.errors import Conflict
from app.derived.root import open_database
from app.events.actor import COMMAND_LINE, acting_as
from app.importers.files import import_wxr
from app.models import metadata
from app.posts.publisher import publish_due
from app.sources import service as sources
from app.sources.schemas import SourceCreate
from tests.factories import BERLIN, Account, make_account, make_post

ROOT = Path(__file__).resolve().parents[1]
EVENTS = metadata.tables["events"]


class Seen(NamedTuple):
    action: str
    object: str | None
    actor_kind: str
    actor_user_id: int | None
    actor_token_id: int | None
    actor_name: str | None
    request_id: str | None
    data: dict[str, Any]


def _events(session: Session) -> list[Seen]:
    rows = session.execute(select(EVENTS).order_by(EVENTS.c.id))
    return [
        Seen(
            row.action,
            f"{row.object_type}:{row.object_id}" if row.object_type else None,
            row.actor_kind,
            row.actor_user_id,
            row.actor_token_id,
            row.actor_name,
            row.request_id,
            row.data,
        )
        for row in rows
    ]


def events(database: Database) -> list[Seen]:
    with database.session(write=False) as session:  # a read: no write lock, no hooks
        return _events(session)


def actions(database: Database) -> list[tuple[str, str | None]]:
    return [(event.action, event.object) for event in events(database)]


def test_a_post_records_its_life_through_the_api(client: TestClient, db: Database) -> None:
    editor = make_account(db, Role.editor)
    me = client.get("/api/v1/me", headers=editor.headers).json()
    before = len(events(db))

    created = client.post(
        "/api/v1/posts",
        headers=editor.headers,
        json={"title": "Ein Bericht", "body": "Text.", "status": "published"},
    )
    assert created.status_code == 201
    post = f"post:{created.json()['id']}"
    url = f"/api/v1/posts/{created.json()['id']}"
    draft = client.patch(url, headers=editor.headers, json={"status": "draft"})
    assert draft.status_code == 200
    retitled = client.patch(url, headers=editor.headers, json={"title": "Neuer Titel"})
    assert retitled.status_code == 200
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    scheduled = client.patch(
        url, headers=editor.headers, json={"status": "published", "published_at": later}
    )
    assert scheduled.status_code == 200
    now = client.patch(
        url, headers=editor.headers, json={"published_at": datetime.now(UTC).isoformat()}
    )
    assert now.status_code == 200
    trashed = client.delete(url, headers=editor.headers)
    assert trashed.status_code == 204
    restored = client.post(f"{url}/restore", headers=editor.headers)
    assert restored.status_code == 200
    purged = client.delete(url, headers=editor.headers, params={"purge": "true"})
    assert purged.status_code == 204

    seen = events(db)[before:]
    assert [(event.action, event.object) for event in seen] == [
        ("post.created", post),
        ("post.published", post),
        ("post.updated", post),
        ("post.unpublished", post),
        ("post.updated", post),  # a new title: still a draft, nothing else
        ("post.updated", post),  # scheduled for tomorrow: not public yet
        ("post.updated", post),
        ("post.published", post),  # its time moved to now: public from this write on
        ("post.trashed", post),
        ("post.unpublished", post),  # out of every public view with the trash
        ("post.restored", post),
        ("post.published", post),  # back to its former status: published
        ("post.purged", post),
        ("post.unpublished", post),  # it was public until it was deleted for good
    ]
    requests = [created, created, draft, draft, retitled, scheduled, now, now, trashed,
                trashed, restored, restored, purged, purged]  # fmt: skip
    for event, response in zip(seen, requests, strict=True):
        assert event.request_id == response.headers["x-request-id"]
    for event in seen:
        assert (event.actor_kind, event.actor_user_id, event.actor_name) == (
            "token",
            editor.viewer.user_id,
            editor.viewer.name,
        )
        assert event.actor_token_id == me["token_id"]
    assert seen[0].data == {"title": "Ein Bericht", "slug": "ein-bericht", "status": "published"}
    assert seen[4].data == {
        "title": "Neuer Titel", "slug": "ein-bericht", "status": "draft", "fields": ["title"],
    }  # fmt: skip
    # Asked to be published at a time ahead: stored, and recorded, as scheduled.
    assert (seen[5].data["fields"], seen[5].data["status"]) == (
        ["published_at", "status"], "scheduled",
    )  # fmt: skip
    assert seen[6].data["fields"] == ["published_at", "status"]  # its time came: published
    assert seen[8].data["status"] == "published"  # what it was when trashed
    # Never a body: the entry stays small whatever the post holds.
    assert all("body" not in event.data for event in seen)


def test_a_write_refused_by_the_database_records_nothing(client: TestClient, db: Database) -> None:
    editor = make_account(db, Role.editor)
    source = client.post("/api/v1/sources", headers=editor.headers, json={"name": "TASS"})
    assert source.status_code == 201
    taken = client.post(
        "/api/v1/posts", headers=editor.headers, json={"title": "Eins", "slug": "eins"}
    )
    assert taken.status_code == 201
    before = actions(db)
    again = client.post("/api/v1/sources", headers=editor.headers, json={"name": "TASS"})
    assert again.status_code == 409
    duplicate = client.post(
        "/api/v1/posts", headers=editor.headers, json={"title": "Zwei", "slug": "eins"}
    )
    assert duplicate.status_code == 409
    assert actions(db) == before


class Refused(Exception):
    pass


@pytest.fixture
def hooked(db: Database, database_url: str) -> Iterator[Database]:
    """The test database opened again through the root, with a hook of this test's own."""
    database = open_database(database_url)
    yield database
    database.dispose()


def test_a_hook_that_fails_takes_the_events_with_the_write(hooked: Database, db: Database) -> None:
    editor = make_account(db, Role.editor)
    before = actions(db)

    def refuse(_connection: Connection) -> None:
        raise Refused

    hooked.hooks.add_before_commit("refuse", refuse, order=50_000)
    with pytest.raises(Refused):
        make_post(hooked, editor)
    with pytest.raises(Refused):
        hooked.call(sources.create_source, data=SourceCreate(name="Nie da"))
    assert actions(db) == before


def _create_then_refuse(session: Session, name: str) -> None:
    sources.create_source(session, data=SourceCreate(name=name))
    raise Refused


def test_a_savepoint_rolled_back_takes_its_events_along(db: Database) -> None:
    """A write that tries something in a savepoint and goes on without it (as imports and
    slug retries do) keeps only the events of what stays."""
    with db.session() as session:
        sources.create_source(session, data=SourceCreate(name="Bleibt"))
        with pytest.raises(Refused), session.begin_nested():
            _create_then_refuse(session, "Geht")
        with pytest.raises(Conflict), session.begin_nested():
            sources.create_source(session, data=SourceCreate(name="Bleibt"))
    assert [(event.action, event.data["name"]) for event in events(db)] == [
        ("source.created", "Bleibt")
    ]


def test_the_command_line_records_its_writes_as_its_own(
    db: Database, database_url: str, command_line: Callable[..., Any], tmp_path: Path
) -> None:
    created = command_line(database_url, "users", "create", "anna", "--role", "editor")
    assert created.exit_code == 0, created.output
    token = command_line(database_url, "tokens", "create", "anna", "--name", "Skript")
    assert token.exit_code == 0, token.output
    token_id = token.stdout.split()[2]
    revoked = command_line(database_url, "tokens", "revoke", "anna", token_id)
    assert revoked.exit_code == 0, revoked.output
    demo = command_line(database_url, "demo")
    assert demo.exit_code == 0, demo.output
    imported = command_line(database_url, "import", "wxr", str(ROOT / "tests/data/blog.wxr"))
    assert imported.exit_code == 2, imported.output  # one item of the file is bad

    seen = events(db)
    assert {event.actor_kind for event in seen} == {"cli"}
    assert all(event.request_id is None and event.actor_user_id is None for event in seen)
    assert [event.action for event in seen[:4]] == [
        "user.created",
        "token.created",
        "token.created",
        "token.revoked",
    ]
    assert seen[2].data["name"] == "Skript"
    assert seen[3].object == f"token:{token_id}"
    # Nothing of a token's secret: its name, owner and expiry only.
    secret = created.stdout.splitlines()[-1]
    assert all(secret not in str(event) and "psk_" not in str(event) for event in seen)
    created_posts = [event for event in seen if event.action == "post.created"]
    imported_posts = [event for event in created_posts if event.data.get("via") == "import"]
    assert len(imported_posts) == 6
    assert len(created_posts) > len(imported_posts)  # the demo's, too
    published = {event.object for event in seen if event.action == "post.published"}
    assert published <= {event.object for event in created_posts}
    assert {"source.created", "user.created"} <= {event.action for event in seen[4:]}
    # The command line's actor is gone once the command has ended.
    make_account(db, Role.author)
    assert events(db)[-1].actor_kind == "anonymous"


def test_an_import_in_batches_records_each_post(db: Database) -> None:
    with acting_as(COMMAND_LINE):
        summary = import_wxr(db, ROOT / "tests/data/blog.wxr", zone=BERLIN, language="de")
    seen = events(db)
    created = [event for event in seen if event.action == "post.created"]
    assert len(created) == summary.created
    assert all(event.actor_kind == "cli" for event in seen)
    with db.session() as session:
        slugs = set(session.execute(select(metadata.tables["posts"].c.slug)).scalars())
    assert {event.data["slug"] for event in created} == slugs


def test_the_worker_records_a_scheduled_post_going_public(db: Database, editor: Account) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    post = make_post(db, editor, published_at=later)
    assert ("post.published", f"post:{post.id}") not in actions(db)
    assert publish_due(db, now=later + timedelta(seconds=1)) == 1
    last = events(db)[-1]
    assert (last.action, last.object, last.actor_kind) == (
        "post.published",
        f"post:{post.id}",
        "worker",
    )
    assert last.data == {"title": post.title, "slug": post.slug, "scheduled": True}


@pytest.fixture
def editor(db: Database) -> Account:
    return make_account(db, Role.editor)
