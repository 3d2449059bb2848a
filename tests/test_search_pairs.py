"""A phrase's candidates: on PostgreSQL, whose GIN index keeps no positions, the posts
holding each pair of the phrase's neighbouring words (``post_search_text.pairs``), not every
post holding its words anywhere; on SQLite, FTS5's matches themselves (it keeps positions).
Either way what is found is decided by positions: the candidates only spare reading the
documents of posts that hold the words apart."""

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from app.core.db import Database
from app.core.migrations import downgrade, upgrade
from app.derived.root import open_database
from app.posts.visibility import POSTS
from app.search.index import index_queued
from app.search.matching import matches, matching_posts
from app.search.query import parse
from app.search.rendering import source_token
from tests.conftest import FreshDatabase
from tests.factories import Account, make_account, make_post, make_source

API = "/api/v1"
LANGUAGES = ("de", "en")
BEFORE = "7a3d5f1c9e20"  # the revision before the pairs
MIGRATION_FILE = Path(__file__).parents[1] / "alembic/versions/20261209_search_pairs.py"


def _migration() -> ModuleType:
    """The migration that brought the pairs (its file name is no module name)."""
    spec = importlib.util.spec_from_file_location("search_pairs", MIGRATION_FILE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def editor(db: Database) -> Account:
    return make_account(db)


def _candidates(database: Database, q: str, *source_ids: int) -> set[int]:
    """The posts the index names for ``q`` without reading a document."""
    with database.session(write=False) as session:
        found = matches(parse(q, LANGUAGES), database.engine.dialect.name, source_ids)
        statement = select(found.post_id).select_from(found.source).where(found.candidates)
        return set(session.execute(statement).scalars())


def _searched(client: TestClient, q: str, **params: Any) -> list[str]:
    response = client.get(f"{API}/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return sorted(hit["title"] for hit in response.json()["items"])


def test_a_phrases_candidates_are_the_posts_holding_its_words_side_by_side(
    client: TestClient, db: Database, editor: Account, backend: str
) -> None:
    tass = make_source(db, name="TASS", domains=["tass.ru"])
    together = make_post(db, editor, title="Unruhen in Kasachstan", source_id=tass.id)
    apart = make_post(
        db, editor, title="Kasachstan meldet Unruhen", body="Proteste in Almaty.",
        source_id=tass.id,
    )  # fmt: skip
    # Each pair of the phrase, but not in a row: a candidate, and not found.
    pairs_apart = make_post(db, editor, title="Unruhen in Almaty", body="Wahlen in Kasachstan.")
    # The title's last word and the excerpt's first are no pair: no phrase spans two.
    columns = make_post(db, editor, title="Proteste und Unruhen", body="in Kasachstan")
    index_queued(db, LANGUAGES)

    phrase = '"Unruhen in Kasachstan"'
    # The words are in every one of them; the pairs of the phrase in two (FTS5's
    # candidates are its matches).
    side_by_side = {together.id} if backend == "sqlite" else {together.id, pairs_apart.id}
    assert _candidates(db, phrase) == side_by_side
    assert _candidates(db, "Unruhen Kasachstan") == {
        together.id, apart.id, pairs_apart.id, columns.id,
    }  # fmt: skip
    # A source filter narrows the pairs as it does the words.
    assert _candidates(db, phrase, tass.id) == {together.id}
    # A word beside a phrase: the phrase's pairs name the candidates, the documents decide.
    assert _candidates(db, '"Unruhen in" Almaty') == (
        {pairs_apart.id} if backend == "sqlite" else {together.id, pairs_apart.id}
    )
    assert _searched(client, '"Unruhen in" Almaty') == ["Unruhen in Almaty"]
    # Positions decide, on both databases: the search, a list and the index's own answer.
    assert _searched(client, phrase) == ["Unruhen in Kasachstan"]
    assert _searched(client, phrase, source="tass") == ["Unruhen in Kasachstan"]
    assert _searched(client, f"{phrase} OR Almaty") == [
        "Kasachstan meldet Unruhen", "Unruhen in Almaty", "Unruhen in Kasachstan",
    ]  # fmt: skip
    assert _searched(client, 'Kasachstan -"Unruhen in Almaty"') == [
        "Kasachstan meldet Unruhen", "Proteste und Unruhen", "Unruhen in Kasachstan",
    ]  # fmt: skip
    listed = client.get(f"{API}/posts", params={"q": phrase})
    assert [post["title"] for post in listed.json()["items"]] == ["Unruhen in Kasachstan"]
    with db.session(write=False) as session:
        listing = select(POSTS.c.id).where(matching_posts(session, phrase, LANGUAGES))
        assert set(session.execute(listing).scalars()) == {together.id}


def test_the_stored_pairs_are_what_the_migration_makes_of_each_document(
    db: Database, editor: Account, backend: str
) -> None:
    source = make_source(db, name="TASS", domains=["tass.ru"])
    make_post(
        db, editor, title="Unruhen in Kasachstan", tags=["Kasachstan", "Proteste in Almaty"],
        body="Die Regierung in Astana verhängt den Ausnahmezustand. " + "Wort " * 300
        + "Energiewende und Corona-Krise.", source_id=source.id,
    )  # fmt: skip
    make_post(db, editor, title="Ohne Quelle", body="Energie Wende")
    index_queued(db, LANGUAGES)
    if backend == "sqlite":
        # FTS5 keeps positions in its index, and has no pairs to keep.
        with db.engine.connect() as connection:
            held = connection.execute(text("SELECT * FROM post_search_text LIMIT 1")).keys()
        assert "pairs" not in held
        return
    with db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT t.key, t.pairs::text AS stored, "  # noqa: S608 (a constant)
                f"({_migration().PAIRS})::text AS made FROM post_search_text AS t ORDER BY t.key DESC"
            )
        ).all()
    assert len(rows) == 2
    for row in rows:
        assert row.stored == row.made
    # The newest, the first: holding its source's token, and a pair for each two neighbours.
    assert f"'{source_token(source.id)}'" in rows[0].stored
    assert len(rows[0].stored.split()) > 10


