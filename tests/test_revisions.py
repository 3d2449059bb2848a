"""Every change to a post's content keeps a revision, whoever writes it; the API lists them,
shows one with its differences, and restores one (on both databases)."""

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from app.auth.models import Role
from app.core.config import Settings
from app.core.db import Database
from app.core.migrations import downgrade, upgrade
from app.derived.root import open_database
from app.models import metadata
from app.posts import service as posts
from app.posts.schemas import PostUpdate
from tests.conftest import FreshDatabase
from tests.factories import (
    BERLIN,
    Account,
    make_account,
    make_post,
    make_source,
    tagged,
)

REVISIONS = metadata.tables["post_revisions"]
QUEUE = metadata.tables["post_revision_queue"]
EVENTS = metadata.tables["events"]
BLOG = Path(__file__).parent / "data" / "blog.wxr"
# The migration before revisions.
BEFORE_REVISIONS = "5e8c1d7a9b34"


def _create(client: TestClient, account: Account, **fields: Any) -> dict[str, Any]:
    body = {"title": "Erster Titel", "body": "Zeile eins\nZeile zwei\nZeile drei", **fields}
    response = client.post("/api/v1/posts", json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _patch(client: TestClient, account: Account, post_id: int, **fields: Any) -> dict[str, Any]:
    response = client.patch(f"/api/v1/posts/{post_id}", json=fields, headers=account.headers)
    assert response.status_code == 200, response.text
    patched: dict[str, Any] = response.json()
    return patched


def _revisions(client: TestClient, account: Account, post: int | str) -> list[dict[str, Any]]:
    response = client.get(
        f"/api/v1/posts/{post}/revisions", params={"per_page": 100}, headers=account.headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _revision(client: TestClient, account: Account, post: int, number: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/posts/{post}/revisions/{number}", headers=account.headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def _count(session: Session, post_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(REVISIONS).where(REVISIONS.c.post_id == post_id)
        )
        or 0
    )


def test_create_edit_tags_and_status_each_make_a_revision_likes_and_no_ops_none(
    client: TestClient, db: Database
) -> None:
    editor = make_account(db, Role.editor, name="Redakteurin")
    post = _create(client, editor, tags=["Wetter"], status="published")
    post_id = post["id"]
    _patch(client, editor, post_id, title="Zweiter Titel")
    _patch(client, editor, post_id, tags=["Wetter", "Hafen"])
    like = client.post(f"/api/v1/posts/{post_id}/likes")
    assert like.status_code == 200
    _patch(client, editor, post_id, title="Zweiter Titel")  # the same again: no change
    _patch(client, editor, post_id, status="draft")

    listed = _revisions(client, editor, post_id)
    assert [item["number"] for item in listed] == [4, 3, 2, 1]
    assert [item["changed"] for item in listed[:3]] == [
        ["status"],
        ["tags"],
        ["title"],
    ]
    assert {"title", "slug", "status", "published_at", "tags", "body"} <= set(listed[3]["changed"])
    for item in listed:
        assert item["actor"] == {
            "kind": "token",
            "user_id": editor.viewer.user_id,
            "name": "Redakteurin",
        }
        assert "snapshot" not in item
    # Listed by slug too, newest first, paginated like every list.
    page = client.get(
        f"/api/v1/posts/{post['slug']}/revisions", params={"per_page": 2, "page": 2},
        headers=editor.headers,
    )  # fmt: skip
    assert page.status_code == 200
    assert [item["number"] for item in page.json()["items"]] == [2, 1]
    assert page.headers["x-total-count"] == "4"
    assert db.call(_count, post_id=post_id) == 4


def test_a_like_queues_nothing(db: Database) -> None:
    editor = make_account(db)
    post = make_post(db, editor)
    with db.session() as session:
        # A like in this transaction, then look at the queue before the hook empties it.
        posts.like_post(session, id_or_slug=str(post.id), client="c" * 64, zone=BERLIN)
        assert session.scalar(select(func.count()).select_from(QUEUE)) == 0
    assert db.call(_count, post_id=post.id) == 1


def test_restoring_revision_1_of_a_post_edited_five_times(client: TestClient, db: Database) -> None:
    editor = make_account(db)
    post = _create(client, editor, tags=["Anfang"], credit="Übersetzt von A.")
    post_id = post["id"]
    for edit in range(1, 6):
        _patch(
            client, editor, post_id,
            title=f"Titel {edit}", body=f"Text der Fassung {edit}", tags=[f"Stand {edit}"],
        )  # fmt: skip
    _patch(client, editor, post_id, status="published")  # a sixth change, of the status only
    before = _revisions(client, editor, post_id)
    assert len(before) == 7

    response = client.post(f"/api/v1/posts/{post_id}/revisions/1/restore", headers=editor.headers)
    assert response.status_code == 200, response.text
    restored = response.json()
    assert restored["title"] == "Erster Titel"
    assert restored["body"] == "Zeile eins\nZeile zwei\nZeile drei"
    assert restored["tags"] == tagged("Anfang")
    assert restored["credit"] == "Übersetzt von A."
    assert restored["slug"] == post["slug"]
    # Restoring old text keeps the post as published as it is now.
    assert restored["status"] == "published"
    assert restored["published_at"] is not None

    after = _revisions(client, editor, post_id)
    assert [item["number"] for item in after] == list(range(8, 0, -1))
    assert after[1:] == before, "the earlier revisions stay as they were"
    assert set(after[0]["changed"]) == {"title", "tags", "excerpt", "body"}
    newest = _revision(client, editor, post_id, 8)
    first = _revision(client, editor, post_id, 1)
    content = ("title", "slug", "body", "tags", "credit", "excerpt", "language")
    assert {name: newest["snapshot"][name] for name in content} == {
        name: first["snapshot"][name] for name in content
    }
    events = db.call(
        lambda session: session.execute(
            select(EVENTS.c.action, EVENTS.c.data).where(EVENTS.c.object_id == post_id)
        ).all()
    )
    assert ("post.revision_restored", {"title": "Erster Titel", "slug": post["slug"],
                                       "number": 1}) in [tuple(row) for row in events]  # fmt: skip


def test_a_restore_from_a_stale_read_is_refused_and_changes_nothing(
    client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    post_id = _create(client, editor)["id"]
    read = client.get(f"/api/v1/posts/{post_id}", headers=editor.headers)
    _patch(client, editor, post_id, title="Von jemand anderem geändert")
    restore = f"/api/v1/posts/{post_id}/revisions/1/restore"
    stale = client.post(restore, headers={**editor.headers, "If-Match": read.headers["etag"]})
    assert stale.status_code == 412, stale.text
    assert stale.json()["current"]["title"] == "Von jemand anderem geändert"
    assert [item["number"] for item in _revisions(client, editor, post_id)] == [2, 1]

    current = stale.headers["etag"]
    restored = client.post(restore, headers={**editor.headers, "If-Match": current})
    assert restored.status_code == 200, restored.text
    assert restored.json()["title"] == "Erster Titel"
    assert restored.headers["etag"] != current


def test_a_revision_shows_its_changes_and_the_body_line_diff(
    client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    lines = [f"Absatz {number}" for number in range(1, 21)]
    post = _create(client, editor, body="\n".join(lines))
    changed = [*lines]
    changed[9] = "Absatz zehn, neu geschrieben"
    del changed[17]
    _patch(client, editor, post["id"], body="\n".join(changed), title="Neuer Titel")

    second = _revision(client, editor, post["id"], 2)
    assert second["previous"] == 1
    # The excerpt is made from the body: it changed with it.
    assert second["changed"] == ["title", "excerpt", "body"]
    assert second["changes"][0] == {"field": "title", "old": "Erster Titel", "new": "Neuer Titel"}
    assert [change["field"] for change in second["changes"]] == ["title", "excerpt"]
    assert second["snapshot"]["body"] == "\n".join(changed)
    diff = second["body_diff"]
    assert diff["minimal"] is True
    assert [(hunk["old_start"], hunk["old_lines"], hunk["new_start"], hunk["new_lines"])
            for hunk in diff["hunks"]] == [(7, 7, 7, 7), (15, 6, 15, 5)]  # fmt: skip
    assert diff["hunks"][0]["lines"] == [
        " Absatz 7", " Absatz 8", " Absatz 9", "-Absatz 10", "+Absatz zehn, neu geschrieben",
        " Absatz 11", " Absatz 12", " Absatz 13",
    ]  # fmt: skip
    assert [line for line in diff["hunks"][1]["lines"] if line[0] != " "] == ["-Absatz 18"]

    first = _revision(client, editor, post["id"], 1)
    assert first["previous"] is None
    assert {"field": "title", "old": None, "new": "Erster Titel"} in first["changes"]
    assert [line[0] for line in first["body_diff"]["hunks"][0]["lines"]] == ["+"] * 20

    unknown = client.get(f"/api/v1/posts/{post['id']}/revisions/3", headers=editor.headers)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert "no revision 3" in unknown.json()["detail"]
    assert client.get(f"/api/v1/posts/{post['id']}/revisions/0",
                      headers=editor.headers).status_code == 422  # fmt: skip


def test_restoring_a_slug_another_post_took_meanwhile_is_a_conflict(
    client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    post = _create(client, editor, slug="alter-name")
    _patch(client, editor, post["id"], slug="neuer-name", title="Umbenannt")
    _create(client, editor, slug="alter-name", title="Ein anderer")

    response = client.post(
        f"/api/v1/posts/{post['id']}/revisions/1/restore", headers=editor.headers
    )
    assert response.status_code == 409
    assert "alter-name" in response.json()["detail"]
    now = client.get(f"/api/v1/posts/{post['id']}", headers=editor.headers).json()
    assert (now["slug"], now["title"]) == ("neuer-name", "Umbenannt")
    assert len(_revisions(client, editor, post["id"])) == 2


def test_the_cap_keeps_the_newest_revisions(
    settings: Settings, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    capped = open_database(settings.model_copy(update={"revisions_keep": 3}))
    try:
        post = make_post(capped, editor)
        for edit in range(5):
            capped.call(
                posts.update_post, viewer=editor.viewer, id_or_slug=str(post.id),
                data=PostUpdate(body=f"Fassung {edit}"), zone=BERLIN,
            )  # fmt: skip
    finally:
        capped.dispose()
    listed = _revisions(client, editor, post.id)
    assert [item["number"] for item in listed] == [6, 5, 4]
    oldest = _revision(client, editor, post.id, 4)
    assert oldest["previous"] is None  # revision 3 is gone
    assert client.get(f"/api/v1/posts/{post.id}/revisions/3",
                      headers=editor.headers).status_code == 404  # fmt: skip


def test_a_purged_post_takes_its_revisions_along(client: TestClient, db: Database) -> None:
    editor = make_account(db)
    post = _create(client, editor)
    _patch(client, editor, post["id"], title="Noch einer")
    url = f"/api/v1/posts/{post['id']}"
    # The trash keeps them, with the move there as one more.
    assert client.delete(url, headers=editor.headers).status_code == 204
    assert db.call(_count, post_id=post["id"]) == 3
    purged = client.delete(url, headers=editor.headers, params={"purge": "true"})
    assert purged.status_code == 204
    assert db.call(_count, post_id=post["id"]) == 0
    assert db.call(lambda session: session.scalar(select(func.count()).select_from(QUEUE))) == 0


def test_revisions_by_the_command_line_and_an_import_name_it(
    settings: Settings, db: Database, command_line: Any
) -> None:
    """The demo and a WordPress import, run as commands, write revisions done by the
    command line."""
    demo = command_line(settings.database_url, "demo")
    assert demo.exit_code == 0, demo.output
    imported = command_line(settings.database_url, "import", "wxr", str(BLOG))
    assert imported.exit_code in (0, 2), imported.output  # the file has one broken item

    def actors(session: Session) -> set[tuple[str, int | None, str | None]]:
        rows = session.execute(
            select(REVISIONS.c.actor_kind, REVISIONS.c.actor_user_id, REVISIONS.c.actor_name)
        )
        return {(row.actor_kind, row.actor_user_id, row.actor_name) for row in rows}

    def posts_without_one(session: Session) -> int:
        posts_table = metadata.tables["posts"]
        return (
            session.scalar(
                select(func.count())
                .select_from(posts_table)
                .where(~posts_table.c.id.in_(select(REVISIONS.c.post_id)))
            )
            or 0
        )

    assert db.call(actors) == {("cli", None, None)}
    assert db.call(posts_without_one) == 0


def test_a_source_gone_since_is_a_conflict(client: TestClient, db: Database) -> None:
    editor = make_account(db)
    source = make_source(db)
    post = _create(client, editor, source_id=source.id)
    _patch(client, editor, post["id"], source_id=None)
    gone = client.delete(f"/api/v1/sources/{source.id}", headers=editor.headers)
    assert gone.status_code == 204, gone.text
    response = client.post(
        f"/api/v1/posts/{post['id']}/revisions/1/restore", headers=editor.headers
    )
    assert response.status_code == 409
    assert "no longer exists" in response.json()["detail"]


def test_authors_restore_only_their_own_drafts(client: TestClient, db: Database) -> None:
    author = make_account(db, Role.author)
    post = _create(client, author)
    _patch(client, author, post["id"], title="Entwurf zwei")
    restored = client.post(
        f"/api/v1/posts/{post['id']}/revisions/1/restore", headers=author.headers
    )
    assert restored.status_code == 200
    assert restored.json()["title"] == "Erster Titel"
    _patch(client, make_account(db), post["id"], status="published")
    refused = client.post(f"/api/v1/posts/{post['id']}/revisions/2/restore", headers=author.headers)
    assert refused.status_code == 403
    # Reading them stays allowed: they are the author's own.
    assert len(_revisions(client, author, post["id"])) == 4


def test_the_migration_gives_each_existing_post_its_state_as_revision_1(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    url = fresh_database_url(backend)
    upgrade(url, BEFORE_REVISIONS)
    database = open_database(url)
    try:
        editor = make_account(database)
        # That revision has not the trash's columns yet, which a new post's insert does not
        # name.
        post = make_post(database, editor, tags=["Vorher"])
        upgrade(url)
        with database.engine.connect() as connection:
            rows = connection.execute(
                select(REVISIONS.c.post_id, REVISIONS.c.number, REVISIONS.c.actor_kind)
            ).all()
        assert [tuple(row) for row in rows] == [(post.id, 1, "cli")]
        # Writes go on keeping revisions from there, on the same (running) database.
        database.call(
            posts.update_post, viewer=editor.viewer, id_or_slug=str(post.id),
            data=PostUpdate(tags=["Nachher"]), zone=BERLIN,
        )  # fmt: skip
        assert database.call(_count, post_id=post.id) == 2
        downgrade(url, BEFORE_REVISIONS)
        upgrade(url)
    finally:
        database.dispose()
