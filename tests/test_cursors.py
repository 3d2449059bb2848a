"""Post lists page by cursor: a keyset on the sort key and id, stable while posts come and go."""

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth.models import Role
from app.core.db import Database
from app.posts.schemas import PostSort
from tests.counting import read_queries_for
from tests.factories import Account, make_account, make_post, make_source

API = "/api/v1"
POSTS = f"{API}/posts"
SORTS = [sort.value for sort in PostSort]
START = datetime(2022, 1, 10, 9, 0, tzinfo=UTC)


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _page_walk(client: TestClient, params: dict[str, Any], **kwargs: Any) -> list[int]:
    ids: list[int] = []
    number = 1
    while True:
        response = client.get(POSTS, params={**params, "page": number}, **kwargs)
        page = _ids(response)
        if not page:
            return ids
        ids += page
        number += 1


def _cursor_walk(client: TestClient, params: dict[str, Any], **kwargs: Any) -> list[int]:
    """Every page by next_cursor, checking that the Link header's next is the same page."""
    response = client.get(POSTS, params=params, **kwargs)
    ids = _ids(response)
    while (cursor := response.json()["next_cursor"]) is not None:
        response = client.get(POSTS, params={**params, "cursor": cursor}, **kwargs)
        linked = response.links["next"]["url"] if "next" in response.links else None
        assert response.json()["page"] is None
        ids += _ids(response)
        if linked is not None:
            assert (
                client.get(linked, **kwargs).json()
                == client.get(
                    POSTS, params={**params, "cursor": response.json()["next_cursor"]}, **kwargs
                ).json()
            )
    assert "next" not in response.links
    return ids


@pytest.fixture
def editor(db: Database) -> Account:
    return make_account(db)


