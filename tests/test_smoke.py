from fastapi.testclient import TestClient

from app.core.db import Database
from tests.factories import make_account, make_post, make_source


def test_lists_a_published_post(client: TestClient, db: Database) -> None:
    editor = make_account(db)
    source = make_source(db, name="TASS", domains=["tass.ru"])
    post = make_post(db, editor, title="Führung aus einer Hand (II)", source_id=source.id)
    response = client.get("/api/v1/posts")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 1
    assert body["items"][0]["slug"] == "fuehrung-aus-einer-hand-ii"
    assert body["items"][0]["source"] == {"id": source.id, "slug": "tass", "name": "TASS"}
    assert post.id == body["items"][0]["id"]
