"""The search index's upkeep under load, on both databases: a rename costs its writer one
row and its posts are queued in batches; indexers running at once neither wait for each
other nor deadlock with writers; a post the database refuses is left out, not retried for
ever; and the indexer says what it did with every queue row."""

import logging
import threading
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from app.core.db import Database
from app.core.migrations import downgrade, upgrade
from app.derived.root import open_database
from app.search import index
from app.search.index import analyse, index_queued, read_queued
from app.search.renames import Expanded, expand_renames
from app.search.store import Indexing, store
from tests.conftest import FreshDatabase
from tests.factories import Account, make_account, make_post, make_source
from tests.test_search_index import (
    LANGUAGES,
    analyser_failing_on,
    count,
    drain,
    found,
    queued,
    renames,
)

# The release before renames were recorded in a row.
BEFORE_RENAMES = "cb16a0e54d5e"


@pytest.fixture
def editor(db: Database) -> Account:
    return make_account(db)


def rename_source(database: Database, source_id: int, name: str) -> None:
    with database.engine.begin() as connection:
        connection.execute(
            text("UPDATE sources SET name = :name WHERE id = :id"), {"name": name, "id": source_id}
        )


def set_title(database: Database, post_id: int, title: str) -> None:
    with database.engine.begin() as connection:
        connection.execute(
            text("UPDATE posts SET title = :title WHERE id = :id"), {"title": title, "id": post_id}
        )


def backend_of(database: Database) -> str:
    return database.engine.dialect.name


def left_out_count() -> float:
    return REGISTRY.get_sample_value("presseschau_search_left_out_total") or 0.0


def uses(database: Database, word: str) -> int:
    with database.engine.connect() as connection:
        found = connection.execute(
            text("SELECT uses FROM search_words WHERE word = :word"), {"word": word}
        )
        return int(found.scalar_one())


# ---- renames ------------------------------------------------------------------------------


def test_a_rename_is_one_row_and_its_posts_are_queued_in_batches(
    db: Database, editor: Account
) -> None:
    source = make_source(db, name="Frühkurier")
    posts = sorted(make_post(db, editor, source_id=source.id).id for _ in range(5))
    drain(db)
    rename_source(db, source.id, "Spätkurier")
    # The renaming transaction wrote one row, not one per post.
    assert queued(db) == {}
    assert renames(db) == [("source", source.id, 0)]
    assert expand_renames(db, limit=2) == Expanded(queued=2, finished=0, pending=True)
    assert set(queued(db)) == set(posts[:2])
    assert renames(db) == [("source", source.id, posts[1])]
    # Renamed again before the posts are all queued: it starts over, from the first post.
    rename_source(db, source.id, "Abendkurier")
    assert renames(db) == [("source", source.id, 0)]
    steps = [expand_renames(db, limit=2) for _ in range(3)]
    assert steps[-1] == Expanded(queued=1, finished=1, pending=False)
    assert set(queued(db)) == set(posts)
    assert renames(db) == []
    assert drain(db) == 5
    assert found(db, "Abendkurier") == set(posts)
    assert found(db, "Frühkurier") == found(db, "Spätkurier") == set()


def test_a_post_read_before_a_rename_is_not_stored_with_the_old_name(
    db: Database, editor: Account
) -> None:
    source = make_source(db, name="Altblatt")
    post = make_post(db, editor, source_id=source.id, title="Hafen")
    made = analyse(read_queued(db), LANGUAGES)  # read with the old name
    rename_source(db, source.id, "Neublatt")
    expand_renames(db)
    assert store(db, made) == Indexing(stale=1)
    drain(db)
    assert found(db, "Neublatt") == {post.id}
    assert found(db, "Altblatt") == set()


def test_expanding_a_rename_waits_for_no_writer(db: Database, editor: Account) -> None:
    source = make_source(db, name="Erstausgabe")
    posts = sorted(make_post(db, editor, source_id=source.id).id for _ in range(2))
    drain(db)
    rename_source(db, source.id, "Zweitausgabe")
    started, go = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        # An edit of one of the posts: it queues the post, and holds that row until it ends.
        try:
            with db.write_connection() as connection:
                connection.execute(
                    text("UPDATE posts SET title = 'Nachgetragen' WHERE id = :id"),
                    {"id": posts[1]},
                )
                started.set()
                go.wait(30)
        except BaseException as error:
            failures.append(error)

    thread = threading.Thread(target=writer)
    if backend_of(db) == "postgresql":
        thread.start()
        assert started.wait(30)
        # Given up at once, nothing written, rather than waiting for the writer (who might
        # wait for a row of this step's: a deadlock).
        assert expand_renames(db) == Expanded(queued=0, finished=0, pending=True)
        assert renames(db) == [("source", source.id, 0)]
        go.set()
        thread.join(30)
    else:
        go.set()
        thread.start()
        thread.join(30)
    assert failures == []
    assert expand_renames(db) == Expanded(queued=2, finished=1, pending=False)
    drain(db)
    assert found(db, "Zweitausgabe") == set(posts)
    assert found(db, "Nachgetragen") == {posts[1]}


