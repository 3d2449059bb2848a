"""Stored post documents stay what a read of the post gives, whatever changes what it shows.

Each test writes through the API (or the services) on a database whose write transactions
store documents, then compares every stored document with the JSON the framework path makes
from the rows (an app without direct reads). A document left stale by any write would be read
by every anonymous page that holds its post.
"""

import json
import random
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from pydantic import Field, create_model
from sqlalchemy import delete, select, text, update

from app.auth.models import Role
from app.core.config import Settings
from app.core.db import Database, create_db_engine
from app.core.migrations import upgrade
from app.derived.root import open_database
from app.main import create_app
from app.posts import documents
from app.posts.queries import DOCUMENTS, POSTS
from app.posts.schemas import PostPublic
from tests.conftest import FreshDatabase
from tests.factories import (
    Account,
    add_post_of_an_older_schema,
    make_account,
    make_post,
    make_source,
    store_documents_of_an_older_schema,
    token_kinds_of_an_older_schema,
    without_events,
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
        ("delete", f"{API}/posts/{second.id}", None),  # to the trash
        ("post", f"{API}/posts/{second.id}/restore", None),
        ("delete", f"{API}/posts/{second.id}?purge=true", None),
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
    migrate` (refresh_documents) stores them again."""
    plain = Database(create_db_engine(settings.database_url))
    # The site's key (for the lists' cursors) made first, as `presseschau migrate` has made it
    # on a real site: made by a read here, its write would store the queued documents too.
    assert client.get(f"{API}/posts").status_code == 200
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

        assert documents.refresh_documents(plain, settings.zone) == 1
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
    assert documents.refresh_documents(db, settings.zone, progress.append) == len(content["posts"])
    assert progress == [len(content["posts"])]
    _assert_current(db, framework, content["editor"])


def test_the_format_follows_the_response_schema() -> None:
    """A new field in a post's public shape changes the format with no number bumped; so
    does the revision, for changes in how values are written that the schema does not show."""

    class PostWithAField(PostPublic):
        reading_minutes: int = 0

    fields = PostPublic.model_fields
    # The same fields in another order: a document's keys would come in another order.
    reordered = create_model(  # type: ignore[call-overload]
        "PostPublic",
        **{name: (field.annotation, field) for name, field in reversed(fields.items())},
    )
    # Only described otherwise: the documents stay as they are.
    redescribed = create_model(  # type: ignore[call-overload]
        "PostPublic",
        __doc__="Ein Beitrag.",
        **{
            name: (field.annotation, Field(field.default, description=f"Neu: {name}"))
            for name, field in fields.items()
        },
    )

    assert documents.format_of(PostPublic) == documents.FORMAT
    assert documents.format_of(PostWithAField) != documents.FORMAT
    assert documents.format_of(reordered) != documents.FORMAT
    assert documents.format_of(redescribed) == documents.FORMAT
    assert documents.format_of(PostPublic, documents.REVISION + 1) != documents.FORMAT


def _formats(db: Database) -> set[str]:
    with db.engine.connect() as connection:
        return set(connection.execute(select(DOCUMENTS.c.format)).scalars())


def test_documents_of_another_format_are_never_served_and_migrate_refreshes_them(
    client: TestClient,
    framework: TestClient,
    db: Database,
    settings: Settings,
    content: Any,
    command_line: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A release whose posts show a new field meets the documents an older release stored:
    anonymous reads must give the new shape, as token reads do, until `presseschau migrate`
    stores every document anew."""
    editor: Account = content["editor"]
    first, second, third, _draft = content["posts"]
    old_format = documents.FORMAT
    # The older release's documents: the same posts without the field it did not know.
    with db.session() as session:
        for post_id, (_zone, document) in _stored(db).items():
            old_shape = {k: v for k, v in json.loads(document).items() if k != "likes"}
            session.execute(
                update(DOCUMENTS)
                .where(DOCUMENTS.c.post_id == post_id)
                .values(document=json.dumps(old_shape).encode())
            )
    monkeypatch.setattr(documents, "FORMAT", "0123456789abcdef")

    day = first.published_at.astimezone(ZoneInfo(settings.timezone)).date()
    urls = [
        f"{API}/posts/{first.id}",
        f"{API}/posts/{first.slug}",
        f"{API}/posts",
        f"{API}/posts?sort=title",
        f"{API}/posts?source={content['source'].slug}",
        f"{API}/archives/{day:%Y/%m/%d}",
    ]
    for url in urls:
        mine, theirs = client.get(url), framework.get(url)
        assert mine.status_code == theirs.status_code == 200, url
        assert mine.content == theirs.content, url
        assert b'"likes"' in mine.content, url

    # A write stores its post's document in the new format; the others stay unused.
    liked = client.post(f"{API}/posts/{second.id}/likes", headers=editor.headers)
    assert liked.status_code < 300, liked.text
    assert _formats(db) == {old_format, "0123456789abcdef"}
    mine, theirs = client.get(f"{API}/posts/{third.id}"), framework.get(f"{API}/posts/{third.id}")
    assert mine.content == theirs.content

    monkeypatch.setenv("PRESSESCHAU_TIMEZONE", settings.timezone)
    migrated = command_line(settings.database_url, "migrate")
    assert migrated.exit_code == 0, migrated.output
    assert f"stored the documents of {len(content['posts']) - 1} posts" in migrated.output
    assert _formats(db) == {"0123456789abcdef"}
    _assert_current(db, framework, editor)
    for url in urls:
        assert client.get(url).content == framework.get(url).content, url
    assert documents.refresh_documents(db, settings.zone) == 0


def test_the_refresh_stores_a_batch_per_transaction(
    db: Database, settings: Settings, content: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bounded memory and transactions, however many posts there are: a worker can run it."""
    monkeypatch.setattr(documents, "FORMAT", "0123456789abcdef")
    progress: list[int] = []
    assert documents.refresh_documents(db, settings.zone, progress.append, batch=3) == 4
    assert progress == [3, 4]
    assert _formats(db) == {"0123456789abcdef"}


def test_a_server_on_a_schema_before_formats_writes_on_and_stores_no_documents(
    backend: str, fresh_database_url: FreshDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started before `presseschau migrate`: none is stored (it would have no format), the
    queue is emptied, and the migration's refresh stores the post's document. A writer of
    the previous release, still running after the migration, stores documents that are of
    no format, which are never read and are refreshed as well."""
    url = fresh_database_url(backend)
    upgrade(url, "3b8e1d5a7c42")  # a revision before document formats (and title keys)
    without_events(monkeypatch)  # nor has it events
    database = open_database(url, zone=ZoneInfo("Europe/Berlin"))
    try:
        with token_kinds_of_an_older_schema(database):
            editor = make_account(database)
        database.call(add_post_of_an_older_schema, editor, "Beitrag", "Ein kurzer Beitrag.")
        with database.engine.connect() as connection:
            for table in ("post_documents", "post_document_queue"):
                assert connection.scalar(text(f"SELECT count(*) FROM {table}")) == 0  # noqa: S608
        upgrade(url)
        with database.session() as session:
            session.execute(
                text(
                    "INSERT INTO post_documents (post_id, zone, document) "
                    "SELECT id, 'Europe/Berlin', :stale FROM posts"
                ),
                {"stale": b'"alt"'},
            )
        assert _formats(database) == {""}
        app = create_app(Settings(database_url=url), database=database)
        with TestClient(app) as client:
            read = client.get(f"{API}/posts")
            assert read.status_code == 200
            assert b'"alt"' not in read.content
            assert b"Ein kurzer Beitrag." in read.content
        assert documents.refresh_documents(database, ZoneInfo("Europe/Berlin")) == 1
        assert _formats(database) == {documents.FORMAT}
    finally:
        database.dispose()


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
    backend: str, fresh_database_url: FreshDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the migration writes every stored document again, compressed in its row:
    reading one from out-of-line storage was most of a page query's time."""
    url = fresh_database_url(backend)
    upgrade(url, "9d4f6b2e8c17")  # the revision that made documents
    without_events(monkeypatch)  # long before events
    database = open_database(url)
    try:
        with token_kinds_of_an_older_schema(database):
            editor = make_account(database)
        rng = random.Random(4)
        words = ["Stadtrat", "Haushalt", "Kritik", "Energie", "Wahl", "Bahn", "Schule", "Nord"]
        # A body of the usual size, of words that do not compress to nothing.
        body = " ".join(f"{rng.choice(words)}{rng.randrange(10_000)}" for _ in range(400))
        for number, text_of_post in enumerate((body, "Ein kurzer Beitrag.")):
            database.call(add_post_of_an_older_schema, editor, f"Beitrag {number}", text_of_post)
        store_documents_of_an_older_schema(database, ZoneInfo("Europe/Berlin"))
        before = _stored(database)
        assert len(before) == 2
        toasted_before = _toasted(database) if backend == "postgresql" else 0
        upgrade(url)
        assert _stored(database) == before
        if backend == "postgresql":
            assert toasted_before > 0
            assert _toasted(database) == 0
        # Made before documents had a format: of none any release makes, so never read, and
        # stored anew by the refresh that `presseschau migrate` runs after the migrations.
        assert _formats(database) == {""}
        assert documents.refresh_documents(database, ZoneInfo("Europe/Berlin")) == 2
        assert _formats(database) == {documents.FORMAT}
    finally:
        database.dispose()
