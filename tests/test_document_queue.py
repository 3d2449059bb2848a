"""A rename stores at most a bound of its posts' documents before it commits; the worker
stores the rest, never over a later write's, and reads never show a stale one meanwhile.

The bound is lowered for these tests (a source of a hundred posts would only be slower to
make): what is tested is that it holds, whatever its number.
"""

import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.auth.models import Role
from app.core.db import Database, create_db_engine
from app.core.migrations import downgrade, upgrade
from app.derived.root import open_database
from app.importers.files import import_wxr
from app.posts import document_queue, documents
from app.posts.document_queue import read_queued, render, store, store_in
from app.sources.schemas import SourcePublic
from app.worker.runner import Worker
from app.worker.tasks import standard_registry
from tests.conftest import FreshDatabase
from tests.factories import Account, make_account, make_post, make_source
from tests.jobs import eventually

API = "/api/v1"
BERLIN = ZoneInfo("Europe/Berlin")
BOUND = 3
POSTS = 8  # of the renamed source: more than the bound
# The schema before the queue had generations.
DOWN_REVISION = "5c1e7d20a9b3"


@pytest.fixture(autouse=True)
def small_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "AT_COMMIT_MAX", BOUND)


@pytest.fixture
def editor(db: Database) -> Account:
    return make_account(db, name="Erika Muster")


@pytest.fixture
def admin(db: Database) -> Account:
    return make_account(db, role=Role.admin, name="Verwaltung")


@pytest.fixture
def source(db: Database, editor: Account) -> SourcePublic:
    made = make_source(db, name="Kurier")
    for _ in range(POSTS):
        make_post(db, editor, source_id=made.id, tags=["Wirtschaft"])
    return made


def _documents(db: Database, *, queued: bool = False) -> dict[int, bytes]:
    """The stored documents reads use: of posts not queued (or all of them, ``queued``)."""
    unqueued = "" if queued else " WHERE post_id NOT IN (SELECT post_id FROM post_document_queue)"
    with db.engine.connect() as connection:
        statement = f"SELECT post_id, document FROM post_documents{unqueued}"  # noqa: S608
        rows = connection.execute(text(statement))
        return {post_id: bytes(document) for post_id, document in rows}


def _queue(db: Database) -> dict[int, tuple[int, int]]:
    """Each queued post's generation and at_commit."""
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT post_id, generation, at_commit FROM post_document_queue")
        )
        return {row.post_id: (row.generation, row.at_commit) for row in rows}


def _posts_of(db: Database, source_id: int) -> set[int]:
    with db.engine.connect() as connection:
        found = connection.execute(
            text("SELECT id FROM posts WHERE source_id = :id"), {"id": source_id}
        )
        return set(found.scalars())


def _rename(client: TestClient, admin: Account, source: SourcePublic, name: str) -> None:
    renamed = client.patch(f"{API}/sources/{source.id}", json={"name": name}, headers=admin.headers)
    assert renamed.status_code == 200, renamed.text


def _drain(db: Database) -> int:
    stored = 0
    while done := document_queue.store_queued_documents(db, BERLIN):
        stored += done
    return stored


def _assert_current(db: Database, framework: TestClient, editor: Account) -> None:
    """Every post has a stored document, and it is the JSON the framework makes of its row
    (read by an editor, who reads drafts too, with the same fields)."""
    stored = _documents(db)
    with db.engine.connect() as connection:
        assert set(stored) == set(connection.execute(text("SELECT id FROM posts")).scalars())
    for post_id, document in stored.items():
        read = framework.get(f"{API}/posts/{post_id}", headers=editor.headers)
        assert document == read.content, post_id


def test_a_rename_past_the_bound_stores_the_bound_and_leaves_the_rest_to_the_worker(
    client: TestClient,
    framework: TestClient,
    db: Database,
    editor: Account,
    source: SourcePublic,
    admin: Account,
) -> None:
    posts = _posts_of(db, source.id)
    assert set(_documents(db)) == posts
    assert _queue(db) == {}

    _rename(client, admin, source, "Neuer Kurier")
    # The bound's documents stored by the rename's commit, the others queued for the worker:
    # left in place (not deleted under the write lock), but no read uses them.
    assert len(set(_documents(db)) & posts) == BOUND
    left = _queue(db)
    assert set(left) == posts - set(_documents(db))
    assert {at_commit for _generation, at_commit in left.values()} == {0}
    stale = _documents(db, queued=True)
    assert set(stale) >= set(left)
    assert all(b"Neuer Kurier" not in stale[post_id] for post_id in left)

    # Right after it, anonymous reads (which serve documents) show the new name for every
    # post, the same as the framework makes from the rows.
    for url in [f"{API}/posts?source={source.slug}", *(f"{API}/posts/{p}" for p in posts)]:
        mine, theirs = client.get(url), framework.get(url)
        assert mine.status_code == theirs.status_code == 200, url
        assert mine.content == theirs.content, url
        assert b"Neuer Kurier" in mine.content, url
        assert b'"Kurier"' not in mine.content, url
    assert client.get(f"{API}/posts?source={source.slug}").json()["total"] == POSTS

    # The worker's sweep stores the rest, a batch per round.
    assert _drain(db) == POSTS - BOUND
    assert _queue(db) == {}
    _assert_current(db, framework, editor)


