"""The search index stays right through every write path, on both databases: a changed post
is found by nothing until the indexer has taken it in again, then by its new words only.

Queries here are single tokens (or a phrase of them) matched straight against the index
table, as the search service's own queries do (FTS5 MATCH, tsquery @@)."""

import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.core.db import Database
from app.core.migrations import upgrade
from app.derived.root import open_database
from app.importers.files import import_archive_page, import_wxr
from app.search import index
from app.search.analyzer import analyse_post, word_token
from app.search.index import analyse, index_queued, read_queued, reindex
from app.search.rendering import columns, fts_text, tsvector_literal
from app.search.store import store, store_in
from app.search.terms import FILLER, POST_ID_MASK, Analysed, search_key
from app.transfer import restorer
from app.transfer.exporter import Export
from app.worker.runner import Worker
from app.worker.tasks import standard_registry
from tests.conftest import FreshDatabase
from tests.factories import (
    BERLIN,
    Account,
    make_account,
    make_post,
    make_source,
)
from tests.jobs import eventually

API = "/api/v1"
LANGUAGES = ("de", "en")
DATA = Path(__file__).parent / "data"
# The release before the search index.
BEFORE_SEARCH = "2b659d1674b6"


def tok(word: str, language: str = "de") -> str:
    token = word_token(word, language)
    assert token is not None, word
    return token


def drain(database: Database) -> int:
    return index_queued(database, LANGUAGES).stored


def found(database: Database, *words: str) -> set[int]:
    """The posts whose index holds ``words`` (German tokens) as a phrase (one word: the word)."""
    tokens = [tok(word) for word in words]
    with database.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            query = " <-> ".join(f"'{token}'" for token in tokens)
            statement = (
                "SELECT key & 4294967295 FROM post_search_text "
                "WHERE document @@ CAST(:query AS tsquery)"
            )
        else:
            query = '"' + " ".join(tokens) + '"'
            statement = (
                "SELECT rowid & 4294967295 FROM post_search_text "
                "WHERE post_search_text MATCH :query"
            )
        return set(connection.execute(text(statement), {"query": query}).scalars())


def queued(database: Database) -> dict[int, int]:
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT post_id, generation FROM post_search_queue"))
        return {row.post_id: row.generation for row in rows}


