"""Tags as things: listed with their published posts' counts, read one by one, renamed and
merged by editors, with revisions and events for the posts that carry them."""

from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from app.auth.models import Role
from app.core.config import DEFAULT_SEARCH_LANGUAGES
from app.core.db import Database
from app.models import metadata
from app.search.index import index_queued
from tests.counting import read_queries_for
from tests.factories import Account, make_account, make_post, tagged

EVENTS = metadata.tables["events"]
REVISIONS = metadata.tables["post_revisions"]
TAGS = metadata.tables["tags"]
DOCUMENTS = metadata.tables["post_documents"]
DOCUMENT_QUEUE = metadata.tables["post_document_queue"]


@pytest.fixture
def editor(db: Database) -> Account:
    return make_account(db, Role.editor)


def _tags(client: TestClient, app: FastAPI, **params: Any) -> Any:
    response = client.get(app.url_path_for("list_tags"), params=params)
    assert response.status_code == 200, response.text
    return response


def _events(session: Session, action: str) -> list[tuple[str | None, int | None, dict[str, Any]]]:
    rows = session.execute(
        select(EVENTS.c.object_type, EVENTS.c.object_id, EVENTS.c.data)
        .where(EVENTS.c.action == action)
        .order_by(EVENTS.c.id)
    )
    return [(row.object_type, row.object_id, row.data) for row in rows]


def _revisions(session: Session, post_id: int) -> list[list[str]]:
    """What each revision of the post changed, oldest first."""
    rows = session.execute(
        select(REVISIONS.c.changed)
        .where(REVISIONS.c.post_id == post_id)
        .order_by(REVISIONS.c.number)
    )
    return [list(row.changed) for row in rows]


def _stored_documents(session: Session) -> dict[int, bytes]:
    """The stored documents reads use: of posts that are not queued to be stored again."""
    rows = session.execute(
        select(DOCUMENTS.c.post_id, DOCUMENTS.c.document).where(
            DOCUMENTS.c.post_id.not_in(select(DOCUMENT_QUEUE.c.post_id))
        )
    )
    return {row.post_id: bytes(row.document) for row in rows}


def _tag_names(session: Session) -> list[str]:
    return sorted(session.scalars(select(TAGS.c.name)))


def test_tags_list_counts_published_posts_only(
    app: FastAPI, client: TestClient, db: Database, editor: Account
) -> None:
    make_post(db, editor, tags=["Wirtschaft", "Ölpreis"])
    make_post(db, editor, tags=["Wirtschaft"])
    make_post(db, editor, tags=["Wirtschaft", "Geheim"], status="draft", published_at=None)
    make_post(db, editor, tags=["Nur Entwurf"], status="draft", published_at=None)
    response = _tags(client, app)
    assert response.json() == {
        "items": [
            {"slug": "wirtschaft", "name": "Wirtschaft", "count": 2},
            {"slug": "oelpreis", "name": "Ölpreis", "count": 1},
        ],
        "total": 2,
        "page": 1,
        "per_page": 20,
    }
    assert response.headers["x-total-count"] == "2"
    # Anonymous callers learn nothing of the drafts' tags; an editor sees every tag.
    for slug in ("geheim", "nur-entwurf"):
        url = app.url_path_for("get_tag", slug=slug)
        assert client.get(url).status_code == 404
        author = make_account(db, Role.author)
        assert client.get(url, headers=author.headers).status_code == 404
        assert client.get(url, headers=editor.headers).json()["count"] == 0
    every = client.get(app.url_path_for("list_tags"), headers=editor.headers).json()
    assert [(tag["slug"], tag["count"]) for tag in every["items"]] == [
        ("wirtschaft", 2), ("oelpreis", 1), ("geheim", 0), ("nur-entwurf", 0),
    ]  # fmt: skip
    one = client.get(app.url_path_for("get_tag", slug="wirtschaft"))
    assert one.json() == {"slug": "wirtschaft", "name": "Wirtschaft", "count": 2}
    assert one.headers["etag"]
    again = client.get(
        app.url_path_for("get_tag", slug="wirtschaft"),
        headers={"If-None-Match": one.headers["etag"]},
    )
    assert again.status_code == 304


