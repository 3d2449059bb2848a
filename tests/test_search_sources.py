"""A search filtered by source, on both databases: each indexed post's source is a reserved
token of the index, which the database intersects with the query's words; the posts'
source_id still decides. Searches, lists narrowed by q and archives narrowed by q find
exactly the posts of the sources asked for, after every change of a post's source, a
source's deletion and the migration that brought the tokens; no query text can reach a
token."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from app.core.db import Database
from app.core.migrations import downgrade, upgrade
from app.derived.root import open_database
from app.search.index import index_queued
from app.search.matching import SOURCE_TOKENS_MAX, matches
from app.search.query import QueryError, fts5_match, parse, tsquery
from app.search.rendering import SOURCE_MARK, source_token
from tests.conftest import FreshDatabase
from tests.factories import Account, make_account, make_post, make_source
from tests.test_search_index import found_token

API = "/api/v1"
LANGUAGES = ("de", "en")
# The release before the sources' tokens.
BEFORE_TOKENS = "f8634a01e14b"


@pytest.fixture
def editor(db: Database) -> Account:
    return make_account(db)


def _indexed(database: Database) -> None:
    index_queued(database, LANGUAGES)


def _titles(client: TestClient, path: str, q: str, *sources: str) -> list[str]:
    params: dict[str, Any] = {"q": q, "source": list(sources)}
    response = client.get(f"{API}/{path}", params=params)
    assert response.status_code == 200, response.text
    return sorted(hit["title"] for hit in response.json()["items"])


def _searched(client: TestClient, q: str, *sources: str) -> list[str]:
    return _titles(client, "search", q, *sources)


def _in_index(database: Database, q: str, *source_ids: int) -> set[int]:
    """The posts the index alone gives for ``q`` within the sources: the condition the
    service hands the database, without the one on posts."""
    with database.session(write=False) as session:
        found = matches(parse(q, LANGUAGES), database.engine.dialect.name, source_ids)
        statement = select(found.post_id).select_from(found.source).where(found.condition)
        return set(session.execute(statement).scalars())


def test_a_source_filter_finds_exactly_its_sources_posts_through_the_index(
    client: TestClient, db: Database, editor: Account
) -> None:
    tass = make_source(db, name="TASS", domains=["tass.ru"])
    xinhua = make_source(db, name="Xinhua", domains=["xinhuanet.com"])
    empty = make_source(db, name="Reuters", domains=["reuters.com"])
    first = make_post(db, editor, title="Kasachstan eins", source_id=tass.id)
    second = make_post(db, editor, title="Kasachstan zwei", source_id=tass.id)
    third = make_post(db, editor, title="Kasachstan drei", source_id=xinhua.id)
    make_post(db, editor, title="Kasachstan ohne Quelle", recognize_source=False)
    almaty = make_post(db, editor, title="Almaty", source_id=tass.id)
    _indexed(db)

    # The index itself narrows: what it gives is the sources' matches, no other post.
    assert _in_index(db, "Kasachstan", tass.id) == {first.id, second.id}
    assert _in_index(db, "Kasachstan", tass.id, xinhua.id) == {first.id, second.id, third.id}
    assert _in_index(db, "Kasachstan", empty.id) == set()
    assert found_token(db, source_token(tass.id)) == {first.id, second.id, almaty.id}

    assert _searched(client, "Kasachstan", "tass") == ["Kasachstan eins", "Kasachstan zwei"]
    assert _searched(client, "Kasachstan", "tass", "xinhua") == [
        "Kasachstan drei",
        "Kasachstan eins",
        "Kasachstan zwei",
    ]
    assert _searched(client, "Kasachstan -zwei", "tass") == ["Kasachstan eins"]
    assert _searched(client, "Kasachstan OR Almaty", "tass") == [
        "Almaty",
        "Kasachstan eins",
        "Kasachstan zwei",
    ]
    assert _searched(client, "Kasachstan", "reuters") == []
    assert _searched(client, "Kasachstan", "unbekannt") == []
    assert len(_searched(client, "Kasachstan")) == 4
    # A list and an archive narrowed by q and a source find the same.
    assert _titles(client, "posts", "Kasachstan", "xinhua") == ["Kasachstan drei"]
    month = client.get(f"{API}/archives/2022/01", params={"q": "Kasachstan", "source": "tass"})
    assert month.status_code == 200, month.text
    assert sum(day["count"] for day in month.json()["days"]) == 2


def test_a_filter_of_more_sources_than_the_index_is_handed_finds_exactly_theirs(
    client: TestClient, db: Database, editor: Account
) -> None:
    """Past ``SOURCE_TOKENS_MAX`` sources the index is handed the words alone (an OR of
    many tokens costs more than it narrows): the posts' sources decide, as for a few."""
    sources = [make_source(db) for _ in range(SOURCE_TOKENS_MAX + 2)]
    for source in sources:
        make_post(db, editor, title=f"Kasachstan {source.slug}", source_id=source.id)
    _indexed(db)
    asked = [source.slug for source in sources[:-1]]
    assert _searched(client, "Kasachstan", *asked) == sorted(f"Kasachstan {s}" for s in asked)
    assert _titles(client, "posts", "Kasachstan", *asked) == _searched(client, "Kasachstan", *asked)
    few = asked[:2]
    assert _searched(client, "Kasachstan", *few) == sorted(f"Kasachstan {s}" for s in few)


