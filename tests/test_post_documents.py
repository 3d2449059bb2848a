"""Stored post documents stay what a read of the post gives, whatever changes what it shows.

Each test writes through the API (or the services) on a database whose write transactions
store documents, then compares every stored document with the JSON the framework path makes
from the rows (an app without direct reads). A document left stale by any write would be read
by every anonymous page that holds its post.
"""

import random
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text, update

from app.auth.models import Role
from app.core.config import Settings
from app.core.db import Database, create_db_engine
from app.core.migrations import upgrade
from app.derived.root import open_database
from app.posts import documents
from app.posts.queries import DOCUMENTS, POSTS
from tests.conftest import FreshDatabase
from tests.factories import (
    Account,
    add_post_of_an_older_schema,
    make_account,
    make_post,
    make_source,
)

API = "/api/v1"


@pytest.fixture
def admin(db: Database) -> Account:
    return make_account(db, role=Role.admin, name="Verwaltung")


def _stored(db: Database) -> dict[int, tuple[str, bytes]]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(DOCUMENTS.c.post_id, DOCUMENTS.c.zone, DOCUMENTS.c.document)
        )
        return {post_id: (zone, bytes(document)) for post_id, zone, document in rows}


def _post_ids(db: Database) -> set[int]:
    with db.engine.connect() as connection:
        return set(connection.execute(text("SELECT id FROM posts")).scalars())


def _assert_current(db: Database, framework: TestClient, editor: Account) -> None:
    """Every post has a document in the site's zone, and it is the framework's JSON."""
    stored = _stored(db)
    assert set(stored) == _post_ids(db)
    for post_id, (zone, document) in stored.items():
        assert zone == "Europe/Berlin"
        # An editor reads drafts and scheduled posts too, with the same fields.
        read = framework.get(f"{API}/posts/{post_id}", headers=editor.headers)
        assert read.status_code == 200
        assert document == read.content, post_id


@pytest.fixture
def content(client: TestClient, db: Database) -> dict[str, Any]:
    """Posts written through an app (whose writes store documents), with sources and tags."""
    editor = make_account(db, name="Erika Muster")
    source = make_source(db, name="Kurier")
    posts = [
        make_post(db, editor, source_id=source.id, tags=["Wirtschaft", "Ökologie"]),
        make_post(db, editor, source_id=source.id, tags=["Wirtschaft"]),
        make_post(db, editor, tags=["Kultur"]),
        make_post(db, editor, status="draft"),
    ]
    return {"editor": editor, "source": source, "posts": posts}


def test_every_write_stores_the_documents_it_changes(
    client: TestClient, framework: TestClient, db: Database, admin: Account, content: Any
) -> None:
    editor: Account = content["editor"]
    first, second, third, draft = content["posts"]
    _assert_current(db, framework, editor)

    steps = [
        ("patch", f"{API}/posts/{first.id}", {"title": "Neuer Titel", "body": "Neu *betont*."}),
        ("patch", f"{API}/posts/{second.id}", {"tags": ["Kultur", "Neu"]}),
        ("patch", f"{API}/posts/{draft.id}", {"status": "published"}),
        ("patch", f"{API}/posts/{third.id}", {"source_id": content["source"].id}),
        ("post", f"{API}/posts/{first.id}/likes", None),
        ("patch", f"{API}/sources/{content['source'].id}", {"name": "Neuer Kurier"}),
        ("patch", f"{API}/users/{editor.viewer.user_id}", {"name": "Erika Neu"}),
        ("delete", f"{API}/posts/{second.id}", None),
    ]
    for method, url, body in steps:
        response = client.request(method, url, json=body, headers=admin.headers)
        assert response.status_code < 300, (url, response.text)
        _assert_current(db, framework, editor)
    assert second.id not in _stored(db)


def test_a_renamed_tag_changes_the_documents_of_its_posts(
    client: TestClient, framework: TestClient, db: Database, content: Any
) -> None:
    # Tags have no endpoint of their own yet; the trigger covers any writer that renames one.
    with db.session() as session:
        session.execute(text("UPDATE tags SET name = 'Ökonomie' WHERE name = 'Wirtschaft'"))
    _assert_current(db, framework, content["editor"])
    assert b'"\xc3\x96konomie"' in _stored(db)[content["posts"][0].id][1]


