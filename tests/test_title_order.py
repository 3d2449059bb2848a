"""Titles in German dictionary order from an index, and text matching blind to case."""

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Select, select
from sqlmodel import col

from app.archives.router import router as archives_router
from app.core.config import DEFAULT_SEARCH_LANGUAGES, Settings
from app.core.db import Database
from app.core.migrations import upgrade
from app.derived.root import open_database
from app.direct_reads import reader
from app.direct_reads.routing import Routing
from app.direct_reads.statements import FORMAT, LIMIT, OFFSET, ZONE
from app.main import create_app
from app.posts import documents, queries
from app.posts.models import Post
from app.posts.queries import DOCUMENTS
from app.posts.router import router as posts_router
from app.posts.schemas import PostSort
from app.posts.visibility import published
from app.search.index import index_queued
from app.sources.router import router as sources_router
from app.transfer import restorer
from app.transfer.exporter import Export
from tests.conftest import FreshDatabase
from tests.factories import (
    BERLIN,
    add_post_of_an_older_schema,
    make_account,
    make_post,
    store_documents_of_an_older_schema,
    token_kinds_of_an_older_schema,
    without_events,
)

API = "/api/v1"
# Written in this order, so byte order, creation order and dictionary order all differ.
TITLES = ["Zebra", "Öl", "Äpfel", "Birne", "apfel", "Ofen", "„Ärger“ im Amt", "Straße"]
# DIN 5007-1: "Ä" as "A", case and punctuation ignored; of letters alike, the plain lower
# case first, whichever was written first.
IN_ORDER = ["apfel", "Äpfel", "„Ärger“ im Amt", "Birne", "Ofen", "Öl", "Straße", "Zebra"]


def _titles(client: TestClient, **params: Any) -> list[str]:
    response = client.get(f"{API}/posts", params={"sort": "title", **params})
    assert response.status_code == 200, response.text
    return [post["title"] for post in response.json()["items"]]


def test_titles_sort_as_german_readers_expect(
    client: TestClient, framework: TestClient, db: Database
) -> None:
    editor = make_account(db)
    posts = [make_post(db, editor, title=title, tags=["Obst"]) for title in TITLES]
    # Anonymous lists (answered directly, with and without an index in their order) and
    # an editor's (the framework's) give the same order.
    assert _titles(client) == IN_ORDER
    assert _titles(client, tag="obst", per_page=3, page=2) == IN_ORDER[3:6]
    assert _titles(framework, status="published") == IN_ORDER
    assert _titles(client, status="published") == IN_ORDER
    # A new title moves the post to its new place.
    zebra = posts[0]
    retitled = client.patch(
        f"{API}/posts/{zebra.id}", headers=editor.headers, json={"title": "Ähre"}
    )
    assert retitled.status_code == 200, retitled.text
    assert _titles(client)[:3] == ["Ähre", "apfel", "Äpfel"]
    assert _titles(client)[-1] == "Straße"


def _plan(db: Database, statement: Select[*tuple[Any, ...]]) -> str:
    """How the database would run ``statement`` (PostgreSQL: told to avoid scanning and
    sorting wherever it has any other way, so its choice does not depend on table sizes)."""
    dialect = db.engine.dialect
    compiled = statement.compile(dialect=dialect)
    now: Any = datetime.now(UTC) if dialect.name == "postgresql" else "2026-01-01"
    params = compiled.construct_params(
        {"now": now, "zone": "UTC", "format": documents.FORMAT, "limit": 20, "offset": 0}
    )
    with db.engine.connect() as connection:
        if dialect.name == "sqlite":
            positional = tuple(params[name] for name in compiled.positiontup or ())
            sql = f"EXPLAIN QUERY PLAN {compiled.string}"
            return "\n".join(row[-1] for row in connection.exec_driver_sql(sql, positional))
        connection.exec_driver_sql("SET enable_seqscan = off")
        connection.exec_driver_sql("SET enable_sort = off")
        sql = f"EXPLAIN {compiled.string}"
        return "\n".join(row[0] for row in connection.exec_driver_sql(sql, params))


