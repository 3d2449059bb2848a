from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth.models import Role
from app.core.db import Database
from tests.factories import make_account, make_post, make_source


def test_editor_manages_sources(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    created = client.post(
        app.url_path_for("create_source"),
        headers=editor.headers,
        json={
            "name": "Orinoco Tribune",
            "homepage_url": "https://orinocotribune.com",
            "domains": ["WWW.OrinocoTribune.com", "orinocotribune.com"],
            "language": "en",
            "description": "Nachrichten aus Venezuela",
        },
    )
    assert created.status_code == 201, created.text
    source = created.json()
    assert source["slug"] == "orinoco-tribune"
    assert source["domains"] == ["orinocotribune.com"]
    assert source["post_count"] == 0
    url = app.url_path_for("get_source", id_or_slug="orinoco-tribune")
    assert client.get(url).json() == source
    changed = client.patch(
        url, headers=editor.headers, json={"domains": ["orinocotribune.com", "ot.example"]}
    )
    assert changed.json()["domains"] == ["orinocotribune.com", "ot.example"]
    assert changed.json()["name"] == "Orinoco Tribune"
    listing = client.get(app.url_path_for("list_sources"))
    assert [item["slug"] for item in listing.json()["items"]] == ["orinoco-tribune"]
    assert client.delete(url, headers=editor.headers).status_code == 204
    assert client.get(url).status_code == 404


def test_authors_and_anonymous_callers_cannot_write_sources(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    author = make_account(db, Role.author)
    url = app.url_path_for("create_source")
    assert client.post(url, json={"name": "X"}).status_code == 401
    assert client.post(url, headers=author.headers, json={"name": "X"}).status_code == 403
    assert client.get(app.url_path_for("list_sources")).json()["total"] == 0


def test_a_domain_belongs_to_one_source(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    make_source(db, name="TASS", domains=["tass.ru"])
    response = client.post(
        app.url_path_for("create_source"),
        headers=editor.headers,
        json={"name": "Andere", "domains": ["tass.ru"]},
    )
    assert response.status_code == 409
    assert "tass.ru" in response.json()["detail"]
    assert client.get(app.url_path_for("list_sources")).json()["total"] == 1


def test_invalid_domains_and_names_are_422(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    url = app.url_path_for("create_source")
    for body in ({"name": "X", "domains": ["not a host"]}, {"name": ""}, {"name": "X" * 201},
                 {"name": "X", "homepage_url": "javascript:alert(1)"}):  # fmt: skip
        response = client.post(url, headers=editor.headers, json=body)
        assert response.status_code == 422, body


def test_deleting_a_source_with_posts_is_409_and_changes_nothing(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    source = make_source(db, name="TASS")
    make_post(db, editor, source_id=source.id)
    url = app.url_path_for("delete_source", id_or_slug=str(source.id))
    response = client.delete(url, headers=editor.headers)
    assert response.status_code == 409
    assert "1 post" in response.json()["detail"]
    assert client.get(url).json()["post_count"] == 1


def test_post_count_counts_only_published_posts(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    source = make_source(db)
    make_post(db, editor, source_id=source.id)
    make_post(db, editor, source_id=source.id)
    make_post(db, editor, source_id=source.id, status="draft")
    url = app.url_path_for("get_source", id_or_slug=source.slug)
    assert client.get(url).json()["post_count"] == 2
    listed = client.get(app.url_path_for("list_sources")).json()["items"]
    assert listed[0]["post_count"] == 2
