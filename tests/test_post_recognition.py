"""Posts written through the API get their source recognised as imported posts do."""

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.db import Database
from tests.factories import Account, make_account, make_source

TASS_URL = "https://tass.com/politics/1234567"


def _create(app: FastAPI, client: TestClient, editor: Account, **fields: Any) -> dict[str, Any]:
    response = client.post(app.url_path_for("create_post"), headers=editor.headers, json=fields)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    # What was stored is what a read gives, whatever the 201 says about recognising it.
    url = app.url_path_for("get_post", id_or_slug=created["slug"])
    stored = client.get(url, headers=editor.headers)
    assert stored.json() == {k: v for k, v in created.items() if k != "source_match"}
    return created


def test_a_title_naming_a_known_source_gets_it_and_loses_the_suffix(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    tass = make_source(db, name="TASS", slug="tass", domains=["tass.com", "tass.ru"])
    post = _create(
        app, client, editor, title="Moskau meldet Einigung (TASS)", original_url=TASS_URL,
        status="published",
    )  # fmt: skip
    assert post["title"] == "Moskau meldet Einigung"
    assert post["slug"] == "moskau-meldet-einigung"
    assert post["source"] == {"id": tass.id, "slug": "tass", "name": "TASS"}
    match = post["source_match"]
    assert match["reason"] == "title_suffix"
    assert match["source"]["id"] == tass.id
    assert "(TASS), a known source" in match["detail"]
    assert "tass.com belongs to it too" in match["detail"]
    # The public list by source finds it, as it finds imported posts.
    assert client.get("/api/v1/posts?source=tass").headers["x-total-count"] == "1"


def test_the_url_alone_names_the_source(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    tass = make_source(db, name="TASS", domains=["tass.com"])
    post = _create(app, client, editor, title="Ohne Zusatz", original_url=TASS_URL)
    assert (post["title"], post["source"]["id"]) == ("Ohne Zusatz", tass.id)
    assert post["source_match"]["reason"] == "url_domain"


def test_an_explicit_source_wins(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    make_source(db, name="TASS", domains=["tass.com"])
    ria = make_source(db, name="RIA Nowosti", domains=["ria.ru"])
    post = _create(
        app, client, editor, title="Moskau meldet Einigung (TASS)", original_url=TASS_URL,
        source_id=ria.id,
    )  # fmt: skip
    assert post["title"] == "Moskau meldet Einigung (TASS)"
    assert post["source"]["id"] == ria.id
    assert post["source_match"] is None


def test_recognition_can_be_turned_off(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    make_source(db, name="TASS", domains=["tass.com"])
    post = _create(
        app, client, editor, title="Moskau meldet Einigung (TASS)", original_url=TASS_URL,
        recognize_source=False,
    )  # fmt: skip
    assert (post["title"], post["source"], post["source_match"]) == (
        "Moskau meldet Einigung (TASS)",
        None,
        None,
    )


def test_nothing_known_changes_nothing_and_says_why(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    """A publication that is no source yet is named, not made: the title keeps it."""
    editor = make_account(db)
    make_source(db, name="TASS", domains=["tass.com"])
    post = _create(app, client, editor, title="Peking antwortet (Global Times China)")
    assert (post["title"], post["source"]) == ("Peking antwortet (Global Times China)", None)
    match = post["source_match"]
    assert (match["reason"], match["suggested_name"]) == (
        "new_source_from_title",
        "Global Times China",
    )
    plain = _create(app, client, editor, title="Kommentar (Teil 2)")
    assert (plain["title"], plain["source"]) == ("Kommentar (Teil 2)", None)
    assert plain["source_match"]["reason"] == "none"
    assert "'Teil' is an editorial word" in plain["source_match"]["detail"]


def test_a_bad_recognize_source_value_is_refused(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    response = client.post(
        app.url_path_for("create_post"), headers=editor.headers,
        json={"title": "T", "recognize_source": "vielleicht"},
    )  # fmt: skip
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["loc"], error["type"]) == (["body", "recognize_source"], "bool_parsing")