def test_a_post_moved_to_another_source_is_found_under_the_new_one_only(
    client: TestClient, db: Database, editor: Account
) -> None:
    tass = make_source(db, name="TASS", domains=["tass.ru"])
    xinhua = make_source(db, name="Xinhua", domains=["xinhuanet.com"])
    post = make_post(db, editor, title="Kasachstan", source_id=tass.id)
    _indexed(db)
    assert _searched(client, "Kasachstan", "tass") == ["Kasachstan"]

    moved = client.patch(
        f"{API}/posts/{post.id}", json={"source_id": xinhua.id}, headers=editor.headers
    )
    assert moved.status_code == 200, moved.text
    # Taken out of the index at once: under neither source (nor by its words) until the
    # worker has indexed it again; then under its new source only.
    assert _searched(client, "Kasachstan", "tass") == []
    assert _searched(client, "Kasachstan", "xinhua") == []
    _indexed(db)
    assert _searched(client, "Kasachstan", "tass") == []
    assert _searched(client, "Kasachstan", "xinhua") == ["Kasachstan"]
    assert found_token(db, source_token(tass.id)) == set()
    assert found_token(db, source_token(xinhua.id)) == {post.id}

    # Without a source now: in no source's token, found without a filter.
    cleared = client.patch(
        f"{API}/posts/{post.id}", json={"source_id": None}, headers=editor.headers
    )
    assert cleared.status_code == 200, cleared.text
    _indexed(db)
    assert _searched(client, "Kasachstan", "xinhua") == []
    assert _searched(client, "Kasachstan") == ["Kasachstan"]
    assert found_token(db, source_token(xinhua.id)) == set()


def test_an_index_row_with_an_old_source_shows_no_post_under_it(
    client: TestClient, db: Database, editor: Account
) -> None:
    """The token narrows, the post's row decides: an index row that still names a post's
    old source (as one written by hand would) shows the post under no source but its own."""
    tass = make_source(db, name="TASS", domains=["tass.ru"])
    xinhua = make_source(db, name="Xinhua", domains=["xinhuanet.com"])
    post = make_post(db, editor, title="Kasachstan", source_id=xinhua.id)
    _indexed(db)
    old, new = source_token(tass.id), source_token(xinhua.id)
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text(
                    "UPDATE post_search_text SET document = "
                    "ts_delete(document, CAST(:new AS text)) || array_to_tsvector(ARRAY[:old])"
                ),
                {"new": new, "old": old},
            )
        else:
            connection.execute(text("UPDATE post_search_text SET source = :old"), {"old": old})
    assert found_token(db, old) == {post.id}
    assert _searched(client, "Kasachstan", "tass") == []


