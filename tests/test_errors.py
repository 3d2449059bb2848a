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
    # A text's length is told in characters, as its limit is documented.
    assert (
        response.json()["detail"]
        == "body.title: String should have at most 300 characters, not 301"
    )
    tokens = client.post(
        app.url_path_for("create_token"), headers=editor.headers, json={"name": "<b>" * 30}
    )
    assert tokens.status_code == 422
    assert tokens.json()["detail"].endswith("at most 80 characters, not 90")
    slug = client.post(url, headers=editor.headers, json={"title": "x", "slug": "Nicht Gültig"})
    assert slug.status_code == 422
    assert _no_posts(app, client, editor.headers)


def test_bodies_over_the_limit_are_413_before_authentication(
    app: FastAPI, client: TestClient
) -> None:
    url = app.url_path_for("create_post")
    big = b'{"title": "' + b"x" * 2_100_000 + b'"}'
    response = client.post(url, content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert "2097152" in response.json()["detail"]

    def chunks() -> Iterator[bytes]:
        for _ in range(22):
            yield b"x" * 100_000

    chunked = client.post(url, content=chunks(), headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413
    # Refused half-way: the rest of the body must not be read as the next request.
    assert chunked.headers["connection"] == "close"


def test_huge_ids_are_not_found_not_errors(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    assert client.get(app.url_path_for("get_post", id_or_slug=str(2**63))).status_code == 404
    assert client.get(app.url_path_for("get_source", id_or_slug=str(2**63))).status_code == 404
    patch = client.patch(
        app.url_path_for("update_post", id_or_slug=str(2**63)), headers=editor.headers, json={}
    )
    assert patch.status_code == 404


def test_inputs_the_fuzzer_found_are_clear_errors(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    # Unicode digits are not ids, and NUL bytes are not slugs (PostgreSQL cannot store them).
    for key in ("³", "١", "a%00b", "Grossbuchstaben"):
        assert client.get(app.url_path_for("get_post", id_or_slug=key)).status_code == 422, key
        assert client.get(app.url_path_for("get_source", id_or_slug=key)).status_code == 422
    for params in ({"source": "a\x00b"}, {"tag": "a\x00b"}, {"after": "0001-01-01T00:00:00"},
                   {"before": "9999-12-31T23:59:59-10:00"}):  # fmt: skip
        assert client.get(app.url_path_for("list_posts"), params=params).status_code == 422
    far_future = client.post(
        app.url_path_for("create_post"),
        headers=editor.headers,
        json={"title": "T", "published_at": "9999-12-31T23:59:59-10:00"},
    )
    assert far_future.status_code == 422
    assert "9998" in far_future.json()["detail"]
    last_month = client.get(app.url_path_for("month_archive", year="9999", month="12"))
    assert last_month.status_code == 200
    assert last_month.json()["count"] == 0
    not_utf8 = client.post(
        app.url_path_for("create_post"),
        headers={**editor.headers, "Content-Type": "application/json"},
        content=b'{"title": "\xa5"}',
    )
    assert not_utf8.status_code == 400
    assert "UTF-8" in not_utf8.json()["detail"]
    assert _no_posts(app, client, editor.headers)


def test_deeply_nested_json_is_refused_cleanly(app: FastAPI, client: TestClient) -> None:
    depth = 100_000
    body = b'{"title": ' + b"[" * depth + b"]" * depth + b"}"
    response = client.post(
        app.url_path_for("create_post"),
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]
