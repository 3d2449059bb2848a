"""fields=: every post read narrowed to the top-level fields asked for, and nothing else changed."""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete

from app.core.config import Settings
from app.core.db import Database
from app.posts.fields import POST_FIELDS
from app.posts.queries import DOCUMENTS
from app.search.index import index_queued
from tests.counting import read_queries_for
from tests.factories import Account, make_account, make_post, make_source

API = "/api/v1"
ASKED = "title,id,source,published_at,slug"
# As the post's JSON has them, whatever the order asked.
KEPT = ["id", "slug", "title", "published_at", "source"]


@pytest.fixture
def editor(db: Database) -> Account:
    return make_account(db, name="Jürgen Çelik")


@pytest.fixture
def posts(db: Database, editor: Account) -> list[Any]:
    junge = make_source(db, name="junge Welt")
    return [
        make_post(
            db, editor, source_id=junge.id if number % 2 else None, tags=["Ökonomie"],
            title=f"Zeitung „Nummer“ {number}", body=f"Wirtschaft und Handel {number}.",
            published_at=f"2022-01-10T{8 + number:02d}:00:00Z",
        )
        for number in range(5)
    ]  # fmt: skip


def _narrowed(full: dict[str, Any]) -> dict[str, Any]:
    return {name: full[name] for name in KEPT}


def _same_items_narrowed(full: dict[str, Any], narrowed: dict[str, Any]) -> None:
    """The envelope unchanged, each item the full read's, narrowed, in the post's order."""
    assert [list(item) for item in narrowed["items"]] == [KEPT] * len(full["items"])
    assert narrowed["items"] == [_narrowed(item) for item in full["items"]]
    assert {k: v for k, v in narrowed.items() if k != "items"} == {
        k: v for k, v in full.items() if k != "items"
    }


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"per_page": 2, "page": 2},
        {"sort": "title", "tag": "oekonomie"},
        {"source": "junge-welt", "sort": "published_at"},
        {"date": "2022-01-10", "per_page": 3},
        {"q": "Wirtschaft"},
    ],
)
def test_a_list_is_narrowed_with_any_filter(
    client: TestClient, settings: Settings, db: Database, posts: list[Any], params: dict[str, Any]
) -> None:
    index_queued(db, settings.search_languages)
    full = client.get(f"{API}/posts", params=params)
    narrowed = client.get(f"{API}/posts", params={**params, "fields": ASKED})
    assert narrowed.status_code == 200
    _same_items_narrowed(full.json(), narrowed.json())
    assert narrowed.headers["x-total-count"] == full.headers["x-total-count"]
    # Every link leads to the same narrowing.
    links = narrowed.headers["link"]
    assert links.count("fields=title%2Cid%2C") == full.headers["link"].count("rel=") > 0
    assert len(narrowed.content) < len(full.content)


def test_a_list_by_cursor_is_narrowed_page_after_page(client: TestClient, posts: list[Any]) -> None:
    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"per_page": 2, "fields": "id,title"}
    while True:
        page = client.get(f"{API}/posts", params=params).json()
        assert all(list(item) == ["id", "title"] for item in page["items"])
        seen += page["items"]
        if page["next_cursor"] is None:
            break
        params = {"per_page": 2, "fields": "id,title", "cursor": page["next_cursor"]}
    full = client.get(f"{API}/posts").json()["items"]
    assert seen == [{"id": post["id"], "title": post["title"]} for post in full]


def test_one_post_is_narrowed_by_id_and_slug_and_with_a_token(
    client: TestClient, editor: Account, posts: list[Any]
) -> None:
    post = posts[1]
    full = client.get(f"{API}/posts/{post.id}").json()
    for ref, headers in ((post.id, {}), (post.slug, {}), (post.id, editor.headers)):
        narrowed = client.get(f"{API}/posts/{ref}", params={"fields": ASKED}, headers=headers)
        assert narrowed.status_code == 200
        assert list(narrowed.json()) == KEPT
        assert narrowed.json() == _narrowed(full)


def test_a_day_archive_is_narrowed(client: TestClient, posts: list[Any]) -> None:
    for params in ({}, {"per_page": 2}, {"source": "junge-welt"}, {"q": "Handel"}):
        url = f"{API}/archives/2022/01/10"
        full = client.get(url, params=params)
        narrowed = client.get(url, params={**params, "fields": ASKED})
        assert narrowed.status_code == 200, narrowed.text
        _same_items_narrowed(full.json(), narrowed.json())
        assert narrowed.headers["x-total-count"] == full.headers["x-total-count"]


def test_search_hits_keep_their_score_and_highlights(
    client: TestClient, settings: Settings, db: Database, posts: list[Any]
) -> None:
    index_queued(db, settings.search_languages)
    for params in ({"q": "Wirtschaft"}, {"q": "Handel", "per_page": 2, "page": 2}):
        full = client.get(f"{API}/search", params=params).json()
        narrowed = client.get(f"{API}/search", params={**params, "fields": "slug,id"}).json()
        assert full["items"]
        assert [list(item) for item in narrowed["items"]] == [
            ["id", "slug", "score", "highlights"]
        ] * len(full["items"])
        assert narrowed["items"] == [
            {name: item[name] for name in ("id", "slug", "score", "highlights")}
            for item in full["items"]
        ]
        assert {k: v for k, v in narrowed.items() if k != "items"} == {
            k: v for k, v in full.items() if k != "items"
        }