def renames(database: Database) -> list[tuple[str, int, int]]:
    """The renames recorded and not yet expanded: kind, source or tag, posts queued up to."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT kind, target_id, after_post FROM post_search_renames ORDER BY 1, 2")
        )
        return [(row.kind, row.target_id, row.after_post) for row in rows]


def count(database: Database, table: str) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


def assert_every_post_indexed(database: Database) -> None:
    """Each post is in the index once, found by its title's first word; nothing is left
    queued, and the index holds no row of a post that is gone."""
    with database.engine.connect() as connection:
        posts = connection.execute(text("SELECT id, title, language FROM posts")).all()
    assert posts
    assert queued(database) == {}
    assert count(database, "post_search") == len(posts) == count(database, "post_search_text")
    for post_id, title, language in posts:
        word = next(part for part in title.split() if word_token(part, language))
        assert post_id in found_token(database, tok(word, language)), title


def found_token(database: Database, token: str) -> set[int]:
    with database.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            statement = (
                "SELECT key & 4294967295 FROM post_search_text "
                "WHERE document @@ CAST(:query AS tsquery)"
            )
            query = f"'{token}'"
        else:
            statement = (
                "SELECT rowid & 4294967295 FROM post_search_text "
                "WHERE post_search_text MATCH :query"
            )
            query = f'"{token}"'
        return set(connection.execute(text(statement), {"query": query}).scalars())


@pytest.fixture
def editor(db: Database) -> Account:
    return make_account(db)


def _create(client: TestClient, editor: Account, **fields: Any) -> dict[str, Any]:
    created = client.post(f"{API}/posts", json=fields, headers=editor.headers)
    assert created.status_code == 201, created.text
    return dict(created.json())


def _patch(client: TestClient, editor: Account, post_id: int, **fields: Any) -> None:
    patched = client.patch(f"{API}/posts/{post_id}", json=fields, headers=editor.headers)
    assert patched.status_code == 200, patched.text


# ---- each write path --------------------------------------------------------------------


def test_a_created_post_is_found_by_its_words_once_indexed(
    client: TestClient, db: Database, editor: Account
) -> None:
    source = make_source(db, name="Steppenkurier")
    post = _create(
        client,
        editor,
        title="Unruhen in Kasachstan",
        body="Proteste in Almaty gegen Gaspreise",
        tags=["Zentralasien"],
        source_id=source.id,
        status="published",
    )
    assert found(db, "Kasachstan") == set()  # not yet indexed: found by nothing
    assert set(queued(db)) == {post["id"]}
    assert drain(db) == 1
    for word in ("Kasachstan", "Unruhen", "Almaty", "Gaspreise", "Zentralasien", "Steppenkurier"):
        assert found(db, word) == {post["id"]}, word
    assert found(db, "Unruhe") == {post["id"]}  # stemmed alike
    assert queued(db) == {}
    with db.engine.connect() as connection:
        row = connection.execute(text("SELECT key, title_terms FROM post_search")).one()
    assert row.key & POST_ID_MASK == post["id"]
    assert row.title_terms == " ".join(tok(word) for word in ("Unruhen", "in", "Kasachstan"))


def test_an_edit_takes_the_post_out_until_it_is_indexed_with_its_new_words(
    client: TestClient, db: Database, editor: Account
) -> None:
    post = _create(client, editor, title="Hafenstreik in Hamburg", body="Die Kräne stehen still")
    drain(db)
    assert found(db, "Hafenstreik") == {post["id"]}
    _patch(client, editor, post["id"], title="Bahnstreik in Berlin", body="Die Züge stehen still")
    # A post not yet indexed again is found by nothing, not by its old text.
    assert found(db, "Hafenstreik") == found(db, "Bahnstreik") == set()
    assert found(db, "stehen") == set()
    assert drain(db) == 1
    assert found(db, "Hafenstreik") == found(db, "Kräne") == set()
    assert found(db, "Bahnstreik") == found(db, "Züge") == found(db, "stehen") == {post["id"]}


def test_a_status_change_trash_and_restore_leave_the_index_alone(
    client: TestClient, db: Database, editor: Account
) -> None:
    post = _create(client, editor, title="Wahlen in Usbekistan", status="published")
    drain(db)
    with db.engine.connect() as connection:
        before = connection.execute(text("SELECT * FROM post_search")).all()
    _patch(client, editor, post["id"], status="draft")
    assert client.delete(f"{API}/posts/{post['id']}", headers=editor.headers).status_code == 204
    restored = client.post(f"{API}/posts/{post['id']}/restore", headers=editor.headers)
    assert restored.status_code == 200, restored.text
    # Visibility is decided when a query runs: nothing to index again.
    assert queued(db) == {}
    assert found(db, "Usbekistan") == {post["id"]}
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT * FROM post_search")).all() == before


def test_a_purged_post_leaves_the_index_with_nothing_queued(
    client: TestClient, db: Database, editor: Account
) -> None:
    post = _create(client, editor, title="Dürre in Turkmenistan", tags=["Klima", "Wasser"])
    kept = _create(client, editor, title="Dürre in Tadschikistan")
    drain(db)
    assert found(db, "Dürre") == {post["id"], kept["id"]}
    url = f"{API}/posts/{post['id']}"
    assert client.delete(url, headers=editor.headers).status_code == 204
    purged = client.delete(url, params={"purge": "true"}, headers=editor.headers)
    assert purged.status_code == 204
    assert found(db, "Dürre") == {kept["id"]}
    assert queued(db) == {}  # its tags went with it: it is not queued again
    assert count(db, "post_search") == count(db, "post_search_text") == 1


def test_a_purge_before_indexing_leaves_nothing_behind(
    client: TestClient, db: Database, editor: Account
) -> None:
    post = _create(client, editor, title="Kurzlebig", tags=["Eintag"])
    url = f"{API}/posts/{post['id']}"
    assert client.delete(url, headers=editor.headers).status_code == 204
    assert client.delete(url, params={"purge": "true"}, headers=editor.headers).status_code == 204
    assert queued(db) == {}
    assert drain(db) == 0
    assert count(db, "post_search") == count(db, "post_search_text") == 0


def test_a_source_rename_reindexes_its_posts(
    client: TestClient, db: Database, editor: Account
) -> None:
    source = make_source(db, name="Nachtpost")
    other = make_source(db, name="Morgenblatt")
    posts = [make_post(db, editor, source_id=source.id) for _ in range(3)]
    unrelated = make_post(db, editor, source_id=other.id)
    drain(db)
    assert found(db, "Nachtpost") == {post.id for post in posts}
    renamed = client.patch(
        f"{API}/sources/{source.id}", json={"name": "Abendpost"}, headers=editor.headers
    )
    assert renamed.status_code == 200, renamed.text
    # One row, whatever the number of posts: the indexer queues them.
    assert renames(db) == [("source", source.id, 0)]
    assert queued(db) == {}
    # The posts' own text is unchanged: found by the old name until indexed again.
    assert found(db, "Nachtpost") == {post.id for post in posts}
    assert drain(db) == 3
    assert found(db, "Nachtpost") == set()
    assert found(db, "Abendpost") == {post.id for post in posts}
    assert found(db, "Morgenblatt") == {unrelated.id}
    assert renames(db) == []
    assert queued(db) == {}


def test_tags_added_removed_and_renamed_reindex_their_posts(
    client: TestClient, db: Database, editor: Account
) -> None:
    post = _create(client, editor, title="Gipfeltreffen", tags=["Diplomatie"])
    other = _create(client, editor, title="Nebenbei", tags=["Diplomatie"])
    drain(db)
    assert found(db, "Diplomatie") == {post["id"], other["id"]}
    _patch(client, editor, post["id"], tags=["Handel"])
    assert found(db, "Gipfeltreffen") == set()
    drain(db)
    assert found(db, "Diplomatie") == {other["id"]}
    assert found(db, "Handel") == {post["id"]}
    # No route renames a tag: SQL typed by hand does, and the triggers follow it.
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE tags SET name = 'Kommerz' WHERE name = 'Handel'"))
    assert [kind for kind, _, _ in renames(db)] == ["tag"]
    assert drain(db) == 1
    assert found(db, "Handel") == set()
    assert found(db, "Kommerz") == {post["id"]}


def test_sql_typed_by_hand_is_followed(db: Database, editor: Account) -> None:
    post = make_post(db, editor, title="Ölpreis steigt")
    drain(db)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE posts SET title = 'Gaspreis fällt' WHERE id = :id"), {"id": post.id}
        )
    assert found(db, "Ölpreis") == found(db, "Gaspreis") == set()
    drain(db)
    assert found(db, "Ölpreis") == set()
    assert found(db, "Gaspreis") == {post.id}
    # A write of the same values, or of a column the index does not hold, queues nothing.
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE posts SET title = 'Gaspreis fällt', likes = 3 WHERE id = :id"),
            {"id": post.id},
        )
    assert queued(db) == {}


def test_a_new_publication_time_gives_a_new_key(db: Database, editor: Account) -> None:
    post = make_post(db, editor, title="Zeitreise")
    drain(db)
    moment = datetime(2021, 5, 4, 3, 2, 1, tzinfo=UTC)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE posts SET published_at = :at WHERE id = :id"),
            {
                "at": moment.isoformat() if connection.dialect.name == "sqlite" else moment,
                "id": post.id,
            },
        )
    drain(db)
    with db.engine.connect() as connection:
        key = connection.execute(text("SELECT key FROM post_search")).scalar_one()
    assert key == search_key(post.id, moment)
    assert found(db, "Zeitreise") == {post.id}


# ---- imports, restore, demo --------------------------------------------------------------


def test_a_wxr_import_is_indexed(db: Database) -> None:
    summary = import_wxr(db, DATA / "blog.wxr", zone=BERLIN, language="de")
    assert summary.created
    drain(db)
    assert_every_post_indexed(db)


def test_an_archive_import_is_indexed(db: Database) -> None:
    page = (DATA / "day-archive.html").read_text()
    summary = import_archive_page(db, page, zone=BERLIN, language="de")
    assert summary.created
    drain(db)
    assert_every_post_indexed(db)
    assert found(db, "Containern")  # a word of a body


@pytest.fixture
def target(backend: str, fresh_database_url: FreshDatabase) -> Iterator[tuple[str, Database]]:
    url = fresh_database_url(backend)
    upgrade(url)
    database = open_database(url)
    yield url, database
    database.dispose()


def test_a_restored_export_is_indexed(
    db: Database, editor: Account, target: tuple[str, Database]
) -> None:
    for number in range(5):
        make_post(db, editor, title=f"Exportiert {number}", tags=["Archivgut"])
    document = b"".join(Export(db))
    _, database = target
    restorer.restore(database, io.BytesIO(document))
    assert len(queued(database)) == 5
    drain(database)
    assert_every_post_indexed(database)
    assert len(found(database, "Archivgut")) == 5


def test_presseschau_import_json_leaves_its_posts_queued_for_the_index(
    db: Database, editor: Account, backend: str, fresh_database_url: FreshDatabase,
    command_line: Any, tmp_path: Path,
) -> None:  # fmt: skip
    make_post(db, editor, title="Mitgebracht")
    file = tmp_path / "export.json"
    file.write_bytes(b"".join(Export(db)))
    url = fresh_database_url(backend)
    upgrade(url)
    result = command_line(url, "import", "json", str(file))
    assert result.exit_code == 0, result.output
    database = open_database(url)
    try:
        drain(database)
        assert_every_post_indexed(database)
    finally:
        database.dispose()


def test_the_demo_is_searchable_at_once(
    backend: str, fresh_database_url: FreshDatabase, command_line: Any
) -> None:
    url = fresh_database_url(backend)
    assert command_line(url, "migrate").exit_code == 0
    loaded = command_line(url, "demo")
    assert loaded.exit_code == 0, loaded.output
    database = open_database(url)
    try:
        assert_every_post_indexed(database)
    finally:
        database.dispose()


# ---- the generation protocol --------------------------------------------------------------


def test_a_second_indexer_with_an_old_read_never_stores_it_over_a_later_edit(
    client: TestClient, db: Database, editor: Account
) -> None:
    # Two indexers read the same batch; one stores it (and empties the queue), the post is
    # edited (queued anew), then the other stores its read: it must not pass for the edit's.
    post = _create(client, editor, title="Erste Fassung")
    first, second = analyse(read_queued(db), LANGUAGES), analyse(read_queued(db), LANGUAGES)
    assert store(db, first).stored == 1
    _patch(client, editor, post["id"], title="Zweite Fassung")
    assert store(db, second).stored == 0
    assert drain(db) == 1
    assert found(db, "Erste") == set()
    assert found(db, "Zweite") == {post["id"]}


def test_a_post_edited_while_it_is_analysed_is_not_stored_with_its_old_text(
    client: TestClient, db: Database, editor: Account
) -> None:
    post = _create(client, editor, title="Erste Fassung")
    read = read_queued(db)
    made = analyse(read, LANGUAGES)  # with no transaction open: writers go on meanwhile
    _patch(client, editor, post["id"], title="Zweite Fassung")
    assert store(db, made).stored == 0
    assert found(db, "Erste") == found(db, "Zweite") == set()
    # Kept, for the next round, with the edit's generation.
    assert set(queued(db)) == {post["id"]}
    assert queued(db)[post["id"]] != read[0].generation
    assert drain(db) == 1
    assert found(db, "Erste") == set()
    assert found(db, "Zweite") == {post["id"]}


def test_a_post_purged_while_it_is_analysed_is_not_stored(
    client: TestClient, db: Database, editor: Account
) -> None:
    post = _create(client, editor, title="Verschwunden")
    made = analyse(read_queued(db), LANGUAGES)
    url = f"{API}/posts/{post['id']}"
    assert client.delete(url, headers=editor.headers).status_code == 204
    assert client.delete(url, params={"purge": "true"}, headers=editor.headers).status_code == 204
    assert store(db, made).stored == 0
    assert count(db, "post_search") == count(db, "post_search_text") == 0


def test_the_same_batch_stored_twice_is_stored_once(db: Database, editor: Account) -> None:
    # Two workers that read the same queued posts: the second finds them taken in.
    post = make_post(db, editor, title="Doppelt")
    made = analyse(read_queued(db), LANGUAGES)
    assert store(db, made).stored == 1
    assert store(db, made).stored == 0
    assert found(db, "Doppelt") == {post.id}
    assert count(db, "post_search_text") == 1


def analyser_failing_on(monkeypatch: pytest.MonkeyPatch, title: str) -> None:
    """The indexer's analyzer raises for a post of this title, as a bug in it would."""

    def failing(**texts: Any) -> Analysed:
        if texts["title"] == title:
            raise RuntimeError("an analyzer bug")
        return analyse_post(**texts)

    monkeypatch.setattr(index, "analyse_post", failing)