def test_a_public_list_by_title_walks_an_index_in_its_order(db: Database) -> None:
    order = queries.sort_order(PostSort.by_title, may_include_drafts=False)
    where = [published()]
    # The page's ids, found in the index's order however deep the page: what walks.
    ids = select(col(Post.id)).where(*where).order_by(*order).limit(LIMIT).offset(OFFSET)
    # The whole read: those ids' rows and documents, its page (at most 100 rows) sorted again.
    page = queries.documents_statement(
        where, order, zone=ZONE, document_format=FORMAT, limit=LIMIT, offset=OFFSET
    )
    walk, read = _plan(db, ids), _plan(db, page)
    assert "ix_posts_status_title_sort" in walk, walk
    if db.engine.dialect.name == "sqlite":
        assert "TEMP B-TREE" not in walk, walk
        assert "SCAN posts\n" not in f"{read}\n", read
    else:
        assert "Sort" not in walk, walk
        assert "Seq Scan on posts" not in read, read


@pytest.mark.parametrize(
    ("query", "short"),
    [
        ("sort=title", True),
        ("sort=title&page=3", True),
        ("sort=title&tag=obst", False),
        ("sort=title&source=quelle", False),
        ("sort=title&date=2022-01-10", False),
        ("tag=obst", False),
        ("source=quelle", True),
        ("date=2022-01-10", True),
    ],
)
def test_only_lists_an_index_gives_in_order_are_read_on_the_event_loop(
    query: str, short: bool
) -> None:
    routes = [*posts_router.routes, *archives_router.routes, *sources_router.routes]
    found = Routing(routes).parse("/posts", query.encode())
    assert found is not None
    assert reader.is_short(found[1]) is short


def test_text_matching_ignores_the_case_of_umlauts(client: TestClient, db: Database) -> None:
    editor = make_account(db)
    make_post(db, editor, title="Ärger im Amt", body="Nichts Neues.")
    make_post(db, editor, title="Wetter", body="ÜBER DEN WOLKEN scheint die Sonne.")
    make_post(db, editor, title="Arger Ort", body="Ganz ohne Umlaut.")
    index_queued(db, DEFAULT_SEARCH_LANGUAGES)

    def found(q: str) -> list[str]:
        response = client.get(f"{API}/posts", params={"q": q, "sort": "title"})
        assert response.status_code == 200, response.text
        return [post["title"] for post in response.json()["items"]]

    # Search folds case and umlauts in every script: one word however it is written, the
    # matches in the list's title order (Ä as A).
    for spelling in ("ärger", "ÄRGER", "Arger", "aerger"):
        assert found(spelling) == ["Ärger im Amt", "Arger Ort"], spelling
    assert found("ÄRGER IM") == ["Ärger im Amt"]
    assert found("über den") == ["Wetter"]
    # The syntax of other query languages is no operator here: nothing matches it.
    assert found("[ä]rger") == []
    assert found("ä?ger") == []


def test_the_migration_gives_the_posts_there_are_their_keys(
    backend: str, fresh_database_url: FreshDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = fresh_database_url(backend)
    upgrade(url, "3b8e1d5a7c42")  # the revision before title keys
    without_events(monkeypatch)  # and before events
    database = open_database(url)
    try:
        with token_kinds_of_an_older_schema(database):
            editor = make_account(database)
        for title in TITLES:
            database.call(add_post_of_an_older_schema, editor, title, f"Über {title}.")
        store_documents_of_an_older_schema(database, BERLIN)
        stored_before = _documents(database)
        assert len(stored_before) == len(TITLES)
        upgrade(url)
        app = create_app(settings=Settings(database_url=url), database=database)
        with TestClient(app) as client:
            assert _titles(client) == IN_ORDER
        # The documents were not thrown away for a column they do not show.
        assert _documents(database) == stored_before
    finally:
        database.dispose()


def _documents(database: Database) -> dict[int, bytes]:
    with database.engine.connect() as connection:
        rows = connection.execute(select(DOCUMENTS.c.post_id, DOCUMENTS.c.document))
        return {row.post_id: bytes(row.document) for row in rows}


def test_a_restore_makes_the_keys_again(
    backend: str, db: Database, fresh_database_url: FreshDatabase
) -> None:
    editor = make_account(db)
    for title in TITLES:
        make_post(db, editor, title=title)
    document = b"".join(Export(db))
    url = fresh_database_url(backend)
    upgrade(url)
    restored = open_database(url)
    try:
        restorer.restore(restored, io.BytesIO(document))
        app = create_app(settings=Settings(database_url=url), database=restored)
        with TestClient(app) as client:
            assert _titles(client) == IN_ORDER
    finally:
        restored.dispose()
