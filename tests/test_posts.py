from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import insert

from app.auth.models import Role
from app.core.config import DEFAULT_SEARCH_LANGUAGES
from app.core.db import Database
from app.posts.models import Post
from app.posts.tags import slug_of
from app.search.index import index_queued
from tests.counting import count_queries
from tests.factories import make_account, make_post, make_source, tagged


def test_editor_creates_a_post_and_reads_it_back_by_id_and_slug(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    source = make_source(db, name="Global Times China", domains=["globaltimes.cn"])
    response = client.post(
        app.url_path_for("create_post"),
        headers=editor.headers,
        json={
            "title": "Führung aus einer Hand (II)",
            "body": "Erster Absatz.\n\nWeiterlesen\nhttps://www.globaltimes.cn/page/1.shtml",
            "source_id": source.id,
            "original_url": "https://www.globaltimes.cn/page/1.shtml",
            "credit": "Übersetzung Linke Zeitung",
            "tags": ["Kasachstan", "China"],
            "status": "published",
            "published_at": "2022-01-09T23:30:00Z",
        },
    )
    assert response.status_code == 201, response.text
    post = response.json()
    assert post.pop("source_match") is None  # a source_id was sent: nothing to recognise
    assert post["slug"] == "fuehrung-aus-einer-hand-ii"
    assert post["published_at"] == "2022-01-10T00:30:00+01:00"
    assert post["date"] == "2022-01-10"
    assert post["source"] == {"id": source.id, "slug": "global-times-china", "name": source.name}
    assert post["tags"] == tagged("China", "Kasachstan")
    assert post["author"]["name"] == editor.viewer.name
    assert post["language"] == "de"
    assert '<a href="https://www.globaltimes.cn/page/1.shtml"' in post["body_html"]
    assert post["excerpt"] == "Erster Absatz."
    for key in (str(post["id"]), post["slug"]):
        fetched = client.get(app.url_path_for("get_post", id_or_slug=key))
        assert fetched.status_code == 200
        assert fetched.json() == post


@pytest.mark.parametrize(
    "shape",
    [
        {
            "status": "published",
            "published_at": "2022-03-01T08:15:30.123456+05:00",
            "tags": ["zeitung", "china", "Ägypten", "Kasachstan", "ZEITUNG"],
            "credit": "Übersetzung der Redaktion",
            "original_url": "https://www.example.org/artikel/1",
            "language": "en",
            "with_source": True,
        },
        {"status": "published", "tags": ["China"]},
        {"status": "published", "published_at": "2099-01-01T10:00:00"},
        {"status": "draft", "body": "", "with_source": True},
    ],
    ids=["everything", "published-now", "scheduled", "draft"],
)
def test_a_created_post_is_answered_with_what_reading_it_gives(
    app: FastAPI, client: TestClient, db: Database, shape: dict[str, object]
) -> None:
    """The 201 is built from the written row, not read back: it must still be the same
    bytes a read of the post gives, tags spelled and ordered as stored, followed by the
    source recognition's result, which only the 201 has."""
    editor = make_account(db)
    make_post(db, editor, tags=["China", "Zeitung"])  # existing tags keep their spelling
    shape = dict(shape)
    if shape.pop("with_source", False):
        shape["source_id"] = make_source(db, name="Al-Ahram Weekly").id
    created = client.post(
        app.url_path_for("create_post"),
        headers=editor.headers,
        json={"title": "Neue Lage am Nil", "body": "Ein *Absatz* mit https://a.example.", **shape},
    )
    assert created.status_code == 201, created.text
    fetched = client.get(
        app.url_path_for("get_post", id_or_slug=str(created.json()["id"])), headers=editor.headers
    )
    assert fetched.status_code == 200
    match = created.json()["source_match"]
    assert created.content.startswith(fetched.content.removesuffix(b"}") + b',"source_match":')
    assert (match is None) == ("source_id" in shape)
    assert created.content.endswith(b',"source_match":null}') == (match is None)
    stored_spelling = {"china": "China", "zeitung": "Zeitung"}
    sent = cast(list[str], shape.get("tags", []))
    shown = {tag["name"]: tag["slug"] for tag in created.json()["tags"]}
    assert shown == {stored_spelling.get(t.lower(), t): slug_of(t) for t in sent}


def test_excerpts_are_the_first_words_as_plain_text(db: Database) -> None:
    editor = make_account(db)
    body = "Ein **kräftiger** Anfang mit [Verweis](https://a.example).\n\n" + "Wort " * 100
    excerpt = make_post(db, editor, body=body).excerpt
    assert excerpt.startswith("Ein kräftiger Anfang mit Verweis. Wort Wort")
    assert excerpt.endswith("Wort …")
    assert len(excerpt) <= 282


def test_slugs_stay_unique(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    slugs = [
        client.post(
            app.url_path_for("create_post"), headers=editor.headers, json={"title": "Straße"}
        ).json()["slug"]
        for _ in range(3)
    ]
    assert slugs == ["strasse", "strasse-2", "strasse-3"]
    # Free slugs are looked for a batch of candidates at a time; past the first batch too.
    many = [make_post(db, editor, title="Straße").slug for _ in range(25)]
    assert many == [f"strasse-{number}" for number in range(4, 29)]
    taken = client.post(
        app.url_path_for("create_post"),
        headers=editor.headers,
        json={"title": "Andere", "slug": "strasse"},
    )
    assert taken.status_code == 409
    assert "strasse" in taken.json()["detail"]


def test_a_common_title_gets_the_next_number_in_a_few_queries(db: Database) -> None:
    editor = make_account(db)
    first = make_post(db, editor, title="Kommentar")
    with db.session() as session:
        row = session.get_one(Post, first.id).model_dump(exclude={"id", "slug"})
        session.execute(insert(Post), [{**row, "slug": f"kommentar-{n}"} for n in range(2, 1501)])
    with count_queries(db) as fresh_title:
        make_post(db, editor, title="Ganz neu")
    with count_queries(db) as common_title:
        slug = make_post(db, editor, title="Kommentar").slug
    assert slug == "kommentar-1501"
    extra = len(common_title) - len(fresh_title)
    assert extra <= 6, f"{extra} more queries to find a free slug than for a new title"
    assert make_post(db, editor, title="Kommentar").slug == "kommentar-1502"


@pytest.mark.parametrize(
    "field", [{"id": 5}, {"likes": 1000}, {"author": {"id": 1}}, {"body_html": "<b>x</b>"}]
)
def test_read_only_and_unknown_fields_are_rejected(
    app: FastAPI, client: TestClient, db: Database, field: dict[str, object]
) -> None:
    editor = make_account(db)
    response = client.post(
        app.url_path_for("create_post"), headers=editor.headers, json={"title": "T", **field}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert next(iter(field)) in response.json()["detail"]
    assert client.get(app.url_path_for("list_posts"), params={"status": "draft"},
                      headers=editor.headers).json()["total"] == 0  # fmt: skip


def test_writes_need_a_token(app: FastAPI, client: TestClient) -> None:
    response = client.post(app.url_path_for("create_post"), json={"title": "T"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["status"] == 401


def test_authors_write_drafts_but_cannot_publish(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    author = make_account(db, Role.author)
    published = client.post(
        app.url_path_for("create_post"),
        headers=author.headers,
        json={"title": "T", "status": "published"},
    )
    assert published.status_code == 403
    draft = client.post(
        app.url_path_for("create_post"), headers=author.headers, json={"title": "T"}
    )
    assert draft.status_code == 201
    post_id = draft.json()["id"]
    edit_url = app.url_path_for("update_post", id_or_slug=str(post_id))
    fixed = client.patch(edit_url, headers=author.headers, json={"title": "Tippfehler behoben"})
    assert fixed.status_code == 200
    assert fixed.json()["title"] == "Tippfehler behoben"
    publish = client.patch(edit_url, headers=author.headers, json={"status": "published"})
    assert publish.status_code == 403
    assert client.get(app.url_path_for("get_post", id_or_slug=str(post_id))).status_code == 404


def test_authors_cannot_touch_other_peoples_posts(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor, author, other = (
        make_account(db),
        make_account(db, Role.author),
        make_account(db, Role.author),
    )
    published = make_post(db, editor)
    draft = make_post(db, author, status="draft")
    published_url = app.url_path_for("update_post", id_or_slug=str(published.id))
    assert (
        client.patch(published_url, headers=author.headers, json={"title": "X"}).status_code == 403
    )
    draft_url = app.url_path_for("update_post", id_or_slug=str(draft.id))
    assert client.patch(draft_url, headers=other.headers, json={"title": "X"}).status_code == 404
    assert client.delete(draft_url, headers=other.headers).status_code == 404
    assert client.get(draft_url, headers=other.headers).status_code == 404
    assert client.get(draft_url, headers=author.headers).json()["title"] == draft.title
    assert client.get(draft_url, headers=editor.headers).status_code == 200


def test_drafts_and_scheduled_posts_stay_hidden_from_anonymous_readers(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor, author = make_account(db), make_account(db, Role.author)
    visible = make_post(db, editor)
    make_post(db, author, status="draft")
    make_post(db, editor, published_at=datetime.now(UTC) + timedelta(days=1))
    listing = client.get(app.url_path_for("list_posts"))
    assert [post["id"] for post in listing.json()["items"]] == [visible.id]
    assert client.get(app.url_path_for("list_posts"), params={"status": "draft"}).status_code == 401
    drafts = client.get(
        app.url_path_for("list_posts"), params={"status": "draft"}, headers=author.headers
    )
    assert drafts.json()["total"] == 1
    # Editors see every status, each when asked for: published means public.
    assert client.get(
        app.url_path_for("list_posts"), headers=editor.headers
    ).json()["total"] == 1  # fmt: skip
    scheduled = client.get(
        app.url_path_for("list_posts"), params={"status": "scheduled"}, headers=editor.headers
    )
    assert [post["status"] for post in scheduled.json()["items"]] == ["scheduled"]


def test_update_changes_only_the_fields_sent(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    source = make_source(db)
    post = make_post(db, editor, source_id=source.id, credit="Übersetzung X", tags=["A"])
    url = app.url_path_for("update_post", id_or_slug=str(post.id))
    response = client.patch(url, headers=editor.headers, json={"credit": None, "tags": ["B", "C"]})
    assert response.status_code == 200
    changed = response.json()
    assert changed["credit"] is None
    assert changed["tags"] == tagged("B", "C")
    assert changed["title"] == post.title
    assert changed["source"]["id"] == source.id
    assert changed["slug"] == post.slug
    bad = client.patch(url, headers=editor.headers, json={"title": None})
    assert bad.status_code == 422
    bad_source = client.patch(url, headers=editor.headers, json={"source_id": 999999})
    assert bad_source.status_code == 422
    assert "source" in bad_source.json()["detail"]
    assert client.get(url).json() == changed


def test_delete_moves_the_post_to_the_trash_and_purge_removes_it(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    post = make_post(db, editor, tags=["Weg"])
    url = app.url_path_for("delete_post", id_or_slug=str(post.id))
    assert client.delete(url).status_code == 401
    assert client.delete(url, headers=editor.headers).status_code == 204
    assert client.get(url).status_code == 404
    trashed = client.get(url, headers=editor.headers).json()
    assert (trashed["status"], trashed["tags"]) == ("trashed", tagged("Weg"))
    again = client.delete(url, headers=editor.headers)
    assert again.status_code == 409
    assert "purge=true" in again.json()["detail"]
    assert client.delete(url, params={"purge": "true"}, headers=editor.headers).status_code == 204
    assert client.get(url, headers=editor.headers).status_code == 404
    assert client.delete(url, params={"purge": "true"}, headers=editor.headers).status_code == 404


def test_likes_count_up_on_published_posts_only(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    post = make_post(db, editor)
    draft = make_post(db, editor, status="draft")
    like_url = app.url_path_for("like_post", id_or_slug=str(post.id))
    assert client.post(like_url).json() == {"likes": 1}
    # The same client again the same day: counted once.
    assert client.post(like_url).json() == {"likes": 1}
    with TestClient(app, client=("203.0.113.7", 40000)) as other_client:
        assert other_client.post(like_url).json() == {"likes": 2}
    assert client.get(app.url_path_for("get_post", id_or_slug=str(post.id))).json()["likes"] == 2
    draft_like = app.url_path_for("like_post", id_or_slug=str(draft.id))
    assert client.post(draft_like).status_code == 404
    assert client.post(app.url_path_for("like_post", id_or_slug="99999")).status_code == 404


def test_list_pagination_with_total_and_link_headers(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    created = [make_post(db, editor) for _ in range(5)]
    newest_first = [
        post.id for post in sorted(created, key=lambda p: p.published_at or 0, reverse=True)
    ]
    url = app.url_path_for("list_posts")
    page2 = client.get(url, params={"page": 2, "per_page": 2})
    assert page2.status_code == 200
    assert page2.headers["x-total-count"] == "5"
    body = page2.json()
    assert (body["total"], body["page"], body["per_page"]) == (5, 2, 2)
    assert [post["id"] for post in body["items"]] == newest_first[2:4]
    links = page2.headers["link"]
    for rel, page in (("first", 1), ("prev", 1), ("next", 3), ("last", 3)):
        assert f'page={page}&per_page=2>; rel="{rel}"' in links
    beyond = client.get(url, params={"page": 9, "per_page": 2}).json()
    assert beyond["items"] == []
    assert beyond["total"] == 5


@pytest.mark.parametrize(
    "params",
    [{"per_page": 0}, {"per_page": 101}, {"page": 0}, {"page": -1}, {"sort": "likes"},
     {"date": "2022-02-30"}, {"status": "trash"}, {"per_page": 10**9}],
)  # fmt: skip
def test_out_of_range_list_parameters_are_422(
    app: FastAPI, client: TestClient, params: dict[str, object]
) -> None:
    response = client.get(app.url_path_for("list_posts"), params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert next(iter(params)) in response.json()["detail"]


def test_list_filters(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    tass = make_source(db, name="TASS", domains=["tass.ru"])
    jw = make_source(db, name="junge Welt", domains=["jungewelt.de"])
    a = make_post(db, editor, title="Raketen in Europa", source_id=tass.id, tags=["Abrüstung"],
                  published_at="2022-01-09T22:30:00Z")  # fmt: skip
    b = make_post(db, editor, title="Techkonzerne", body="Algorithmen 100% offen", source_id=jw.id,
                  published_at="2022-01-10T12:00:00Z")  # fmt: skip
    c = make_post(db, editor, title="Ohne Quelle", published_at="2022-01-11T12:00:00Z")
    index_queued(db, DEFAULT_SEARCH_LANGUAGES)
    url = app.url_path_for("list_posts")

    def ids(**params: object) -> list[int]:
        response = client.get(url, params=params)
        assert response.status_code == 200, response.text
        return [post["id"] for post in response.json()["items"]]

    assert ids() == [c.id, b.id, a.id]
    assert ids(source="tass") == [a.id]
    assert ids(source=["tass", "junge-welt"]) == [b.id, a.id]
    assert ids(source="unbekannt") == []
    assert ids(tag="abruestung") == [a.id]
    assert ids(date="2022-01-10") == [b.id]
    assert ids(after="2022-01-10T00:00:00+01:00") == [c.id, b.id]
    assert ids(before="2022-01-10T00:00:00") == [a.id]
    assert ids(q="RAKETEN") == [a.id]
    assert ids(q="Rakete") == [a.id]
    assert ids(q="100%") == [b.id]
    assert ids(q="algorithmen offen") == [b.id]
    # Nothing to search for: the detail says so, rather than every post being listed.
    assert client.get(url, params={"q": "%"}).status_code == 422
    assert ids(sort="published_at") == [a.id, b.id, c.id]
    assert ids(sort="title") == [c.id, a.id, b.id]


def test_slugs_never_look_like_ids_and_fit_their_column(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    url = app.url_path_for("create_post")
    numeric = client.post(url, headers=editor.headers, json={"title": "2022"})
    assert numeric.json()["slug"] == "beitrag-2022"
    explicit = client.post(url, headers=editor.headers, json={"title": "x", "slug": "2022"})
    assert explicit.status_code == 422
    long_title = "Überlänge " * 30
    slugs = [
        client.post(url, headers=editor.headers, json={"title": long_title[:300]}).json()["slug"]
        for _ in range(2)
    ]
    assert all(len(slug) <= 200 for slug in slugs)
    assert slugs[1] == f"{slugs[0]}-2"
    # A long number gets the fallback word in front and still leaves room for a suffix.
    long_number = [
        client.post(url, headers=editor.headers, json={"title": "7" * 250}) for _ in range(3)
    ]
    assert [response.status_code for response in long_number] == [201] * 3
    numbered = [response.json()["slug"] for response in long_number]
    assert len(set(numbered)) == 3
    assert all(len(slug) <= 200 and not slug.isdigit() for slug in numbered)
    by_slug = client.get(
        app.url_path_for("get_post", id_or_slug="beitrag-2022"), headers=editor.headers
    )
    assert by_slug.json()["title"] == "2022"


def test_cors_preflight_for_configured_origins(db: Database, database_url: str) -> None:
    from app.core.config import Settings
    from app.main import create_app

    settings = Settings(database_url=database_url, cors_origins="https://blog.example")
    with TestClient(create_app(settings, db)) as client:
        preflight = client.options(
            "/api/v1/posts",
            headers={
                "Origin": "https://blog.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "Authorization, Content-Type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://blog.example"
        listing = client.get("/api/v1/posts", headers={"Origin": "https://blog.example"})
        assert "X-Total-Count" in listing.headers["access-control-expose-headers"]
        other = client.get("/api/v1/posts", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_edits_deletes_and_likes_find_a_post_by_slug_as_reads_do(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    post = make_post(db, editor, title="Per Name gefunden")
    other = make_post(db, editor, title="Bleibt stehen")
    by_slug = app.url_path_for("update_post", id_or_slug=post.slug)
    edited = client.patch(by_slug, headers=editor.headers, json={"credit": "Redaktion"})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["id"], edited.json()["credit"]) == (post.id, "Redaktion")
    like = client.post(app.url_path_for("like_post", id_or_slug=post.slug))
    assert like.json() == {"likes": 1}
    assert client.get(app.url_path_for("get_post", id_or_slug=str(post.id))).json()["likes"] == 1
    missing = client.patch(
        app.url_path_for("update_post", id_or_slug="gibt-es-nicht"), headers=editor.headers,
        json={"credit": "x"},
    )  # fmt: skip
    assert missing.status_code == 404
    assert missing.json()["detail"] == "There is no post 'gibt-es-nicht'."
    assert client.post(app.url_path_for("like_post", id_or_slug="gibt-es-nicht")).status_code == 404
    assert client.delete(by_slug, headers=editor.headers).status_code == 204
    assert client.get(by_slug).status_code == 404
    assert client.get(app.url_path_for("get_post", id_or_slug=other.slug)).status_code == 200