def test_a_post_the_analyzer_fails_on_holds_up_no_other(
    db: Database, editor: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyser_failing_on(monkeypatch, "Unlesbar")
    broken = make_post(db, editor, title="Unlesbar")
    kept = make_post(db, editor, title="Lesbar")
    assert drain(db) == 1
    assert found(db, "Lesbar") == {kept.id}
    assert broken.id not in found(db, "Unlesbar")
    assert queued(db) == {}


# ---- reindex, the worker ----------------------------------------------------------------


def test_reindex_rebuilds_every_post_in_batches(
    db: Database, editor: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "QUEUE_CHUNK", 4)  # queued in two transactions
    posts = [make_post(db, editor, title=f"Neuaufbau {number}") for number in range(7)]
    drain(db)
    with db.engine.begin() as connection:  # an index damaged by hand
        connection.execute(text("DELETE FROM post_search_text"))
    seen: list[tuple[int, int]] = []
    indexed = reindex(db, LANGUAGES, lambda done, total: seen.append((done, total)), batch=3)
    assert indexed.stored == 7
    assert seen == [(3, 7), (6, 7), (7, 7)]
    assert found(db, "Neuaufbau") == {post.id for post in posts}
    assert queued(db) == {}
    assert_every_post_indexed(db)


def test_presseschau_search_reindex(
    db: Database, editor: Account, database_url: str, command_line: Any
) -> None:
    make_post(db, editor, title="Befehlszeile")
    result = command_line(database_url, "search", "reindex")
    assert result.exit_code == 0, result.output
    assert "indexed 1 posts for search" in result.output
    assert found(db, "Befehlszeile")


def test_the_worker_indexes_a_new_post_by_itself(db: Database, editor: Account) -> None:
    worker = Worker(
        db, standard_registry(db, BERLIN, search_languages=LANGUAGES), poll_seconds=0.05
    )
    worker.start()
    try:
        post = make_post(db, editor, title="Selbsttätig")
        eventually(lambda: found(db, "Selbsttätig") == {post.id}, "the post indexed")
    finally:
        worker.stop(timeout=10)
    assert queued(db) == {}


# ---- what each database holds: positions alike, so phrases match alike ------------------


def test_the_document_numbers_columns_apart_and_weighs_them() -> None:
    made = columns(
        Analysed(title=["a", "b"], lead=["c"], body=["a"], parts=["d"], keywords=[], words={})
    )
    assert fts_text(made, None) == ("a b", "c", "a", "d", "")
    # Title from 1, each later column two after the last position of the one before.
    assert tsvector_literal(made, None) == "'a':1A,6C 'b':2A 'c':4B 'd':8D"
    # The source's token in a column of its own; in the document without a position.
    assert fts_text(made, 42) == ("a b", "c", "a", "d", "\u00a7s42")
    assert tsvector_literal(made, 42) == "'a':1A,6C 'b':2A 'c':4B 'd':8D '\u00a7s42'"


def test_a_tokens_positions_past_256_are_filler_in_fts5_and_absent_from_the_document() -> None:
    made = columns(
        Analysed(title=["x"], lead=[], body=["x"] * 300 + ["y"], parts=[], keywords=[], words={})
    )
    assert (made.body.count("x"), made.body.count(FILLER)) == (255, 45)
    assert made.body[-1] == "y"
    literal = tsvector_literal(made, None)
    x_positions = literal.split("'x':")[1].split()[0].split(",")
    assert len(x_positions) == 256
    assert "'y':304C" in literal  # the filler's positions are kept
    assert FILLER not in literal


def test_what_is_not_a_token_is_kept_out_in_its_position() -> None:
    made = columns(Analysed(["a", "b'c", "Up", "d"], [], [], [], [], {}))
    assert made.title == ["a", FILLER, FILLER, "d"]
    assert tsvector_literal(made, None) == "'a':1A 'd':4A"


PHRASE_POSTS: dict[str, dict[str, Any]] = {
    "in the title": {"title": "Grüne Wiese im Mai"},
    "in the body": {"title": "Frühling", "body": "Auf der grünen Wiese blüht es."},
    "title to lead": {"title": "Bericht über Grüne", "tags": ["Wiese"]},
    "lead to body": {"title": "Kurz", "body": "Wiese am Fluss.", "tags": ["Grüne"]},
    "within the lead": {"title": "Schlagworte", "tags": ["Grüne", "Wiese"]},
    # 300 times: the occurrences past the 256th stand in for the word, no phrase through them.
    "after a filler": {"title": "Wiederholung", "body": "grüne " * 300 + "Wiese."},
    "before the filler": {"title": "Früh", "body": "grüne " * 100 + "Wiese."},
}


def test_a_phrase_finds_the_same_posts_on_both_databases(
    client: TestClient, db: Database, editor: Account
) -> None:
    made = {name: _create(client, editor, **fields)["id"] for name, fields in PHRASE_POSTS.items()}
    drain(db)
    # The same expectation on both databases: they hold the tokens at the same positions.
    assert found(db, "grüne", "Wiese") == {
        made[name]
        for name in ("in the title", "in the body", "within the lead", "before the filler")
    }
    assert found(db, "Wiese") == set(made.values())
    assert found(db, "Wiese", "grüne") == set()


def test_an_upgraded_site_has_every_post_queued_and_migrate_indexes_them(
    backend: str, fresh_database_url: FreshDatabase, command_line: Any
) -> None:
    url = fresh_database_url(backend)
    upgrade(url, BEFORE_SEARCH)
    database = open_database(url)
    try:
        # The posts of that release are today's, without the index's triggers.
        make_post(database, make_account(database), title="Vor der Suche", body="Alter Bestand")
    finally:
        database.dispose()
    migrated = command_line(url, "migrate")
    assert migrated.exit_code == 0, migrated.output
    assert "indexed 1 posts for search" in migrated.output
    database = open_database(url)
    try:
        assert_every_post_indexed(database)
        assert found(database, "Bestand")
    finally:
        database.dispose()


def test_an_edit_racing_the_indexers_write_takes_out_what_it_stored(
    db: Database, editor: Account
) -> None:
    post = make_post(db, editor, title="Vorher")
    made = analyse(read_queued(db), LANGUAGES)
    stored, commit = threading.Event(), threading.Event()

    def indexer() -> None:
        with db.write_connection() as connection:
            assert store_in(connection, made).stored == 1
            stored.set()
            commit.wait(30)

    edited: list[bool] = []

    def edit() -> None:
        # A write transaction as every writer's (on SQLite it waits for the write lock).
        with db.write_connection() as connection:
            connection.execute(
                text("UPDATE posts SET title = 'Nachher' WHERE id = :id"), {"id": post.id}
            )
        edited.append(True)

    writing = threading.Thread(target=indexer)
    writing.start()
    assert stored.wait(30)
    editing = threading.Thread(target=edit)
    editing.start()
    # The edit waits for the indexer's transaction (SQLite's write lock, or on PostgreSQL
    # the post's queue row); once it is waiting, the indexer commits.
    if db.engine.dialect.name == "postgresql":
        eventually(lambda: _waiting_on_a_lock(db), "the edit waiting for the indexer")
    else:
        editing.join(0.5)
    commit.set()
    writing.join(30)
    editing.join(30)
    assert edited
    # Found by nothing, not by the text the indexer stored, until it is indexed again.
    assert found(db, "Vorher") == found(db, "Nachher") == set()
    assert set(queued(db)) == {post.id}
    drain(db)
    assert found(db, "Nachher") == {post.id}


def _waiting_on_a_lock(db: Database) -> bool:
    with db.engine.connect() as connection:
        waiting = connection.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        )
        return bool(waiting.scalar_one())


def test_a_post_of_many_long_distinct_words_is_indexed_within_a_documents_size(
    db: Database, editor: Account
) -> None:
    # Hyphenated words of 4-byte letters, each distinct: as written, their tokens would take
    # over 1.5 MB, more than a PostgreSQL tsvector holds. The first of them are kept, alike
    # on both databases, and the posts after it are indexed too.
    def word(number: int) -> str:
        return "".join(chr(0x20000 + (number * 31 + offset) % 0xA000) for offset in range(31))

    body = " ".join(f"{word(2 * n)}-{word(2 * n + 1)}" for n in range(3_100))[:199_000]
    big = make_post(db, editor, title="Zeichen", body=body)
    after = make_post(db, editor, title="Danach")
    drain(db)
    assert found(db, "Zeichen") == {big.id}
    assert found(db, "Danach") == {after.id}
    assert found(db, word(0).casefold()) == {big.id}
