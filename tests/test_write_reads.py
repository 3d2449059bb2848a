"""A write reads what it has written once: an edit's response and its post's stored document
come from one read, and the revisions a transaction keeps cost no count of the queue (on
both databases)."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.core.db import Database
from app.models import metadata
from app.posts import service as posts
from app.posts.schemas import PostUpdate
from app.posts.trash import purge_post
from tests.counting import count_queries
from tests.factories import BERLIN, make_account, make_post, tagged

REVISIONS = metadata.tables["post_revisions"]
QUEUE = metadata.tables["post_revision_queue"]
DOCUMENTS = metadata.tables["post_documents"]


def _reading(statements: list[str], table: str) -> list[str]:
    """The statements among these that read ``table``."""
    return [sql for sql in statements if sql.lstrip().upper().startswith("SELECT") and
            f" {table} " in f" {' '.join(sql.split())} "]  # fmt: skip


def test_an_edit_reads_its_post_and_tags_once_for_the_response_and_the_document(
    client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    post = make_post(db, editor, tags=["Hafen", "Wetter"])
    url = f"/api/v1/posts/{post.id}"
    # The token's first use is noted in a transaction of its own.
    assert client.patch(url, json={"title": "Neu"}, headers=editor.headers).status_code == 200
    with count_queries(db) as sent:
        edited = client.patch(url, json={"body": "Neu *betont*."}, headers=editor.headers)
    assert edited.status_code == 200, edited.text
    # The post: locked for the edit, read back once for the response and the document,
    # and read by the revisions hook with its latest revision; its tags: once for the
    # response and the document, once for the revision's snapshot; the revisions' queue:
    # by the hook's read of the post and of its tags, with no count before them.
    assert len(_reading(sent, "posts")) == 3
    assert len(_reading(sent, "post_tags")) == 2
    assert len(_reading(sent, "post_revision_queue")) == 2
    # The document went in with the edit, and is what an anonymous reader gets.
    with db.session() as session:
        stored = session.scalar(select(DOCUMENTS.c.document).where(DOCUMENTS.c.post_id == post.id))
    read = client.get(url)
    assert read.status_code == 200
    assert stored == read.content
    assert read.json() == edited.json() | {"tags": tagged("Hafen", "Wetter")}
    assert edited.json()["body_html"] == "<p>Neu <em>betont</em>.</p>\n"


def test_revisions_of_more_posts_than_a_batch_in_one_transaction(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches follow one another until the queue is empty, a full last batch and a post
    deleted after it was queued included."""
    monkeypatch.setattr("app.revisions.keeping.BATCH", 2)
    editor = make_account(db)
    made = [make_post(db, editor) for _ in range(6)]
    with db.session() as session:
        for post in made:
            posts.update_post(
                session, viewer=editor.viewer, id_or_slug=str(post.id),
                data=PostUpdate(title=f"{post.title} neu"), zone=BERLIN,
            )  # fmt: skip
        # Queued by its edit, gone before the commit.
        purge_post(session, viewer=editor.viewer, id_or_slug=str(made[2].id), zone=BERLIN)

    with db.session() as session:
        rows = session.execute(select(REVISIONS.c.post_id, REVISIONS.c.number))
        kept: dict[int, list[int]] = {}
        for row in rows:
            kept.setdefault(row.post_id, []).append(row.number)
        assert session.scalar(select(func.count()).select_from(QUEUE)) == 0
    assert {post_id: sorted(numbers) for post_id, numbers in kept.items()} == {
        post.id: [1, 2] for post in made if post.id != made[2].id
    }


def test_a_new_post_takes_no_savepoint_on_either_database(client: TestClient, db: Database) -> None:
    """SQLite's writers take turns: the slug a creation found free stays free. PostgreSQL's
    may collide, and the insert then skips the taken slug (no savepoint to survive a failed
    one) and the next is looked up (tests/test_concurrency.py)."""
    editor = make_account(db)
    make_post(db, editor, title="Hafenfest")
    body = {"title": "Hafenfest", "body": "Text"}
    assert client.post("/api/v1/posts", json=body, headers=editor.headers).status_code == 201
    with count_queries(db) as sent:
        created = client.post("/api/v1/posts", json=body, headers=editor.headers)
    assert created.status_code == 201, created.text
    assert created.json()["slug"] == "hafenfest-3"
    assert not [sql for sql in sent if sql.lstrip().upper().startswith("SAVEPOINT")]
    # A slug the client chose and another post has is still refused, and changes nothing.
    taken = client.post("/api/v1/posts", json={**body, "slug": "hafenfest"}, headers=editor.headers)
    assert taken.status_code == 409
    assert taken.headers["content-type"] == "application/problem+json"