def test_a_downgrade_queues_the_posts_of_renames_not_yet_expanded(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    url = fresh_database_url(backend)
    upgrade(url)
    database = open_database(url)
    try:
        source = make_source(database, name="Vorabend")
        post = make_post(database, make_account(database), source_id=source.id)
        drain(database)
        rename_source(database, source.id, "Nachabend")
    finally:
        database.dispose()
    downgrade(url, BEFORE_RENAMES)
    database = open_database(url)
    try:
        assert set(queued(database)) == {post.id}
    finally:
        database.dispose()


# ---- indexers at once -----------------------------------------------------------------------


def test_two_indexers_on_one_queue_both_finish_and_index_each_post_once(
    db: Database, editor: Account
) -> None:
    posts = {make_post(db, editor, title=f"Gemeinsam {number}").id for number in range(40)}
    start = threading.Barrier(2)
    done: list[Indexing] = []

    def indexer() -> None:
        start.wait(30)
        done.append(index_queued(db, LANGUAGES, batch=5))

    threads = [threading.Thread(target=indexer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(done) == 2  # both finished
    assert sum(indexing.stored for indexing in done) == 40
    assert queued(db) == {}
    assert found(db, "Gemeinsam") == posts
    assert count(db, "post_search") == count(db, "post_search_text") == 40
    # Each post's words counted once: no post was stored twice.
    assert uses(db, "gemeinsam") == 40


def test_an_indexer_leaves_the_posts_another_holds_to_it(db: Database, editor: Account) -> None:
    posts = [make_post(db, editor, title=f"Überlappend {number}").id for number in range(6)]
    first = analyse(read_queued(db, 4), LANGUAGES)
    second = analyse(read_queued(db, 6), LANGUAGES)  # overlaps the first's four
    holding, release, released = threading.Event(), threading.Event(), threading.Event()

    def first_indexer_taking_its_rows() -> None:
        # What an indexer storing the first four holds first: their queue rows.
        with db.write_connection() as connection:
            lock = " FOR UPDATE" if backend_of(db) == "postgresql" else ""
            rows = text(f"SELECT post_id FROM post_search_queue WHERE post_id <= :last{lock}")  # noqa: S608
            connection.execute(rows, {"last": first[-1].post_id})
            holding.set()
            release.wait(30)
        released.set()

    thread = threading.Thread(target=first_indexer_taking_its_rows)
    thread.start()
    assert holding.wait(30)
    if backend_of(db) == "postgresql":
        # The rows the first holds are left to it, without waiting for it.
        assert store(db, second) == Indexing(stored=2, stale=4)
        assert not released.is_set()
        release.set()
        thread.join(30)
        assert store(db, first) == Indexing(stored=4)
    else:
        # One writer at a time: the first stores, then the second finds its rows taken in.
        release.set()
        thread.join(30)
        assert store(db, first) == Indexing(stored=4)
        assert store(db, second) == Indexing(stored=2, stale=4)
    assert queued(db) == {}
    assert found(db, "Überlappend") == set(posts)
    assert uses(db, "uberlappend") == 6


def test_an_indexer_and_a_writer_taking_posts_in_the_other_order_do_not_deadlock(
    db: Database, editor: Account
) -> None:
    low, high = (make_post(db, editor, title=f"Vorher {number}").id for number in range(2))
    made = analyse(read_queued(db), LANGUAGES)
    started, go = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        # The later post first, then the earlier: the other order from the indexer's.
        try:
            with db.write_connection() as connection:
                update = text("UPDATE posts SET title = :title WHERE id = :id")
                connection.execute(update, {"title": "Nachher eins", "id": high})
                started.set()
                go.wait(30)
                connection.execute(update, {"title": "Nachher zwei", "id": low})
        except BaseException as error:
            failures.append(error)

    thread = threading.Thread(target=writer)
    if backend_of(db) == "postgresql":
        thread.start()
        assert started.wait(30)
        # The post the writer holds is left to it; the other is stored, and the writer
        # then takes it out again.
        assert store(db, made) == Indexing(stored=1, stale=1)
        go.set()
        thread.join(30)
    else:
        go.set()
        thread.start()
        thread.join(30)
        assert store(db, made) == Indexing(stale=2)
    assert failures == []
    assert set(queued(db)) == {low, high}
    drain(db)
    assert found(db, "Vorher") == set()
    assert found(db, "Nachher") == {low, high}


# ---- a post the database refuses --------------------------------------------------------------


@pytest.fixture
def fresh(backend: str, fresh_database_url: FreshDatabase) -> Iterator[Database]:
    url = fresh_database_url(backend)
    upgrade(url)
    database = open_database(url)
    yield database
    database.dispose()


def refuse_long_titles(database: Database) -> None:
    """Make the database refuse an index row whose title holds more than 100 characters of
    tokens: a limit set by hand, as an operator might."""
    with database.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text(
                    "ALTER TABLE post_search ADD CONSTRAINT title_terms_limit "
                    # Rows indexed before are left as they are; new ones are checked.
                    "CHECK (length(title_terms) <= 100) NOT VALID"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE TRIGGER title_terms_limit BEFORE INSERT ON post_search "
                    "WHEN length(NEW.title_terms) > 100 "
                    "BEGIN SELECT RAISE(ABORT, 'title_terms past its limit'); END"
                )
            )


def test_a_post_the_database_refuses_is_left_out_and_the_others_are_stored(
    fresh: Database, caplog: pytest.LogCaptureFixture
) -> None:
    refuse_long_titles(fresh)
    author = make_account(fresh)
    kept = [make_post(fresh, author, title=f"Kurz {number}").id for number in range(3)]
    refused = make_post(fresh, author, title="Überlang " * 20).id
    counted = left_out_count()
    with caplog.at_level(logging.ERROR, logger="app.search.store"):
        assert index_queued(fresh, LANGUAGES) == Indexing(stored=3, left_out=1)
    assert f"post {refused} left out of the search index" in caplog.text
    assert "title_terms" in caplog.text  # the database's reason
    assert left_out_count() == counted + 1
    assert found(fresh, "Kurz") == set(kept)
    assert found(fresh, "Überlang") == set()
    # Not tried again and again: nothing is left queued.
    assert queued(fresh) == {}
    assert index_queued(fresh, LANGUAGES) == Indexing()
    # Changed so that it fits, it is indexed.
    set_title(fresh, refused, "Überlang nicht mehr")
    assert index_queued(fresh, LANGUAGES) == Indexing(stored=1)
    assert found(fresh, "Überlang") == {refused}


def test_a_post_refused_by_a_reindex_loses_its_old_rows(fresh: Database) -> None:
    author = make_account(fresh)
    long = make_post(fresh, author, title="Lang " * 30).id
    short = make_post(fresh, author, title="Kurz").id
    drain(fresh)
    assert found(fresh, "Lang") == {long}
    refuse_long_titles(fresh)
    # Found by nothing, rather than by rows its new analysis would not give it.
    assert index.reindex(fresh, LANGUAGES) == Indexing(stored=1, left_out=1)
    assert found(fresh, "Lang") == set()
    assert found(fresh, "Kurz") == {short}
    assert count(fresh, "post_search") == count(fresh, "post_search_text") == 1


# ---- what indexing did ----------------------------------------------------------------------


def test_indexing_counts_each_way_a_queue_row_was_handled(
    db: Database, editor: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyser_failing_on(monkeypatch, "Unlesbar")
    source = make_source(db, name="Zählwerk")
    for title in ("Eins", "Zwei"):
        make_post(db, editor, title=title, source_id=source.id)
    make_post(db, editor, title="Unlesbar")
    with db.engine.begin() as connection:  # a queue row of no post, as SQL by hand leaves
        connection.execute(text("INSERT INTO post_search_queue VALUES (100000, 0)"))
    done = index_queued(db, LANGUAGES)
    assert done == Indexing(stored=2, gone=1, left_out=1)
    assert done.handled == 4
    rename_source(db, source.id, "Rechenwerk")
    done = index_queued(db, LANGUAGES)
    assert done == Indexing(stored=2, queued=2, renames=1)
    assert len(found(db, "Rechenwerk")) == 2