def test_tags_sort_by_count_or_by_name_and_page(
    app: FastAPI, client: TestClient, db: Database, editor: Account
) -> None:
    make_post(db, editor, tags=["Zölle", "ärger", "Apfel"])
    make_post(db, editor, tags=["Zölle", "Bahn"])
    make_post(db, editor, tags=["Zölle", "Bahn"])
    by_count = _tags(client, app).json()["items"]
    assert [tag["name"] for tag in by_count] == ["Zölle", "Bahn", "Apfel", "ärger"]
    by_name = _tags(client, app, sort="name").json()["items"]
    assert [tag["name"] for tag in by_name] == ["Apfel", "ärger", "Bahn", "Zölle"]
    second = _tags(client, app, sort="name", page=2, per_page=3)
    assert [tag["name"] for tag in second.json()["items"]] == ["Zölle"]
    assert second.json()["total"] == 4
    assert 'rel="prev"' in second.headers["link"]
    assert 'rel="next"' not in second.headers["link"]
    for params in ({"sort": "count"}, {"per_page": 101}, {"page": 0}, {"order": "name"}):
        refused = client.get(app.url_path_for("list_tags"), params=params)
        assert refused.status_code == 422, params
        assert refused.headers["content-type"] == "application/problem+json"


def test_an_unknown_tag_is_404(app: FastAPI, client: TestClient, editor: Account) -> None:
    for method, route, body in (
        ("GET", "get_tag", None),
        ("PATCH", "rename_tag", {"name": "Neu"}),
        ("POST", "merge_tag", {"into": "neu"}),
    ):
        response = client.request(
            method, app.url_path_for(route, slug="gibt-es-nicht"), json=body, headers=editor.headers
        )
        assert response.status_code == 404, route
        assert response.headers["content-type"] == "application/problem+json"
        assert "gibt-es-nicht" in response.json()["detail"]
    # No slug holds a control character: refused before any query (PostgreSQL takes no NUL).
    refused = client.get(f"{app.url_path_for('list_tags')}/a%00b")
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"


