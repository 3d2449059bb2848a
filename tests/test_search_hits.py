"""A search's hits are made from their posts' stored documents (app.search.hits), or from
their rows where a post has no current one: the same bytes either way, those of the post as
a read shows it, with its score and highlights."""

from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update

from app.core.config import Settings
from app.core.db import Database
from app.posts.queries import DOCUMENTS
from app.search.index import index_queued
from app.search.schemas import SearchHit
from tests.factories import make_account, make_post

API = "/api/v1"


def test_a_hit_is_its_post_as_read_with_its_score_and_highlights_whatever_is_stored(
    client: TestClient, framework: TestClient, db: Database, settings: Settings
) -> None:
    editor = make_account(db)
    stored = make_post(
        db,
        editor,
        title='Kasachstan: „Zitat“ & <b>"fett"</b> \\ / é 😀',
        body="Die Lage in **Kasachstan** bleibt & ist <angespannt>.",
        tags=["Zentralasien", "Ärzte"],
    )
    missing = make_post(db, editor, title="Kasachstan ohne Dokument", body="Erst *heute*.")
    outdated = make_post(db, editor, title="Kasachstan, altes Dokument", body="Von gestern.")
    index_queued(db, settings.search_languages)
    posts = [stored.id, missing.id, outdated.id]
    with db.engine.begin() as connection:
        kept = select(func.count()).where(DOCUMENTS.c.post_id.in_(posts))
        assert connection.execute(kept).scalar() == 3  # each write stored its post's document
        connection.execute(delete(DOCUMENTS).where(DOCUMENTS.c.post_id == missing.id))
        # Of another format: a release since changed what a post shows. Never served.
        connection.execute(
            update(DOCUMENTS)
            .where(DOCUMENTS.c.post_id == outdated.id)
            .values(format="outdated", document=b'{"id":0}')
        )

    response = client.get(f"{API}/search", params={"q": "Kasachstan"})

    assert response.status_code == 200, response.text
    hits = response.json()["items"]
    assert sorted(hit["id"] for hit in hits) == sorted(posts)
    for hit in hits:
        assert "<mark>Kasachstan</mark>" in hit["highlights"]["title"]
        # The post as the framework reads it from its row, and the hit the framework would
        # have written of it, byte for byte.
        read = framework.get(f"{API}/posts/{hit['id']}")
        assert read.status_code == 200
        expected = SearchHit(**read.json(), score=hit["score"], highlights=hit["highlights"])
        assert expected.model_dump_json().encode() in response.content
