"""Posts show their tags as {slug, name} objects in every read, each slug the one the tag is
read by (GET /tags/{slug}); a rename or a merge changes them in every read at once, and the
documents stored by a release that showed names are not served but stored anew."""

from collections.abc import Callable
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import create_model
from sqlalchemy import select, update
from sqlmodel import Session

from app.core.config import Settings
from app.core.db import Database
from app.posts import documents
from app.posts.queries import DOCUMENTS
from app.posts.schemas import PostPublic
from app.search.index import index_queued
from tests.factories import Account, make_account, make_post, tagged

API = "/api/v1"


def _item(body: Any, post_id: int) -> Any:
    """The post ``post_id`` among a page's items."""
    (found,) = [item for item in body["items"] if item["id"] == post_id]
    return found


def _whole(body: Any, post_id: int) -> Any:
    assert body["id"] == post_id
    return body


# Every read that shows a post: its URL (of the post's id and slug) and where the post is in
# its JSON. Anonymous reads are answered by the direct path and the framework alike; an
# editor's go through the framework.
READS: dict[str, tuple[str, Callable[[Any, int], Any]]] = {
    "post by id": ("/posts/{id}", _whole),
    "post by slug": ("/posts/{slug}", _whole),
    "post, fields": ("/posts/{id}?fields=id,tags", _whole),
    "list": ("/posts", _item),
    "list by tag": ("/posts?tag=ukraine", _item),
    "list by title": ("/posts?sort=title&per_page=5", _item),
    "list, fields": ("/posts?fields=id,tags", _item),
    "list, search": ("/posts?q=Gipfel", _item),
    "day archive": ("/archives/2022/01/10", _item),
    "day archive, fields": ("/archives/2022/01/10?fields=tags,id", _item),
    "search": ("/search?q=Gipfel", _item),
    "search, fields": ("/search?q=Gipfel&fields=id,tags", _item),
}


@pytest.fixture
def editor(db: Database) -> Account:
    return make_account(db)


@pytest.fixture
def post(db: Database, editor: Account, settings: Settings) -> Any:
    made = make_post(
        db, editor, title="Gipfel in Kiew", body="Ein Gipfel über Handel.",
        tags=["Ukraine", "Außenhandel"], published_at="2022-01-10T09:00:00Z",
    )  # fmt: skip
    make_post(db, editor, title="Anderes", tags=["Ukraine"], published_at="2022-01-10T08:00:00Z")
    index_queued(db, settings.search_languages)
    return made