def test_a_rename_shows_in_every_read_of_its_posts(
    app: FastAPI, client: TestClient, db: Database, editor: Account
) -> None:
    post = make_post(db, editor, title="Gipfeltreffen", tags=["Handel", "Politik"])
    draft = make_post(db, editor, tags=["Handel"], status="draft", published_at=None)
    other = make_post(db, editor, tags=["Politik"])
    index_queued(db, DEFAULT_SEARCH_LANGUAGES)
    renamed = client.patch(
        app.url_path_for("rename_tag", slug="handel"),
        json={"name": "Außenhandel"},
        headers=editor.headers,
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json() == {"slug": "aussenhandel", "name": "Außenhandel", "count": 1}
    # The posts' stored documents are made again before the rename commits (a few posts:
    # within the bound a write stores), so reads serve the new name from them.
    stored = db.call(_stored_documents)
    assert orjson.loads(stored[post.id])["tags"] == tagged("Außenhandel", "Politik")
    one = client.get(app.url_path_for("get_post", id_or_slug=post.id)).json()
    assert one["tags"] == tagged("Außenhandel", "Politik")
    listed = client.get(app.url_path_for("list_posts"), params={"tag": "aussenhandel"}).json()
    assert [item["id"] for item in listed["items"]] == [post.id]
    assert listed["items"][0]["tags"] == tagged("Außenhandel", "Politik")
    assert client.get(app.url_path_for("get_tag", slug="handel")).status_code == 404
    # Found by the new name once the worker has indexed the posts again.
    index_queued(db, DEFAULT_SEARCH_LANGUAGES)
    found = client.get(app.url_path_for("search"), params={"q": "Außenhandel"}).json()
    assert [item["id"] for item in found["items"]] == [post.id]
    # A revision and a post.updated for each post carrying it, and the tag's own event.
    assert db.call(_revisions, post_id=post.id)[-1] == ["tags"]
    assert db.call(_revisions, post_id=draft.id)[-1] == ["tags"]
    assert len(db.call(_revisions, post_id=other.id)) == 1
    updated = db.call(_events, action="post.updated")
    assert {object_id for _type, object_id, _data in updated} == {post.id, draft.id}
    assert all(data["fields"] == ["tags"] for _type, _id, data in updated)
    ((kind, tag_id, data),) = db.call(_events, action="tag.renamed")
    assert kind == "tag"
    assert tag_id is not None
    assert (data["old_name"], data["name"], data["slug"], data["posts"]) == (
        "Handel", "Außenhandel", "aussenhandel", 2,
    )  # fmt: skip
    # A new post naming the new name gets the renamed tag, not one of its own.
    make_post(db, editor, tags=["Außenhandel"])
    assert db.call(_tag_names) == ["Außenhandel", "Politik"]


def test_a_rename_onto_another_tags_slug_is_409_and_changes_nothing(
    app: FastAPI, client: TestClient, db: Database, editor: Account
) -> None:
    post = make_post(db, editor, tags=["Handel", "Wirtschaft"])
    url = app.url_path_for("rename_tag", slug="handel")
    response = client.patch(url, json={"name": "wirtschaft"}, headers=editor.headers)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "merge" in response.json()["detail"]
    assert '"into": "wirtschaft"' in response.json()["detail"]
    for body in ({"name": ""}, {"name": "x" * 61}, {"name": "<b></b>"}, {"slug": "neu"}, {}):
        refused = client.patch(url, json=body, headers=editor.headers)
        assert refused.status_code == 422, body
        assert refused.headers["content-type"] == "application/problem+json"
    assert db.call(_tag_names) == ["Handel", "Wirtschaft"]
    read = client.get(app.url_path_for("get_post", id_or_slug=post.id)).json()
    assert read["tags"] == tagged("Handel", "Wirtschaft")
    assert db.call(_events, action="tag.renamed") == []
    assert len(db.call(_revisions, post_id=post.id)) == 1


def test_a_merge_gives_the_posts_the_other_tag_once(
    app: FastAPI, client: TestClient, db: Database, editor: Account
) -> None:
    both = make_post(db, editor, tags=["Ukraine-Krieg", "Ukraine"])
    only = make_post(db, editor, tags=["Ukraine-Krieg"])
    kept = make_post(db, editor, tags=["Ukraine"])
    merged = client.post(
        app.url_path_for("merge_tag", slug="ukraine-krieg"),
        json={"into": "ukraine"},
        headers=editor.headers,
    )
    assert merged.status_code == 200, merged.text
    assert merged.json() == {"slug": "ukraine", "name": "Ukraine", "count": 3}
    for post in (both, only, kept):
        read = client.get(app.url_path_for("get_post", id_or_slug=post.id)).json()
        assert read["tags"] == tagged("Ukraine")
    assert db.call(_tag_names) == ["Ukraine"]
    assert client.get(app.url_path_for("get_tag", slug="ukraine-krieg")).status_code == 404
    listed = client.get(app.url_path_for("list_posts"), params={"tag": "ukraine"}).json()
    assert listed["total"] == 3
    assert db.call(_revisions, post_id=both.id)[-1] == ["tags"]
    assert db.call(_revisions, post_id=only.id)[-1] == ["tags"]
    assert len(db.call(_revisions, post_id=kept.id)) == 1
    updated = db.call(_events, action="post.updated")
    assert {object_id for _type, object_id, _data in updated} == {both.id, only.id}
    ((kind, _tag_id, data),) = db.call(_events, action="tag.merged")
    assert kind == "tag"
    assert (data["slug"], data["into"]["slug"], data["posts"]) == ("ukraine-krieg", "ukraine", 2)


def test_a_merge_into_itself_or_nowhere_is_refused_and_changes_nothing(
    app: FastAPI, client: TestClient, db: Database, editor: Account
) -> None:
    post = make_post(db, editor, tags=["Handel"])
    url = app.url_path_for("merge_tag", slug="handel")
    itself = client.post(url, json={"into": "handel"}, headers=editor.headers)
    assert itself.status_code == 422
    assert "itself" in itself.json()["detail"]
    nowhere = client.post(url, json={"into": "gibt-es-nicht"}, headers=editor.headers)
    assert nowhere.status_code == 404
    assert "gibt-es-nicht" in nowhere.json()["detail"]
    for body in ({}, {"into": ""}, {"into": "x" * 121}, {"into": "a", "more": 1}):
        refused = client.post(url, json=body, headers=editor.headers)
        assert refused.status_code == 422, body
        assert refused.headers["content-type"] == "application/problem+json"
    assert db.call(_tag_names) == ["Handel"]
    read = client.get(app.url_path_for("get_post", id_or_slug=post.id)).json()
    assert read["tags"] == tagged("Handel")
    assert db.call(_events, action="tag.merged") == []


def test_reading_tags_takes_the_same_queries_however_many_there_are(
    app: FastAPI, client: TestClient, db: Database, editor: Account
) -> None:
    make_post(db, editor, tags=["Eins"])
    url = app.url_path_for("list_tags")
    one = read_queries_for(client, db, url)
    for number in range(30):
        make_post(db, editor, tags=[f"Tag {number}", "Alle"])
    assert read_queries_for(client, db, url, per_page=100) == one
    assert one <= 3
    # One tag: one query, its count along the (tag_id, post_id) index.
    assert read_queries_for(client, db, app.url_path_for("get_tag", slug="alle")) == 1