def test_a_writer_that_stores_no_documents_leaves_none_stale(
    client: TestClient, framework: TestClient, settings: Settings, content: Any
) -> None:
    """A writer without ``keep_documents`` (another tool, an SQL console): the triggers drop
    the documents it changes, reads make those posts from their rows, and `presseschau
    migrate` (store_missing) stores them again."""
    plain = Database(create_db_engine(settings.database_url))
    try:
        first = content["posts"][0]
        with plain.session() as session:
            session.execute(update(POSTS).where(POSTS.c.id == first.id).values(title="Von außen"))
        assert first.id not in _stored(plain)
        for url in (f"{API}/posts/{first.id}", f"{API}/posts", f"{API}/archives/2022/01/10"):
            mine, theirs = client.get(url), framework.get(url)
            assert mine.status_code == theirs.status_code == 200
            assert mine.content == theirs.content
        assert b"Von au\xc3\x9fen" in client.get(f"{API}/posts/{first.id}").content

        assert documents.store_missing(plain, settings.zone) == 1
        _assert_current(plain, framework, content["editor"])
    finally:
        plain.dispose()


def test_documents_of_another_time_zone_are_not_read_and_are_made_again(
    client: TestClient, framework: TestClient, db: Database, settings: Settings, content: Any
) -> None:
    with db.session() as session:
        session.execute(update(DOCUMENTS).values(zone="America/New_York", document=b'"alt"'))
        # A post whose document is gone altogether is made from its row as well.
        session.execute(delete(DOCUMENTS).where(DOCUMENTS.c.post_id == content["posts"][1].id))
    for url in (f"{API}/posts", f"{API}/posts/{content['posts'][0].id}"):
        mine, theirs = client.get(url), framework.get(url)
        assert (mine.status_code, mine.content) == (theirs.status_code, theirs.content)
        assert b'"alt"' not in mine.content

    progress: list[int] = []
    assert documents.store_missing(db, settings.zone, progress.append) == len(content["posts"])
    assert progress == [len(content["posts"])]
    _assert_current(db, framework, content["editor"])


def test_a_failed_write_leaves_the_documents_as_they_were(
    client: TestClient, framework: TestClient, db: Database, content: Any
) -> None:
    before = _stored(db)
    first, second, *_ = content["posts"]
    taken = client.patch(
        f"{API}/posts/{first.id}",
        json={"title": "Anders", "slug": second.slug},
        headers=content["editor"].headers,
    )
    assert taken.status_code == 409
    assert _stored(db) == before


def _toasted(database: Database) -> int:
    """How many chunks of PostgreSQL's out-of-line storage (TOAST) the documents take."""
    with database.engine.connect() as connection:
        toast = connection.scalar(
            text(
                "SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'post_documents'"
            )
        )
        return int(connection.scalar(text(f"SELECT count(*) FROM {toast}")))  # noqa: S608


def test_documents_come_through_their_storage_migration_unchanged(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    """On PostgreSQL the migration writes every stored document again, compressed in its row:
    reading one from out-of-line storage was most of a page query's time."""
    url = fresh_database_url(backend)
    upgrade(url, "9d4f6b2e8c17")  # the revision that made documents
    database = open_database(url)
    try:
        editor = make_account(database)
        rng = random.Random(4)
        words = ["Stadtrat", "Haushalt", "Kritik", "Energie", "Wahl", "Bahn", "Schule", "Nord"]
        # A body of the usual size, of words that do not compress to nothing.
        body = " ".join(f"{rng.choice(words)}{rng.randrange(10_000)}" for _ in range(400))
        for number, text_of_post in enumerate((body, "Ein kurzer Beitrag.")):
            database.call(add_post_of_an_older_schema, editor, f"Beitrag {number}", text_of_post)
        before = _stored(database)
        assert len(before) == 2
        toasted_before = _toasted(database) if backend == "postgresql" else 0
        upgrade(url)
        assert _stored(database) == before
        if backend == "postgresql":
            assert toasted_before > 0
            assert _toasted(database) == 0
    finally:
        database.dispose()