def _shown(
    clients: dict[str, TestClient], post: Any, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """The post's tags as each read by each client shows them."""
    shown: dict[str, Any] = {}
    for read, (url, locate) in READS.items():
        path = API + url.format(id=post.id, slug=post.slug)
        for name, client in clients.items():
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (read, name, response.text)
            shown[f"{read} ({name})"] = locate(response.json(), post.id)["tags"]
    return shown


def _clients(client: TestClient, framework: TestClient) -> dict[str, TestClient]:
    return {"direct": client, "framework": framework}


def test_every_read_shows_a_posts_tags_as_slug_and_name(
    client: TestClient, framework: TestClient, editor: Account, post: Any
) -> None:
    expected = tagged("Außenhandel", "Ukraine")  # by name, whatever order they were sent in
    assert expected == [
        {"slug": "aussenhandel", "name": "Außenhandel"},
        {"slug": "ukraine", "name": "Ukraine"},
    ]
    clients = _clients(client, framework)
    for read, tags in (_shown(clients, post) | _shown(clients, post, editor.headers)).items():
        assert tags == expected, read
    # Each slug is the one the tag is read by, and lists its posts.
    for tag in expected:
        found = client.get(f"{API}/tags/{tag['slug']}")
        assert found.status_code == 200, found.text
        assert found.json()["name"] == tag["name"]
        listed = client.get(f"{API}/posts", params={"tag": tag["slug"]}).json()
        assert post.id in [item["id"] for item in listed["items"]]


def test_writes_take_names_and_answer_with_objects(
    app: FastAPI, client: TestClient, editor: Account, post: Any
) -> None:
    """A write names tags as before; an existing tag is found by its name's slug and keeps
    its spelling; objects are refused, with a problem document."""
    created = client.post(
        f"{API}/posts",
        json={"title": "Neu", "tags": ["UKRAINE", "Energie"]},
        headers=editor.headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["tags"] == tagged("Energie", "Ukraine")
    url = f"{API}/posts/{created.json()['id']}"
    edited = client.patch(url, json={"tags": ["außenhandel"]}, headers=editor.headers)
    assert edited.status_code == 200, edited.text
    assert edited.json()["tags"] == tagged("Außenhandel")
    retagged = client.post(
        f"{API}/posts/bulk",
        json={
            "action": "retag",
            "ids": [post.id],
            "add_tags": ["Energie"],
            "remove_tags": ["UKRAINE"],
        },
        headers=editor.headers,
    )
    assert retagged.status_code == 200, retagged.text
    assert client.get(f"{API}/posts/{post.id}").json()["tags"] == tagged("Außenhandel", "Energie")
    refused = client.patch(
        url, json={"tags": [{"slug": "energie", "name": "Energie"}]}, headers=editor.headers
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert "tags" in refused.text
    assert client.get(url, headers=editor.headers).json()["tags"] == tagged("Außenhandel")


def test_a_rename_changes_the_tag_in_every_read(
    client: TestClient,
    framework: TestClient,
    db: Database,
    editor: Account,
    post: Any,
) -> None:
    clients = _clients(client, framework)
    _shown(clients, post)  # read once, so that kept responses would show
    renamed = client.patch(
        f"{API}/tags/aussenhandel", json={"name": "Welthandel"}, headers=editor.headers
    )
    assert renamed.status_code == 200, renamed.text
    expected = [
        {"slug": "ukraine", "name": "Ukraine"},
        {"slug": "welthandel", "name": "Welthandel"},
    ]
    for read, tags in (_shown(clients, post) | _shown(clients, post, editor.headers)).items():
        assert tags == expected, read
    # The stored document was made again with the rename, and is what reads serve.
    assert orjson.loads(db.call(_document, post_id=post.id))["tags"] == expected
    assert client.get(f"{API}/tags/aussenhandel").status_code == 404


def test_a_merge_changes_the_tag_in_every_read(
    client: TestClient,
    framework: TestClient,
    db: Database,
    settings: Settings,
    editor: Account,
    post: Any,
) -> None:
    clients = _clients(client, framework)
    _shown(clients, post)
    merged = client.post(
        f"{API}/tags/aussenhandel/merge", json={"into": "ukraine"}, headers=editor.headers
    )
    assert merged.status_code == 200, merged.text
    # Its links changed, so search finds the post again once the worker has indexed it.
    index_queued(db, settings.search_languages)
    for read, tags in (_shown(clients, post) | _shown(clients, post, editor.headers)).items():
        assert tags == tagged("Ukraine"), read
    assert orjson.loads(db.call(_document, post_id=post.id))["tags"] == tagged("Ukraine")


def _document(session: Session, post_id: int) -> bytes:
    stored = session.scalar(select(DOCUMENTS.c.document).where(DOCUMENTS.c.post_id == post_id))
    assert stored is not None
    return bytes(stored)


def test_documents_that_show_names_are_not_served_and_are_stored_anew(
    client: TestClient, framework: TestClient, db: Database, settings: Settings, post: Any
) -> None:
    """The release before showed tags as names: its stored documents have a format of their
    own (the schema's hash), so reads make those posts from their rows until `presseschau
    migrate` (refresh_documents) stores them in this one."""
    names_release = create_model(  # type: ignore[call-overload]
        "PostPublic",
        **{
            name: (list[str] if name == "tags" else field.annotation, field)
            for name, field in PostPublic.model_fields.items()
        },
    )
    old_format = documents.format_of(names_release)
    assert old_format != documents.FORMAT
    with db.session() as session:
        for post_id, document in session.execute(
            select(DOCUMENTS.c.post_id, DOCUMENTS.c.document)
        ).all():
            shown = orjson.loads(document)
            shown["tags"] = [tag["name"] for tag in shown["tags"]]
            session.execute(
                update(DOCUMENTS)
                .where(DOCUMENTS.c.post_id == post_id)
                .values(format=old_format, document=orjson.dumps(shown))
            )
    for read, tags in _shown(_clients(client, framework), post).items():
        assert tags == tagged("Außenhandel", "Ukraine"), read

    assert documents.refresh_documents(db, settings.zone) == 2
    with db.session() as session:
        assert set(session.scalars(select(DOCUMENTS.c.format))) == {documents.FORMAT}
        stored = _document(session, post.id)
    assert orjson.loads(stored)["tags"] == tagged("Außenhandel", "Ukraine")
    assert client.get(f"{API}/posts/{post.id}").content == stored


def test_the_openapi_schema_names_the_tag_object(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert schemas["TagRef"]["required"] == ["slug", "name"]
    tags = schemas["PostPublic"]["properties"]["tags"]
    assert tags["items"] == {"$ref": "#/components/schemas/TagRef"}
    assert "names" in tags["description"]
    written = schemas["PostCreate"]["properties"]["tags"]
    assert written["items"]["type"] == "string"
    assert "{slug, name}" in written["description"]