def _stored_pairs(database: Database) -> dict[int, str]:
    """Each index row's pairs (PostgreSQL), by key; nothing where the table has none."""
    with database.engine.connect() as connection:
        held = connection.execute(text("SELECT * FROM post_search_text LIMIT 0")).keys()
        if "pairs" not in held:
            return {}
        rows = connection.execute(text("SELECT key, pairs::text FROM post_search_text"))
        return {row.key: row.pairs for row in rows}


def _found(database: Database, q: str) -> set[int]:
    with database.session(write=False) as session:
        listing = select(POSTS.c.id).where(matching_posts(session, q, LANGUAGES))
        return set(session.execute(listing).scalars())


def test_the_migration_pairs_the_indexed_posts_and_going_back_takes_the_pairs_away(
    backend: str, fresh_database_url: FreshDatabase, command_line: Callable[..., Any]
) -> None:
    url = fresh_database_url(backend)
    upgrade(url)
    database = open_database(url)
    try:
        editor = make_account(database)
        tass = make_source(database, name="TASS", domains=["tass.ru"])
        together = make_post(database, editor, title="Unruhen in Kasachstan", source_id=tass.id)
        make_post(database, editor, title="Unruhen", body="in Kasachstan, Wort " * 300)
        index_queued(database, LANGUAGES)
        indexed = _stored_pairs(database)
    finally:
        database.dispose()
    assert len(indexed) == (2 if backend == "postgresql" else 0)

    downgrade(url, BEFORE)
    database = open_database(url)
    try:
        assert _stored_pairs(database) == {}
    finally:
        database.dispose()

    upgrade(url)
    database = open_database(url)
    try:
        # The migration makes of each stored document what the indexer made of its post.
        assert _stored_pairs(database) == indexed
        assert _found(database, '"Unruhen in Kasachstan"') == {together.id}
        # And ``presseschau search reindex`` makes them again, the same.
        assert command_line(url, "search", "reindex").exit_code == 0
        assert _stored_pairs(database) == indexed
        if backend == "postgresql":
            with database.engine.connect() as connection:
                gins = connection.execute(
                    text("SELECT indexname FROM pg_indexes WHERE tablename = 'post_search_text'")
                ).scalars()
                assert {"ix_post_search_text_document", "ix_post_search_text_pairs"} <= set(gins)
    finally:
        database.dispose()
