"""Bad input gets a problem+json body that says what is wrong, and changes nothing."""

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.db import Database
from tests.factories import make_account


def _no_posts(app: FastAPI, client: TestClient, headers: dict[str, str]) -> bool:
    url = app.url_path_for("list_posts")
    drafts = client.get(url, params={"status": "draft"}, headers=headers).json()["total"]
    return bool(drafts == 0 and client.get(url, headers=headers).json()["total"] == 0)


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]


def test_malformed_json_and_wrong_content_type(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    url = app.url_path_for("create_post")
    broken = client.post(url, headers={**editor.headers, "Content-Type": "application/json"},
                         content=b'{"title": ')  # fmt: skip
    assert broken.status_code == 422
    assert "JSON" in broken.json()["detail"]
    form = client.post(url, headers=editor.headers, data={"title": "x"})
    assert form.status_code == 422
    assert _no_posts(app, client, editor.headers)


def test_nul_bytes_and_lone_surrogates_are_rejected(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    url = app.url_path_for("create_post")
    for raw in (b'{"title": "a\\u0000b"}', b'{"title": "ok", "body": "\\ud800"}'):
        response = client.post(
            url, headers={**editor.headers, "Content-Type": "application/json"}, content=raw
        )
        assert response.status_code == 422, raw
        assert response.headers["content-type"] == "application/problem+json"
    assert _no_posts(app, client, editor.headers)


def test_over_long_fields_are_rejected_with_the_limit(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    url = app.url_path_for("create_post")
    response = client.post(url, headers=editor.headers, json={"title": "x" * 301})
    assert response.status_code == 422
    assert "300" in response.json()["detail"]
    slug = client.post(url, headers=editor.headers, json={"title": "x", "slug": "Nicht Gültig"})
    assert slug.status_code == 422
    assert _no_posts(app, client, editor.headers)


def test_bodies_over_the_limit_are_413_before_authentication(
    app: FastAPI, client: TestClient
) -> None:
    url = app.url_path_for("create_post")
    big = b'{"title": "' + b"x" * 1_100_000 + b'"}'
    response = client.post(url, content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert "1048576" in response.json()["detail"]

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b"x" * 100_000

    chunked = client.post(url, content=chunks(), headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413


def test_huge_ids_are_not_found_not_errors(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    assert client.get(app.url_path_for("get_post", id_or_slug=str(2**63))).status_code == 404
    assert client.get(app.url_path_for("get_source", id_or_slug=str(2**63))).status_code == 404
    patch = client.patch(
        app.url_path_for("update_post", id_or_slug=str(2**63)), headers=editor.headers, json={}
    )
    assert patch.status_code == 422