def _posts_with_ties(db: Database, editor: Account) -> None:
    """Posts sharing times and titles, so that only the id orders some of them."""
    for number in range(13):
        make_post(
            db,
            editor,
            title=f"Gleich {number % 3}" if number % 2 else f"Äpfel {number}",
            published_at=(START - timedelta(hours=number // 3)).isoformat(),
        )


@pytest.mark.parametrize("sort", SORTS)
def test_a_walk_by_cursor_is_the_walk_by_page_number(
    client: TestClient, db: Database, editor: Account, sort: str
) -> None:
    _posts_with_ties(db, editor)
    params = {"sort": sort, "per_page": 4}
    by_page = _page_walk(client, params)
    assert len(by_page) == 13
    assert _cursor_walk(client, params) == by_page
    last = client.get(POSTS, params={"sort": sort, "per_page": 13})
    assert last.json()["next_cursor"] is None
    # A page by number carries the cursor of the page after it too.
    second = client.get(POSTS, params={**params, "page": 2}).json()
    third = client.get(POSTS, params={**params, "cursor": second["next_cursor"]})
    assert _ids(third) == by_page[8:12]
    assert third.headers["x-total-count"] == "13"


def test_a_walk_while_posts_are_added_and_removed_shows_every_older_post_once(
    client: TestClient, db: Database, editor: Account
) -> None:
    older = [
        make_post(db, editor, published_at=(START - timedelta(minutes=n)).isoformat()).id
        for n in range(60)
    ]
    newest_first = list(older)  # made newest first
    removed: set[int] = set()
    seen: list[int] = []
    response = client.get(POSTS, params={"per_page": 7})
    added = 0
    while True:
        seen += _ids(response)
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
        # Newer posts than the walk's start, and posts ahead of the walk trashed or purged.
        for _ in range(90):
            make_post(db, editor, published_at=(START + timedelta(minutes=1 + added)).isoformat())
            added += 1
        ahead = [n for n in newest_first if n not in seen and n not in removed]
        for post_id in ahead[3:5]:
            purge = "true" if post_id % 2 else "false"
            gone = client.delete(f"{POSTS}/{post_id}?purge={purge}", headers=editor.headers)
            assert gone.status_code == 204
            removed.add(post_id)
        response = client.get(POSTS, params={"per_page": 7, "cursor": cursor})
    assert added >= 500
    assert len(seen) == len(set(seen))
    assert seen == [post_id for post_id in newest_first if post_id not in removed]
    assert len(removed) >= 10


def test_filters_are_kept_from_page_to_page(
    client: TestClient, db: Database, editor: Account
) -> None:
    tass = make_source(db, name="TASS", slug="tass")
    for number in range(9):
        make_post(db, editor, source_id=tass.id, tags=["Ökonomie"] if number % 3 else [])
        make_post(db, editor, tags=["Ökonomie"])
    params = {"source": "tass", "tag": "oekonomie", "sort": "title", "per_page": 2}
    response = client.get(POSTS, params=params)
    seen = _ids(response)
    # The first page is by number (its Link header too); its next_cursor starts the walk,
    # whose pages link the next by cursor.
    response = client.get(POSTS, params={**params, "cursor": response.json()["next_cursor"]})
    seen += _ids(response)
    kept = {"source": ["tass"], "tag": ["oekonomie"], "sort": ["title"], "per_page": ["2"]}
    while "next" in response.links:
        following = response.links["next"]["url"]
        cursor = [response.json()["next_cursor"]]
        assert parse_qs(urlsplit(following).query) == {**kept, "cursor": cursor}
        response = client.get(following)
        assert parse_qs(urlsplit(response.links["first"]["url"]).query) == kept
        seen += _ids(response)
    assert response.json()["next_cursor"] is None
    assert len(seen) == 6
    assert seen == _page_walk(client, params)


def _problem(response: Any) -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail: str = response.json()["detail"]
    assert "cursor" in detail
    return detail


@pytest.mark.parametrize("token", [False, True])
def test_a_cursor_not_given_out_as_it_is_is_refused(
    client: TestClient, db: Database, editor: Account, token: bool
) -> None:
    for _ in range(3):
        make_post(db, editor)
    headers = editor.headers if token else {}
    cursor = client.get(POSTS, params={"per_page": 1}, headers=headers).json()["next_cursor"]
    assert cursor is not None
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for position in range(len(cursor)):
        changed = cursor[:position] + ("A" if cursor[position] != "A" else "B")
        changed += cursor[position + 1 :]
        _problem(client.get(POSTS, params={"cursor": changed}, headers=headers))
    respelt = cursor[:-1] + alphabet[alphabet.index(cursor[-1]) ^ 1]
    for garbage in ("abc", "!!!", "ÄÖÜ", cursor + "A", cursor[:-1], respelt, "A" * 5000):
        _problem(client.get(POSTS, params={"cursor": garbage}, headers=headers))
    made_for_another_sort = _problem(
        client.get(POSTS, params={"cursor": cursor, "sort": "title"}, headers=headers)
    )
    assert "sort=-published_at" in made_for_another_sort
    with_page = client.get(POSTS, params={"cursor": cursor, "page": 1}, headers=headers)
    assert "page" in _problem(with_page)
    # The same cursor as it was given is still good.
    assert len(_ids(client.get(POSTS, params={"cursor": cursor}, headers=headers))) == 2


def test_an_audit_cursor_is_no_post_cursor(client: TestClient, db: Database) -> None:
    admin = make_account(db, Role.admin)
    for _ in range(3):
        make_post(db, admin)
    audit = client.get(f"{API}/audit", params={"limit": 1}, headers=admin.headers)
    cursor = audit.json()["next_cursor"]
    assert cursor is not None
    _problem(client.get(POSTS, params={"cursor": cursor}))


@pytest.mark.parametrize("sort", SORTS)
def test_drafts_without_a_time_are_walked_with_a_token(
    client: TestClient, db: Database, sort: str
) -> None:
    author = make_account(db, Role.author)
    other = make_account(db, Role.author)
    editor = make_account(db)
    for number in range(5):
        make_post(db, author, status="draft", published_at=None, title=f"Entwurf {number}")
        make_post(db, other, status="draft", published_at=None)
        make_post(db, editor, title=f"Öffentlich {number}")
    params = {"status": ["draft", "published"], "sort": sort, "per_page": 3}
    for account, expected in ((author, 10), (editor, 15)):
        by_page = _page_walk(client, params, headers=account.headers)
        assert len(by_page) == expected
        assert _cursor_walk(client, params, headers=account.headers) == by_page
    cursor = client.get(POSTS, params=params, headers=editor.headers).json()["next_cursor"]
    refused = client.get(POSTS, params={**params, "cursor": cursor})
    assert refused.status_code == 401


@pytest.mark.parametrize("sort", SORTS)
def test_direct_reads_and_the_framework_give_the_same_pages(
    client: TestClient, framework: TestClient, db: Database, editor: Account, sort: str
) -> None:
    source = make_source(db, name="junge Welt", slug="junge-welt")
    _posts_with_ties(db, editor)
    for number in range(4):
        make_post(db, editor, source_id=source.id, title=f"Führung {number}")
    for params in ({"sort": sort, "per_page": 4}, {"sort": sort, "source": "junge-welt"}):
        mine, theirs = client.get(POSTS, params=params), framework.get(POSTS, params=params)
        assert mine.content == theirs.content
        while (cursor := mine.json()["next_cursor"]) is not None:
            following = {**params, "cursor": cursor}
            mine, theirs = (
                client.get(POSTS, params=following),
                framework.get(POSTS, params=following),
            )
            assert mine.content == theirs.content
            assert mine.headers["link"] == theirs.headers["link"]


def test_a_page_by_cursor_takes_as_many_queries_whatever_its_size(
    app: FastAPI, client: TestClient, db: Database, editor: Account
) -> None:
    for _ in range(30):
        make_post(db, editor, tags=["Alle"])
    start = client.get(POSTS, params={"per_page": 1}).json()["next_cursor"]
    small = read_queries_for(client, db, POSTS, cursor=start, per_page=2)
    large = read_queries_for(client, db, POSTS, cursor=start, per_page=100)
    assert small == large <= 3


def test_the_longest_titles_make_cursors_short_enough(
    client: TestClient, db: Database, editor: Account
) -> None:
    """The title sort's cursor holds the title's sort key: for 300 four-byte characters,
    still within the cursor's limit."""
    for number in range(4):
        make_post(db, editor, title="𠀀" * 299 + str(number), slug=f"lang-{number}")
    params = {"sort": "title", "per_page": 1}
    cursor = client.get(POSTS, params=params).json()["next_cursor"]
    assert 2000 < len(cursor) <= 4096
    by_page = _page_walk(client, params)
    assert len(by_page) == 4
    assert _cursor_walk(client, params) == by_page


def test_the_api_description_names_the_cursor(app: FastAPI, client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, schema in ((POSTS, "PostPage"), (f"{API}/archives/{{year}}/{{month}}/{{day}}",
                                                 "DayArchive")):  # fmt: skip
        operation = spec["paths"][path]["get"]
        cursor = next(p for p in operation["parameters"] if p["name"] == "cursor")
        assert "next_cursor" in cursor["description"]
        assert cursor["schema"]["anyOf"][0]["maxLength"] == 4096
        assert "next_cursor" in spec["components"]["schemas"][schema]["properties"]
    # A feed is the newest posts: it takes no cursor.
    feed = client.get(app.url_path_for("json_feed"), params={"cursor": "abc"})
    assert feed.status_code == 422
    assert feed.json()["errors"][0]["loc"] == ["query", "cursor"]


def _day_walk(client: TestClient, url: str, *, per_page: int) -> list[int]:
    response = client.get(url, params={"per_page": per_page})
    ids = _ids(response)
    while (cursor := response.json()["next_cursor"]) is not None:
        response = client.get(url, params={"per_page": per_page, "cursor": cursor})
        assert response.json()["page"] is None
        ids += _ids(response)
    assert "next" not in response.links
    return ids


def test_a_day_is_walked_by_cursor_while_its_posts_come_and_go(
    app: FastAPI, client: TestClient, framework: TestClient, db: Database, editor: Account
) -> None:
    url = app.url_path_for("day_archive", year="2022", month="1", day="10")
    day = [
        make_post(db, editor, published_at=(START - timedelta(minutes=n // 2)).isoformat()).id
        for n in range(12)
    ]
    make_post(db, editor, published_at="2022-01-09T09:00:00Z")  # another day
    by_page = [
        post_id
        for number in (1, 2, 3)
        for post_id in _ids(client.get(url, params={"per_page": 5, "page": number}))
    ]
    assert sorted(by_page) == sorted(day)
    assert _day_walk(client, url, per_page=5) == by_page
    first = client.get(url, params={"per_page": 5})
    assert first.content == framework.get(url, params={"per_page": 5}).content
    following = {"per_page": 5, "cursor": first.json()["next_cursor"]}
    # A newer post of the day and one removed ahead of the walk shift nothing.
    make_post(db, editor, published_at=(START + timedelta(minutes=5)).isoformat())
    gone = client.delete(f"{POSTS}/{by_page[6]}", headers=editor.headers)
    assert gone.status_code == 204
    second = client.get(url, params=following)
    assert second.content == framework.get(url, params=following).content
    assert _ids(second) == by_page[5:6] + by_page[7:11]
    assert "page" in _problem(client.get(url, params={**following, "page": 2}))
    _problem(client.get(url, params={"cursor": "abc"}))
