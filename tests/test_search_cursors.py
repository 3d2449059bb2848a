"""Search pages by cursor: a keyset on the search key (newest first) or on the score and key
within a ranked window pinned at the walk's start (relevance), stable while posts are added."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.db import Database
from app.search import service
from app.search.index import index_queued
from tests.factories import Account, make_account, make_post, make_source

API = "/api/v1"
SEARCH = f"{API}/search"
START = datetime(2022, 1, 10, 9, 0, tzinfo=UTC)
NEWEST = "-published_at"


@pytest.fixture
def editor(db: Database) -> Account:
    return make_account(db)


def _indexed(db: Database, settings: Settings) -> None:
    """What the worker does within a second of a write: index the posts it queued."""
    index_queued(db, settings.search_languages)


def _body(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _ids(response: Any) -> list[int]:
    return [hit["id"] for hit in _body(response)["items"]]


def _page_walk(client: TestClient, params: dict[str, Any]) -> list[int]:
    ids: list[int] = []
    number = 1
    while page := _ids(client.get(SEARCH, params={**params, "page": number})):
        ids += page
        number += 1
    return ids


def _cursor_walk(client: TestClient, params: dict[str, Any]) -> list[int]:
    """Every page by next_cursor: each with the first page's total, facets and ranking, and
    a Link header whose next is the same page as the body's next_cursor."""
    response = client.get(SEARCH, params=params)
    first = _body(response)
    ids = _ids(response)
    while (cursor := _body(response)["next_cursor"]) is not None:
        linked = client.get(response.links["next"]["url"]).json()
        response = client.get(SEARCH, params={**params, "cursor": cursor})
        page = _body(response)
        assert page["page"] is None
        # The first page's Link header numbers the next page; a cursor page's holds the cursor.
        assert linked == (page if linked["page"] is None else {**page, "page": 2})
        for same in ("total", "total_exact", "facets", "ranking", "per_page"):
            assert page[same] == first[same], same
        assert response.headers["x-total-count"] == str(first["total"])
        ids += _ids(response)
    assert "next" not in response.links
    return ids


