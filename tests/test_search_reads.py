"""How a search and a list narrowed by q read their matches, on both databases: once per
request, whatever the statements after need of them (app.search.matching.newest_matches),
and with the same posts found as the query means, past the counted cap too."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.db import Database
from app.posts import service as posts_service
from app.search import service
from tests.counting import count_queries, read_queries_for, reads_of
from tests.factories import make_account, make_post, make_source

API = "/api/v1"


def _indexed_posts(db: Database, settings: Settings, titles: list[str]) -> None:
    """Posts with these titles, newest first, indexed."""
    from app.search.index import index_queued

    editor = make_account(db)
    source = make_source(db, name="TASS", domains=["tass.ru"])
    for number, title in enumerate(titles):
        make_post(db, editor, title=title, body="Ein Bericht.", source_id=source.id,
                  published_at=f"2022-01-10T09:{59 - number:02}:00Z")  # fmt: skip
    index_queued(db, settings.search_languages)


def _read_the_key(client: TestClient) -> None:
    """Have the instance's key read, which seals the next page's cursor: once per process,
    by the first request that needs it, not by every search."""
    assert client.get(f"{API}/search", params={"q": "Brücke", "per_page": 1}).is_success


def _get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"{API}/{path}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# Newest first. The words of the phrase "grüne Brücke" stand apart in the newest posts: a
# database that finds posts by their words first must still check each of those.
TITLES = [
    "Die Brücke ist nicht grüne Farbe",
    "Brücke und grüne Wiese",
    "Die grüne Brücke eins",
    "Grüne Brücke zwei",
    "Eine Brücke, sonst nichts",
    "Über die grüne Brücke drei",
    "Die grüne Brücke vier",  # the fourth match: past a cap of three
]


def test_a_phrase_past_the_cap_counts_only_the_posts_holding_it_as_such(
    client: TestClient, db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "COUNTED", 3)
    monkeypatch.setattr(posts_service, "COUNTED", 3)
    _indexed_posts(db, settings, TITLES)
    phrase = '"grüne Brücke"'
    newest = ["Die grüne Brücke eins", "Grüne Brücke zwei", "Über die grüne Brücke drei"]

    found = _get(client, "search", q=phrase, sort="-published_at")
    assert (found["total"], found["total_exact"]) == (3, False)
    assert [hit["title"] for hit in found["items"]] == newest
    assert [(s["name"], s["count"]) for s in found["facets"]["sources"]] == [("TASS", 3)]
    listed = _get(client, "posts", q=phrase)
    assert (listed["total"], listed["total_exact"]) == (3, False)
    assert [post["title"] for post in listed["items"]] == newest
    # Without the phrase: the posts holding its words apart are not left out with it.
    apart = _get(client, "search", q='Brücke -"grüne Brücke"', sort="-published_at")
    assert [hit["title"] for hit in apart["items"]] == [
        "Die Brücke ist nicht grüne Farbe",
        "Brücke und grüne Wiese",
        "Eine Brücke, sonst nichts",
    ]
    assert (apart["total"], apart["total_exact"]) == (3, True)


@pytest.mark.parametrize("counted", [3, 10_000], ids=["past the cap", "within it"])
def test_a_search_and_a_list_read_their_matches_once(
    client: TestClient,
    db: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    counted: int,
) -> None:
    """A statement that finds the matches again (to count them, to rank them, to list a
    page of them) would test each document again: PostgreSQL adds only its planner
    settings to what SQLite reads."""
    monkeypatch.setattr(service, "COUNTED", counted)
    monkeypatch.setattr(posts_service, "COUNTED", counted)
    _indexed_posts(db, settings, TITLES)
    extra = 1 if db.engine.dialect.name == "postgresql" else 0
    _read_the_key(client)
    # The matches counted (on SQLite with the names of their sources, which the facets
    # show; on PostgreSQL read, then the sources looked up), their ranking, the page's posts
    # with their stored documents.
    search = read_queries_for(client, db, f"{API}/search", q='"grüne Brücke"', per_page=2)
    assert search == (5 if extra else 3)
    # The count (on PostgreSQL: the matches, counted as read), the page, its tags.
    listed = read_queries_for(client, db, f"{API}/posts", q='"grüne Brücke"', per_page=2)
    assert listed == 3 + extra


def test_a_search_sends_the_same_statements_whatever_the_size_of_its_page(
    client: TestClient, db: Database, settings: Settings
) -> None:
    """The page's posts are one parameter, not one each: a statement is compiled once, and
    its parameters are not rendered into it at every search."""
    _indexed_posts(db, settings, TITLES)
    _read_the_key(client)
    with count_queries(db) as two:
        assert client.get(f"{API}/search", params={"q": "Brücke", "per_page": 2}).is_success
    with count_queries(db) as five:
        assert client.get(f"{API}/search", params={"q": "Brücke", "per_page": 5}).is_success
    assert reads_of(two) == reads_of(five)