def test_the_worker_registered_in_every_worker_stores_them(
    client: TestClient,
    framework: TestClient,
    db: Database,
    editor: Account,
    source: SourcePublic,
    admin: Account,
) -> None:
    _rename(client, admin, source, "Neuer Kurier")
    assert _queue(db)
    worker = Worker(db, standard_registry(db, BERLIN, search_languages=("de",)))
    while worker.sweep().handled:
        pass
    assert _queue(db) == {}
    _assert_current(db, framework, editor)


def test_a_post_edited_after_the_workers_read_keeps_the_edits_document(
    client: TestClient,
    framework: TestClient,
    db: Database,
    editor: Account,
    source: SourcePublic,
    admin: Account,
) -> None:
    _rename(client, admin, source, "Neuer Kurier")
    left = sorted(_queue(db))
    made = render(read_queued(db), BERLIN)  # read before the edit, stored after it
    edited = left[0]
    patched = client.patch(
        f"{API}/posts/{edited}", json={"title": "Nach der Lesung"}, headers=editor.headers
    )
    assert patched.status_code == 200, patched.text
    # The edit's commit stored its post's document, as every edit does.
    assert b"Nach der Lesung" in _documents(db)[edited]

    stored = store(db, made, BERLIN)
    assert (stored.stored, stored.stale) == (len(left) - 1, 1)
    assert b"Nach der Lesung" in _documents(db)[edited]
    _assert_current(db, framework, editor)