def test_a_creation_keeps_its_first_revision_from_what_it_wrote_not_read_back(
    client: TestClient, db: Database
) -> None:
    editor = make_account(db, name="Redakteurin")
    first = {"title": "Erster", "body": "Text"}
    assert client.post("/api/v1/posts", json=first, headers=editor.headers).status_code == 201
    body = {
        "title": "Hafenfest", "body": "Am *Hafen* wird gefeiert.", "tags": ["Wetter", "Hafen"],
        "status": "published", "published_at": "2026-01-05T08:30:12.345678+01:00",
        "original_url": "https://example.org/hafen", "credit": "Übersetzung: A. B.",
    }  # fmt: skip
    with count_queries(db) as sent:
        created = client.post("/api/v1/posts", json=body, headers=editor.headers)
    assert created.status_code == 201, created.text
    post = created.json()
    # Its tags are read back once, for the response (their spelling and order as stored),
    # not again for the revision; the revisions hook finds the queue empty.
    assert len(_reading(sent, "post_tags")) == 1
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(QUEUE)) == 0
    # Revision 1 is the post as stored and read, by the writer, every field counted as set.
    revision = client.get(f"/api/v1/posts/{post['id']}/revisions/1", headers=editor.headers)
    assert revision.status_code == 200, revision.text
    kept = revision.json()
    stored = client.get(f"/api/v1/posts/{post['id']}", headers=editor.headers).json()
    snapshot = kept["snapshot"]
    assert snapshot.pop("source_id") is None
    assert stored["source"] is None
    # A revision keeps its tags' names, as writes take them.
    assert snapshot.pop("tags") == [tag["name"] for tag in stored["tags"]]
    assert snapshot == {name: stored[name] for name in snapshot}
    assert kept["actor"] == {
        "kind": "token",
        "user_id": editor.viewer.user_id,
        "name": "Redakteurin",
    }
    assert kept["previous"] is None
    listed = client.get(f"/api/v1/posts/{post['id']}/revisions", headers=editor.headers).json()
    assert [item["number"] for item in listed["items"]] == [1]


def _sent(statements: list[str]) -> list[str]:
    """The statements of a write's own transaction: no PRAGMA, BEGIN or token check."""
    return [
        " ".join(sql.split()) for sql in statements
        if not sql.lstrip().upper().startswith(("PRAGMA", "BEGIN"))
        and " api_tokens" not in sql
    ]  # fmt: skip


@pytest.mark.parametrize("slug", [None, "eigener-slug"], ids=["slug chosen", "slug given"])
def test_a_creation_sends_no_savepoint_and_writes_its_post_once(
    client: TestClient, db: Database, slug: str | None
) -> None:
    """A new post goes in with one statement that skips a slug another writer took, so no
    savepoint guards it (two statements more on every creation), on either database; what
    the creation stores besides (document, first revision) comes from the values at hand."""
    editor = make_account(db)
    # The token's first use is noted in a transaction of its own.
    first = client.post("/api/v1/posts", json={"title": "Erster"}, headers=editor.headers)
    assert first.status_code == 201, first.text
    body = {"title": "Hafen im Nebel", "body": "Text *betont*.", "tags": []}
    with count_queries(db) as sent:
        created = client.post(
            "/api/v1/posts", json=body | ({"slug": slug} if slug else {}), headers=editor.headers
        )
    assert created.status_code == 201, created.text
    statements = _sent(sent)
    assert not [sql for sql in statements if "SAVEPOINT" in sql.upper()]
    # The source's recognition, the slug's lookup (unless given), the post, its document and
    # its first revision (each taken off its queue), and the commit's look at both queues.
    assert len(statements) == (8 if slug else 9), statements
    assert len([sql for sql in statements if sql.startswith("INSERT INTO posts ")]) == 1
    # A taken slug the client gives is still theirs to change: nothing written, 409.
    again = client.post("/api/v1/posts", json=body | {"slug": created.json()["slug"]},
                        headers=editor.headers)  # fmt: skip
    assert again.status_code == 409, again.text
    assert created.json()["slug"] in again.json()["detail"]
