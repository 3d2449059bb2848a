"""A query parameter that an operation does not take is a 422 naming it, on every route."""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth.models import Role
from app.core.db import Database
from tests.factories import make_account, make_post, make_source

API = "/api/v1"


def _refused(response: Any, name: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["errors"][0]["loc"] == ["query", name]
    assert problem["detail"].startswith(f"query.{name}: Unknown query parameter")


def test_a_misspelt_filter_is_refused_not_ignored(client: TestClient, db: Database) -> None:
    editor = make_account(db)
    tass = make_source(db, name="TASS", slug="tass")
    make_post(db, editor, source_id=tass.id)
    make_post(db, editor)
    assert client.get(f"{API}/posts?source=tass").headers["x-total-count"] == "1"
    # Anonymous (a direct read would answer it) and with a token (the framework's path).
    _refused(client.get(f"{API}/posts?sources=tass"), "sources")
    _refused(client.get(f"{API}/posts?sources=tass", headers=editor.headers), "sources")
    # Known parameters next to the unknown one do not hide it; each unknown one is named.
    both = client.get(f"{API}/posts?page=1&sources=tass&Tag=x")
    _refused(both, "sources")
    assert [error["loc"] for error in both.json()["errors"]] == [
        ["query", "sources"],
        ["query", "Tag"],
    ]
    assert "source" in both.json()["errors"][0]["msg"]  # what it takes instead
    # However many there are, the answer names a bounded number of them.
    many = client.get(f"{API}/posts?" + "&".join(f"p{n}=1" for n in range(2000)))
    _refused(many, "p0")
    assert len(many.json()["errors"]) == 20


@pytest.mark.parametrize(
    "path",
    [
        "/posts/{slug}",
        "/posts/{id}",
        "/sources",
        "/sources/tass",
        "/archives",
        "/archives/2022/01",
        "/archives/2022/01/10",
        "/feeds/posts.rss",
        "/feeds/posts.json",
        "/me",
        "/tokens",
        "/export",
    ],
)
def test_every_read_refuses_what_it_does_not_take(
    client: TestClient, db: Database, path: str
) -> None:
    admin = make_account(db, Role.admin)
    make_source(db, name="TASS", slug="tass")
    post = make_post(db, admin)
    url = API + path.format(slug=post.slug, id=post.id)
    assert client.get(url, headers=admin.headers).status_code == 200
    _refused(client.get(f"{url}?utm_source=feed", headers=admin.headers), "utm_source")
    if path not in ("/me", "/tokens", "/export"):
        _refused(client.get(f"{url}?utm_source=feed"), "utm_source")


def test_writes_and_system_routes_refuse_them_too(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    post = make_post(db, editor)
    create = client.post(
        f"{API}/posts?dry_run=1", headers=editor.headers, json={"title": "Nicht angelegt"}
    )
    _refused(create, "dry_run")
    assert client.get(f"{API}/posts", headers=editor.headers).headers["x-total-count"] == "1"
    like = client.post(app.url_path_for("like_post", id_or_slug=post.slug) + "?n=100")
    _refused(like, "n")
    assert client.get(f"{API}/posts/{post.id}").json()["likes"] == 0
    # The probes and the docs are not the API: what monitors and browsers add is theirs.
    for path in ("/healthz", "/readyz", "/docs", "/openapi.json"):
        assert client.get(f"{path}?_=1733540000").status_code == 200, path