def test_a_rename_again_after_the_workers_read_is_not_overwritten_by_it(
    client: TestClient,
    framework: TestClient,
    db: Database,
    editor: Account,
    source: SourcePublic,
    admin: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The queue row is still there when the old read is stored: only its generation tells
    that the post changed after the read."""
    monkeypatch.setattr(documents, "AT_COMMIT_MAX", 0)
    _rename(client, admin, source, "Erster Name")
    read = read_queued(db)
    made = render(read, BERLIN)
    assert all(b"Erster Name" in post.document for post in made if post.document)
    _rename(client, admin, source, "Zweiter Name")
    queued = _queue(db)
    assert set(queued) == {post.post_id for post in read}
    assert all(queued[post.post_id][0] != post.generation for post in read)

    stored = store(db, made, BERLIN)
    assert (stored.stored, stored.stale) == (0, POSTS)
    assert not set(_documents(db)) & _posts_of(db, source.id)
    assert b"Zweiter Name" in client.get(f"{API}/posts/{read[0].post_id}").content
    assert _drain(db) == POSTS
    _assert_current(db, framework, editor)


def test_an_edit_has_its_document_at_commit_while_a_rename_waits_for_the_worker(
    client: TestClient,
    framework: TestClient,
    db: Database,
    editor: Account,
    source: SourcePublic,
    admin: Account,
) -> None:
    _rename(client, admin, source, "Neuer Kurier")
    left = _queue(db)
    assert len(left) == POSTS - BOUND
    # One of the posts left to the worker, and another post: each edit stores its own post's
    # document as it commits, and takes none of the rename's others.
    other = make_post(db, editor, tags=["Kultur"])
    for post_id in (min(left), other.id):
        patched = client.patch(
            f"{API}/posts/{post_id}", json={"tags": ["Kultur", "Neu"]}, headers=editor.headers
        )
        assert patched.status_code == 200, patched.text
        assert post_id not in _queue(db)
        assert _documents(db)[post_id] == framework.get(f"{API}/posts/{post_id}").content
    assert set(_queue(db)) == set(left) - {min(left)}


def test_a_bulk_change_within_the_bound_stores_every_document_it_changes(
    client: TestClient, framework: TestClient, db: Database, editor: Account, source: SourcePublic
) -> None:
    ids = sorted(_posts_of(db, source.id))[:BOUND]
    done = client.post(
        f"{API}/posts/bulk",
        json={"action": "retag", "ids": ids, "add_tags": ["Neu"]},
        headers=editor.headers,
    )
    assert done.status_code == 200, done.text
    assert _queue(db) == {}
    _assert_current(db, framework, editor)


def test_an_import_stores_every_document_of_its_batch_past_the_bound(
    framework: TestClient,
    db: Database,
    editor: Account,
) -> None:
    summary = import_wxr(
        db, Path(__file__).parent / "data" / "blog.wxr", zone=BERLIN, language="de"
    )
    assert summary.created > BOUND
    assert _queue(db) == {}
    _assert_current(db, framework, editor)


def test_a_writer_holding_a_post_keeps_the_worker_from_it_without_a_wait(
    client: TestClient,
    framework: TestClient,
    db: Database,
    editor: Account,
    source: SourcePublic,
    admin: Account,
) -> None:
    """On PostgreSQL a post a writer is changing is skipped (SKIP LOCKED), the others stored;
    on SQLite the worker's write waits for the writer's lock, then finds the post changed."""
    _rename(client, admin, source, "Neuer Kurier")
    left = sorted(_queue(db))
    made = render(read_queued(db), BERLIN)
    editing, commit = threading.Event(), threading.Event()

    def edit() -> None:
        with db.write_connection() as connection:
            connection.execute(
                text("UPDATE posts SET title = 'Umbenannt' WHERE id = :id"), {"id": left[0]}
            )
            editing.set()
            commit.wait(30)

    writer = threading.Thread(target=edit)
    writer.start()
    assert editing.wait(30)
    try:
        if db.engine.dialect.name == "postgresql":
            with db.write_connection() as connection:
                stored = store_in(connection, made, BERLIN)
            assert (stored.stored, stored.stale) == (len(left) - 1, 1)
    finally:
        commit.set()
        writer.join(30)
    if db.engine.dialect.name != "postgresql":
        stored = store(db, made, BERLIN)
        assert (stored.stored, stored.stale) == (len(left) - 1, 1)
    eventually(lambda: left[0] not in _queue(db), "the writer's commit storing its post")
    assert b"Umbenannt" in _documents(db)[left[0]]
    _assert_current(db, framework, editor)


def test_a_tag_renamed_past_the_bound_is_shown_at_once_and_stored_by_the_worker(
    client: TestClient,
    framework: TestClient,
    db: Database,
    editor: Account,
    source: SourcePublic,
) -> None:
    # Tags have no endpoint of their own; the triggers follow any writer that renames one.
    with db.session() as session:
        session.execute(text("UPDATE tags SET name = 'Ökonomie' WHERE name = 'Wirtschaft'"))
    posts = _posts_of(db, source.id)
    assert len(set(_documents(db)) & posts) == BOUND
    assert set(_queue(db)) == posts - set(_documents(db))
    for post_id in posts:
        read = client.get(f"{API}/posts/{post_id}")
        assert read.content == framework.get(f"{API}/posts/{post_id}").content
        # The slug is the tag's as stored: this writer changed the name alone.
        assert read.json()["tags"] == [{"slug": "wirtschaft", "name": "Ökonomie"}]
    assert _drain(db) == POSTS - BOUND
    _assert_current(db, framework, editor)


def test_a_downgrade_leaves_no_document_of_a_queued_post_to_be_read(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    """The release before reads a post's document whether it is queued or not: the documents
    a rename left in place for the worker go with the queue."""
    url = fresh_database_url(backend)
    upgrade(url)
    database = open_database(url, zone=BERLIN)
    try:
        editor = make_account(database)
        renamed = make_source(database, name="Kurier")
        for _ in range(POSTS):
            make_post(database, editor, source_id=renamed.id)
        kept = make_post(database, editor)
        with database.session() as session:
            session.execute(text("UPDATE sources SET name = 'Neuer Kurier'"))
        queued = set(_queue(database))
        assert len(queued) == POSTS - BOUND
        before = _documents(database, queued=True)
        assert set(before) >= queued
        downgrade(url, DOWN_REVISION)
        after = _documents(database, queued=True)
        assert set(after) == set(before) - queued
        assert kept.id in after
        with database.engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM post_document_queue")) == 0
    finally:
        database.dispose()


def test_a_write_leaves_a_queued_post_another_transaction_holds_without_waiting(
    db: Database, editor: Account
) -> None:
    """A post queued by a writer that stores no documents is taken by the next write's
    commit; if another transaction holds that post as a delete does (FOR UPDATE), the commit
    leaves it to the worker rather than wait (PostgreSQL: a document stored for it would
    wait for that transaction, and break its foreign key if the post goes). SQLite runs one
    writer at a time."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    held, other = make_post(db, editor), make_post(db, editor)
    plain = Database(create_db_engine(db.engine.url.render_as_string(hide_password=False)))
    holding, commit = threading.Event(), threading.Event()

    def hold() -> None:
        with plain.write_connection() as connection:
            connection.execute(
                text("SELECT id FROM posts WHERE id = :id FOR UPDATE"), {"id": held.id}
            )
            holding.set()
            commit.wait(30)

    try:
        # A like: it changes the post's document, not its content (no revision to write).
        with plain.session() as session:
            session.execute(text("UPDATE posts SET likes = 7 WHERE id = :id"), {"id": held.id})
        assert _queue(db)[held.id][1] > 0  # its writer stored nothing: the next commit's
        holder = threading.Thread(target=hold)
        holder.start()
        assert holding.wait(30)
        try:
            with db.write_connection() as connection:
                connection.execute(
                    text("UPDATE posts SET likes = 1 WHERE id = :id"), {"id": other.id}
                )
            # Left to the worker while the lock is still held.
            assert _queue(db)[held.id][1] == 0
        finally:
            commit.set()
            holder.join(30)
        assert _drain(db) == 1
        assert _queue(db) == {}
        assert b'"likes":7' in _documents(db)[held.id]
    finally:
        plain.dispose()