def _corpus_with_ties(db: Database, settings: Settings, editor: Account) -> None:
    """23 posts matching "Brücke": in the title, the lead (a tag) or the body only, so many
    share a score; some share a second, so only their ids order them."""
    tass = make_source(db, name="TASS", slug="tass")
    for number in range(23):
        place = number % 3
        make_post(
            db,
            editor,
            title=f"Brücke {number}" if place == 0 else f"Bericht {number}",
            tags=["Brücke"] if place == 1 else [],
            body=f"Über die Brücke, Nummer {number}." if place == 2 else "Ein Bericht.",
            source_id=tass.id if number % 2 else None,
            published_at=(START - timedelta(minutes=number // 2)).isoformat(),
        )
    make_post(db, editor, title="Nichts davon", body="Ein Bericht.")
    _indexed(db, settings)


@pytest.mark.parametrize(
    ("sort", "ranked", "per_page"),
    [
        ("relevance", 10, 4),  # the window ends within a page
        ("relevance", 10, 5),  # the window ends with a page
        ("relevance", service.RANKED, 4),  # every match ranked
        (NEWEST, service.RANKED, 4),
    ],
)
def test_a_walk_by_cursor_is_the_walk_by_page_number(
    client: TestClient,
    db: Database,
    settings: Settings,
    editor: Account,
    monkeypatch: pytest.MonkeyPatch,
    sort: str,
    ranked: int,
    per_page: int,
) -> None:
    monkeypatch.setattr(service, "RANKED", ranked)
    _corpus_with_ties(db, settings, editor)
    params = {"q": "Brücke", "sort": sort, "per_page": per_page}
    by_page = _page_walk(client, params)
    assert len(by_page) == len(set(by_page)) == 23
    everything = _body(client.get(SEARCH, params={**params, "per_page": 23}))
    assert everything["next_cursor"] is None
    scores = [hit["score"] for hit in everything["items"]]
    assert len(set(scores)) < len(scores)  # ties, which only the key orders
    assert _cursor_walk(client, params) == by_page
    # A page by number carries the cursor of the page after it too.
    second = _body(client.get(SEARCH, params={**params, "page": 2}))
    third = client.get(SEARCH, params={**params, "cursor": second["next_cursor"]})
    assert _ids(third) == by_page[2 * per_page : 3 * per_page]


@pytest.mark.parametrize("sort", ["relevance", NEWEST])
def test_a_walk_by_cursor_reaches_as_far_as_the_counted_matches(
    client: TestClient,
    db: Database,
    settings: Settings,
    editor: Account,
    monkeypatch: pytest.MonkeyPatch,
    sort: str,
) -> None:
    monkeypatch.setattr(service, "COUNTED", 17)
    monkeypatch.setattr(service, "RANKED", 5)
    _corpus_with_ties(db, settings, editor)
    params = {"q": "Brücke", "sort": sort, "per_page": 4}
    by_page = _page_walk(client, params)
    assert len(by_page) == 17
    assert _cursor_walk(client, params) == by_page
    assert _body(client.get(SEARCH, params=params))["total_exact"] is False


@pytest.mark.parametrize("sort", ["relevance", NEWEST])
def test_a_walk_while_posts_are_added_shows_every_older_match_once(
    client: TestClient,
    db: Database,
    settings: Settings,
    editor: Account,
    monkeypatch: pytest.MonkeyPatch,
    sort: str,
) -> None:
    # A window of 25 ranked matches, then the rest newest first: a walk crosses both.
    monkeypatch.setattr(service, "RANKED", 25)
    for number in range(60):
        make_post(
            db,
            editor,
            title=f"Brücke {number}" if number % 4 == 0 else f"Bericht {number}",
            body="Über die Brücke." if number % 4 else "Ein Bericht.",
            published_at=(START - timedelta(minutes=number)).isoformat(),
        )
    _indexed(db, settings)
    params = {"q": "Brücke", "sort": sort, "per_page": 7}
    expected = _page_walk(client, params)
    assert len(expected) == 60
    seen: list[int] = []
    response = client.get(SEARCH, params=params)
    added = 0
    while True:
        seen += _ids(response)
        cursor = _body(response)["next_cursor"]
        if cursor is None:
            break
        # Newer matches than the walk's start, the best of them matching in the title.
        for _ in range(70):
            added += 1
            make_post(db, editor, title=f"Neue Brücke {added}", body="Über die Brücke.",
                      published_at=(START + timedelta(minutes=added)).isoformat())  # fmt: skip
        _indexed(db, settings)
        response = client.get(SEARCH, params={**params, "cursor": cursor})
        assert _body(response)["total"] == 60 + added
    assert added >= 500
    assert seen == expected


def test_a_cursor_changed_by_hand_or_made_for_another_list_is_refused(
    client: TestClient, db: Database, settings: Settings, editor: Account
) -> None:
    _corpus_with_ties(db, settings, editor)
    params = {"q": "Brücke", "per_page": 4}
    cursor = _body(client.get(SEARCH, params=params))["next_cursor"]
    newest = _body(client.get(SEARCH, params={**params, "sort": NEWEST}))["next_cursor"]
    listed = _body(client.get(f"{API}/posts", params={"per_page": 2}))["next_cursor"]
    assert cursor is not None
    assert newest is not None
    assert listed is not None
    changed = cursor[:10] + ("A" if cursor[10] != "A" else "B") + cursor[11:]

    def refused(query: dict[str, Any], *words: str) -> None:
        response = client.get(SEARCH, params=query)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        detail = response.json()["detail"]
        assert "cursor" in detail
        for word in words:
            assert word in detail

    refused({**params, "cursor": changed}, "next_cursor as it is")
    refused({**params, "cursor": cursor + "A"})
    refused({**params, "cursor": listed}, "next_cursor as it is")
    refused({**params, "cursor": cursor, "page": 2}, "without page")
    refused({**params, "cursor": newest}, "sort=-published_at")
    refused({**params, "cursor": cursor, "sort": NEWEST}, "sort=relevance")
    refused({**params, "cursor": cursor, "q": "Bericht"}, "another query")
    refused({**params, "cursor": cursor, "source": "tass"}, "other filters")
    # A search's cursor is not the post list's either.
    on_posts = client.get(f"{API}/posts", params={"per_page": 2, "cursor": cursor})
    assert on_posts.status_code == 422
    assert on_posts.headers["content-type"] == "application/problem+json"
    # The cursor as given is taken.
    assert client.get(SEARCH, params={**params, "cursor": cursor}).status_code == 200


def test_the_cursor_is_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/v1/search"]["get"]
    cursor = next(p for p in operation["parameters"] if p["name"] == "cursor")
    assert cursor["in"] == "query"
    assert "next_cursor" in cursor["description"]
    page = spec["components"]["schemas"]["SearchPage"]["properties"]
    assert "next_cursor" in page
