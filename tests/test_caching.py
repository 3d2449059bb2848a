"""HTTP caching: validators, 304s, Cache-Control, and a response cache that never serves
content a committed write has replaced, in this process or any other."""

import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.caching.store import CachedResponse, ResponseStore
from app.core.config import Settings
from app.core.db import Database, normalize_database_url
from app.derived.content_version import Freshness
from app.derived.live_triggers import live_triggers
from app.derived.root import open_database
from app.derived.triggers import CONTENT_TABLES, CONTENT_VERSION
from app.main import create_app
from app.posts.publisher import publish_due
from tests.counting import count_queries, kept_response_queries, queries_for, reads_of
from tests.factories import make_account, make_post, make_source


@pytest.fixture
def other_process(settings: Settings, db: Database) -> Iterator[TestClient]:
    """A second app with its own engine, connections and cache, as another worker would be."""
    other = open_database(settings.database_url)
    with TestClient(create_app(settings=settings, database=other)) as client:
        yield client
    other.dispose()


def _public_urls(app: FastAPI, post_id: int, source_slug: str) -> list[str]:
    return [
        app.url_path_for("list_posts"),
        app.url_path_for("get_post", id_or_slug=str(post_id)),
        app.url_path_for("day_archive", year="2022", month="1", day="10"),
        app.url_path_for("month_archive", year="2022", month="1"),
        app.url_path_for("archive_index"),
        app.url_path_for("list_sources"),
        app.url_path_for("get_source", id_or_slug=source_slug),
    ]