def test_a_deleted_source_leaves_nothing_to_find(
    client: TestClient, db: Database, editor: Account
) -> None:
    gone = make_source(db, name="Interfax", domains=["interfax.ru"])
    kept = make_source(db, name="TASS", domains=["tass.ru"])
    post = make_post(db, editor, title="Kasachstan", source_id=gone.id)
    _indexed(db)
    # A source with posts cannot be deleted: its posts move first, and are indexed anew.
    refused = client.delete(f"{API}/sources/{gone.slug}", headers=editor.headers)
    assert refused.status_code == 409, refused.text
    client.patch(f"{API}/posts/{post.id}", json={"source_id": kept.id}, headers=editor.headers)
    deleted = client.delete(f"{API}/sources/{gone.slug}", headers=editor.headers)
    assert deleted.status_code == 204, deleted.text
    _indexed(db)
    assert found_token(db, source_token(gone.id)) == set()
    assert _in_index(db, "Kasachstan", gone.id) == set()
    assert _searched(client, "Kasachstan", "interfax") == []
    assert _searched(client, "Kasachstan", "tass") == ["Kasachstan"]


def test_no_query_text_reaches_a_sources_token(
    client: TestClient, db: Database, editor: Account
) -> None:
    tass = make_source(db, name="TASS", domains=["tass.ru"])
    make_post(db, editor, title="Almaty", source_id=tass.id)
    _indexed(db)
    token = source_token(tass.id)
    assert found_token(db, token)
    for typed in (token, f'"{token}"', f"{token}*", f"Kasachstan OR {token}", f"{SOURCE_MARK}*"):
        response = client.get(f"{API}/search", params={"q": typed})
        if response.status_code == 200:
            assert response.json()["total"] == 0, typed
        else:
            assert response.status_code == 422, (typed, response.text)
        for reading in _readings(typed):
            assert SOURCE_MARK[0] not in reading, (typed, reading)
    # Nor do the words a search suggests, ranks or highlights hold it.
    with db.engine.connect() as connection:
        words = connection.execute(text("SELECT word, shown FROM search_words")).all()
        held = connection.execute(
            text("SELECT title_terms, lead_terms, keywords FROM post_search")
        ).all()
    assert not [word for word in words if SOURCE_MARK[0] in "".join(word)]
    assert not [row for row in held if SOURCE_MARK[0] in "".join(row)]


def _readings(typed: str) -> list[str]:
    """What each database would be asked for ``typed`` (none for what has no reading)."""
    try:
        query = parse(typed, LANGUAGES)
    except QueryError:
        return []
    return [fts5_match(query), tsquery(query)]


def test_the_migration_adds_each_indexed_posts_source_token_and_its_downgrade_removes_them(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    url = fresh_database_url(backend)
    upgrade(url)
    database = open_database(url)
    try:
        editor = make_account(database)
        tass = make_source(database, name="TASS", domains=["tass.ru"])
        xinhua = make_source(database, name="Xinhua", domains=["xinhuanet.com"])
        first = make_post(database, editor, title="Kasachstan eins", source_id=tass.id)
        second = make_post(database, editor, title="Kasachstan zwei", source_id=xinhua.id)
        alone = make_post(database, editor, title="Kasachstan drei", recognize_source=False)
        _indexed(database)
    finally:
        database.dispose()
    downgrade(url, BEFORE_TOKENS)
    database = open_database(url)
    try:
        assert found_token(database, source_token(tass.id)) == set()
        assert found_token(database, source_token(xinhua.id)) == set()
    finally:
        database.dispose()
    upgrade(url)
    database = open_database(url)
    try:
        assert found_token(database, source_token(tass.id)) == {first.id}
        assert found_token(database, source_token(xinhua.id)) == {second.id}
        assert _in_index(database, "Kasachstan") == {first.id, second.id, alone.id}
        assert _in_index(database, "Kasachstan", tass.id) == {first.id}
        # What the indexer writes now sits beside what the migration wrote.
        third = make_post(database, editor, title="Kasachstan vier", source_id=tass.id)
        _indexed(database)
        assert _in_index(database, "Kasachstan", tass.id) == {first.id, third.id}
        assert _in_index(database, '"Kasachstan vier"', tass.id) == {third.id}
    finally:
        database.dispose()