def test_every_field_asked_is_the_full_post_and_repeats_are_joined(
    client: TestClient, posts: list[Any]
) -> None:
    url = f"{API}/posts/{posts[0].id}"
    full = client.get(url)
    everything = client.get(url, params={"fields": ",".join(reversed(POST_FIELDS))})
    assert everything.content == full.content
    repeated = client.get(f"{url}?fields=title&fields=id,title")
    assert repeated.json() == {"id": posts[0].id, "title": posts[0].title}


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("fields=id,titel,Body", ["'titel'", "'Body'"]),
        ("fields=", ["no field"]),
        ("fields=id,,slug", ["empty name"]),
        ("fields=id,", ["empty name"]),
        ("fields=source.name", ["'source.name'"]),
    ],
)
def test_unknown_or_empty_fields_are_refused_on_every_read(
    client: TestClient, posts: list[Any], query: str, named: list[str]
) -> None:
    for path in (
        "/posts",
        f"/posts/{posts[0].slug}",
        "/archives/2022/01/10",
        "/search?q=Handel",
    ):
        url = f"{API}{path}{'&' if '?' in path else '?'}{query}"
        response = client.get(url)
        assert response.status_code == 422, url
        assert response.headers["content-type"] == "application/problem+json"
        detail = response.json()["detail"]
        assert all(name in detail for name in named), detail
        if "'" in named[0]:
            assert "published_at" in detail  # the names it takes are listed


def test_direct_reads_and_the_framework_give_the_same_bytes(
    client: TestClient,
    framework: TestClient,
    db: Database,
    posts: list[Any],
    answered_directly: list[str],
) -> None:
    """Stored documents and posts made from their rows (no document) narrowed alike; the
    direct reads answer valid narrowings themselves and leave invalid ones to the framework."""
    with db.session() as session:
        session.execute(delete(DOCUMENTS).where(DOCUMENTS.c.post_id == posts[2].id))
    urls = [
        f"{API}/posts?fields={ASKED}",
        f"{API}/posts?fields=tags,likes,author,date&per_page=2&page=2",
        f"{API}/posts?fields=id&sort=title&source=junge-welt",
        f"{API}/posts/{posts[2].id}?fields=body_html,id,status",
        f"{API}/posts/{posts[1].slug}?fields=source,created_at,updated_at",
        f"{API}/archives/2022/01/10?fields=excerpt,language,credit,original_url",
        f"{API}/archives/2022/01/10?fields=id&per_page=1&page=3",
        f"{API}/posts?fields=id,nope",
        f"{API}/posts/{posts[1].slug}?fields=",
    ]
    for url in urls:
        mine, theirs = client.get(url), framework.get(url)
        assert (mine.status_code, mine.content) == (theirs.status_code, theirs.content), url
        for name in ("content-type", "x-total-count", "link", "etag"):
            assert mine.headers.get(name) == theirs.headers.get(name), (url, name)
    assert len(answered_directly) == len(urls) - 2


def test_each_representation_has_its_own_etag(
    client: TestClient, editor: Account, posts: list[Any]
) -> None:
    url = f"{API}/posts/{posts[0].id}"
    for headers in ({}, editor.headers):
        full = client.get(url, headers=headers)
        narrowed = client.get(url, params={"fields": "id,title"}, headers=headers)
        other = client.get(url, params={"fields": "id,slug"}, headers=headers)
        etags = {full.headers["etag"], narrowed.headers["etag"], other.headers["etag"]}
        assert len(etags) == 3
        # Each revalidates itself, never another representation.
        again = {**headers, "If-None-Match": narrowed.headers["etag"]}
        assert client.get(url, params={"fields": "id,title"}, headers=again).status_code == 304
        assert client.get(url, headers=again).status_code == 200
        assert client.get(url, params={"fields": "id,slug"}, headers=again).status_code == 200
        full_again = {**headers, "If-None-Match": full.headers["etag"]}
        response = client.get(url, params={"fields": "id,title"}, headers=full_again)
        assert response.status_code == 200
    # A write's If-Match still compares the post's version: the full read's ETag holds.
    version = client.get(url, headers=editor.headers).headers["etag"]
    narrowed_etag = client.get(url, params={"fields": "id"}, headers=editor.headers).headers["etag"]
    patch = {"title": "Neu"}
    refused = client.patch(url, json=patch, headers={**editor.headers, "If-Match": narrowed_etag})
    assert refused.status_code == 412
    accepted = client.patch(url, json=patch, headers={**editor.headers, "If-Match": version})
    assert accepted.status_code == 200


def test_narrowing_takes_no_more_queries(
    app: FastAPI, client: TestClient, editor: Account, db: Database, posts: list[Any]
) -> None:
    urls = [
        app.url_path_for("list_posts"),
        app.url_path_for("day_archive", year="2022", month="1", day="10"),
        app.url_path_for("get_post", id_or_slug=str(posts[0].id)),
    ]
    client.get(urls[0], params={"tag": "keiner"})  # the cursors' key, read once
    for url in urls:
        # The counts, kept by content version, read once beforehand; each URL then once.
        read_queries_for(client, db, url, fields="slug")
        full = read_queries_for(client, db, url)
        assert read_queries_for(client, db, url, fields="id,title") == full, url


def test_every_post_read_documents_fields(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/posts",
        "/posts/{id_or_slug}",
        "/archives/{year}/{month}/{day}",
        "/search",
    ):
        parameters = spec["paths"][f"{API}{path}"]["get"]["parameters"]
        (fields,) = [p for p in parameters if p["name"] == "fields"]
        assert fields["in"] == "query"
        assert not fields.get("required", False)
        assert "comma-separated" in fields["description"]
        assert "published_at" in fields["description"]