def test_public_reads_carry_validators_and_answer_304(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    source = make_source(db)
    post = make_post(db, editor, source_id=source.id)
    for url in _public_urls(app, post.id, source.slug):
        first = client.get(url)
        assert first.status_code == 200, url
        etag = first.headers["etag"]
        assert first.headers["cache-control"] == "public, max-age=60, stale-while-revalidate=300"
        assert "Authorization" in first.headers["vary"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == first.headers["cache-control"]
        assert client.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_write_changes_exactly_the_responses_it_touches(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    first, second = make_post(db, editor), make_post(db, editor)
    first_url = app.url_path_for("get_post", id_or_slug=str(first.id))
    second_url = app.url_path_for("get_post", id_or_slug=str(second.id))
    lists = app.url_path_for("list_posts")
    before = {url: client.get(url).headers["etag"] for url in (first_url, second_url, lists)}
    patched = client.patch(
        app.url_path_for("update_post", id_or_slug=str(first.id)),
        json={"title": "Neuer Titel"},
        headers=editor.headers,
    )
    assert patched.status_code == 200
    changed = client.get(first_url, headers={"If-None-Match": before[first_url]})
    assert changed.status_code == 200
    assert changed.json()["title"] == "Neuer Titel"
    assert changed.headers["etag"] != before[first_url]
    assert client.get(lists).json()["items"][0]["title"] == "Neuer Titel"
    # The other post's bytes did not change, so neither did its validator.
    untouched = client.get(second_url, headers={"If-None-Match": before[second_url]})
    assert untouched.status_code == 304


def test_no_process_serves_what_a_write_in_another_process_replaced(
    app: FastAPI, client: TestClient, other_process: TestClient, db: Database
) -> None:
    editor = make_account(db)
    post = make_post(db, editor)
    url = app.url_path_for("get_post", id_or_slug=str(post.id))
    assert client.get(url).json()["title"] == post.title
    assert queries_for(client, db, url) == kept_response_queries(db)  # from the cache
    for number in range(5):
        title = f"Geändert {number}"
        response = other_process.patch(url, json={"title": title}, headers=editor.headers)
        assert response.status_code == 200
        assert client.get(url).json()["title"] == title
        assert client.get(app.url_path_for("list_posts")).json()["items"][0]["title"] == title
    lists = app.url_path_for("list_posts")
    assert client.get(lists).json()["total"] == 1
    added = other_process.post(
        lists, json={"title": "Dazu", "status": "published"}, headers=editor.headers
    )
    assert added.status_code == 201
    # The kept count moves with the version too, and with it the list.
    assert client.get(lists).json()["total"] == 2
    deleted = other_process.delete(url, headers=editor.headers)
    assert deleted.status_code == 204
    assert client.get(url).status_code == 404
    assert client.get(lists).json()["total"] == 1


def test_changes_made_outside_the_api_are_seen_at_once(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    source = make_source(db, name="Alter Name")
    post = make_post(db, editor, source_id=source.id)
    url = app.url_path_for("get_post", id_or_slug=str(post.id))
    assert client.get(url).json()["source"]["name"] == "Alter Name"
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE sources SET name = 'Neuer Name' WHERE id = :id"), {"id": source.id}
        )
    assert client.get(url).json()["source"]["name"] == "Neuer Name"
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE users SET name = 'Umbenannt' WHERE id = :id"), {
            "id": editor.viewer.user_id
        })  # fmt: skip
    assert client.get(url).json()["author"]["name"] == "Umbenannt"


def test_a_commit_by_another_program_is_seen_by_the_next_read(
    app: FastAPI, client: TestClient, db: Database, database_url: str
) -> None:
    post = make_post(db, make_account(db))
    url = app.url_path_for("get_post", id_or_slug=str(post.id))
    client.get(url)
    assert queries_for(client, db, url) == kept_response_queries(db)  # kept
    change = (
        "import sys; from sqlalchemy import create_engine, text\n"
        "with create_engine(sys.argv[1]).begin() as connection:\n"
        "    connection.execute(text('UPDATE posts SET title = :t WHERE id = :i'),"
        " {'t': 'Von außen', 'i': int(sys.argv[2])})\n"
    )
    subprocess.run(
        [sys.executable, "-c", change, normalize_database_url(database_url), str(post.id)],
        check=True,
        timeout=60,
    )
    assert client.get(url).json()["title"] == "Von außen"


def test_every_table_shown_in_public_responses_bumps_the_content_version(db: Database) -> None:
    with db.engine.connect() as connection:
        # The content version's own triggers: other families watch some of these tables too.
        watched = {
            trigger.table
            for trigger in live_triggers(connection).triggers.values()
            if CONTENT_VERSION.owns_trigger(trigger.name)
        }
        before = connection.execute(text("SELECT version FROM content_state")).scalar_one()
    assert watched == set(CONTENT_TABLES)
    make_post(db, make_account(db), tags=["Neu"])
    with db.engine.connect() as connection:
        after = connection.execute(text("SELECT version FROM content_state")).scalar_one()
    assert after > before


def test_likes_show_in_the_next_read(app: FastAPI, client: TestClient, db: Database) -> None:
    post = make_post(db, make_account(db))
    url = app.url_path_for("get_post", id_or_slug=str(post.id))
    etag = client.get(url).headers["etag"]
    assert client.post(app.url_path_for("like_post", id_or_slug=str(post.id))).status_code == 200
    after = client.get(url, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.json()["likes"] == 1


def test_a_scheduled_post_appears_as_soon_as_the_worker_publishes_it(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    """Going public is the worker's write: the cached list, counted and kept before it, is
    answered anew after it."""
    editor = make_account(db)
    make_post(db, editor)
    soon = datetime.now(UTC) + timedelta(seconds=1)
    scheduled = make_post(db, editor, published_at=soon)
    lists = app.url_path_for("list_posts")
    assert client.get(lists).json()["total"] == 1
    assert client.get(lists).json()["total"] == 1
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.1)
    assert client.get(lists).json()["total"] == 1  # its time has come: not public yet
    assert publish_due(db) == 1
    listing = client.get(lists).json()
    assert listing["total"] == 2
    assert listing["items"][0]["id"] == scheduled.id


def test_responses_with_a_token_are_private_and_never_reach_anonymous_readers(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    draft = make_post(db, editor, status="draft")
    url = app.url_path_for("get_post", id_or_slug=str(draft.id))
    for _ in range(2):
        private = client.get(url, headers=editor.headers)
        assert private.status_code == 200
        assert private.headers["cache-control"] == "private, no-store"
        assert "Authorization" in private.headers["vary"]
    assert client.get(url).status_code == 404
    etag = private.headers["etag"]
    # A writer's read of one post names its version, not its bytes: never a 304 from it.
    assert client.get(url, headers={**editor.headers, "If-None-Match": etag}).status_code == 200
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 404
    # A writer's list names its bytes, as every other response does.
    drafts = app.url_path_for("list_posts")
    listed = client.get(drafts, params={"status": "draft"}, headers=editor.headers)
    again = {**editor.headers, "If-None-Match": listed.headers["etag"]}
    assert client.get(drafts, params={"status": "draft"}, headers=again).status_code == 304


def test_last_modified_is_given_once_settled_and_answers_if_modified_since(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    post = make_post(db, editor)
    url = app.url_path_for("get_post", id_or_slug=str(post.id))
    # Whole-second dates are given only for changes two seconds old, so that no later
    # change can share a second with a date a client holds.
    assert "last-modified" not in client.get(url).headers
    time.sleep(2.1)
    last_modified = client.get(url).headers["last-modified"]
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": "nonsense"}).status_code == 200
    client.patch(url, json={"title": "Später"}, headers=editor.headers)
    changed = client.get(url, headers={"If-Modified-Since": last_modified})
    assert changed.status_code == 200
    assert changed.json()["title"] == "Später"
    # If-None-Match wins over If-Modified-Since.
    assert client.get(
        url, headers={"If-Modified-Since": last_modified, "If-None-Match": '"x"'}
    ).status_code == 200  # fmt: skip


def test_validators_work_with_the_response_cache_switched_off(
    settings: Settings, db: Database
) -> None:
    settings = settings.model_copy(
        update={"response_cache_mb": 0, "cache_max_age": 5, "cache_stale_while_revalidate": 0}
    )
    post = make_post(db, make_account(db))
    with TestClient(create_app(settings=settings, database=db)) as client:
        url = f"/api/v1/posts/{post.id}"
        first = client.get(url)
        assert first.headers["cache-control"] == "public, max-age=5"
        assert client.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_errors_are_not_cached_or_given_validators(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    url = app.url_path_for("get_post", id_or_slug="kommt-noch")
    for _ in range(2):
        with count_queries(db) as statements:
            missing = client.get(url)
        assert missing.status_code == 404
        assert "etag" not in missing.headers
        # Looked up again each time, not answered from the cache.
        assert reads_of(statements)
    make_post(db, make_account(db), slug="kommt-noch")
    assert client.get(url).status_code == 200


def test_the_response_store_keeps_to_its_byte_budget() -> None:
    store = ResponseStore(max_bytes=250)

    def entry(size: int) -> CachedResponse:
        return CachedResponse(
            freshness=Freshness(version=1, changed_at=0.0),
            etag=b'"x"',
            last_modified=0.0,
            headers=[],
            body=b"x" * size,
        )

    keys = [("http", b"h", f"/{n}", b"") for n in range(4)]
    for key in keys[:2]:
        store.put(key, entry(100))
    assert store.get(keys[0]) is not None  # now the most recently used
    store.put(keys[2], entry(100))
    assert store.get(keys[1]) is None
    assert store.get(keys[0]) is not None
    assert store.bytes <= 250
    store.put(keys[3], entry(1000))  # larger than the whole budget: not kept
    assert store.get(keys[3]) is None
    assert len(store) == 2


def test_kept_responses_take_about_their_own_size_in_memory(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    # A serializer may hand over its bytes in a buffer much larger than they are; a kept
    # response must not hold on to that, or the cache outgrows its budget several times over.
    editor = make_account(db)
    body = "Ein Absatz über die Lage, mit Zahlen und Namen. " * 120
    posts = [make_post(db, editor, body=body) for _ in range(40)]
    paths = [app.url_path_for("get_post", id_or_slug=str(post.id)) for post in posts]
    client.get(paths[0])
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        sizes = [len(client.get(path).content) for path in paths[1:]]
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 1.5 * sum(sizes) + 256 * 1024
    # They were kept all the same: asked again, none is made anew.
    expected = [kept_response_queries(db)] * len(sizes)
    assert [queries_for(client, db, path) for path in paths[1:]] == expected
