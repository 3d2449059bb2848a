"""Lost-update protection: versions, writers' ETags, If-Match (412) and required If-Match (428).

Two editors who read the same version cannot both write over it: the second gets 412 with
the post as the first left it, and nothing of the first edit is lost. Every write path steps
the version (the API, imports, SQL by hand), a like does not, and anonymous reads keep the
ETag of their bytes.
"""

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlmodel import col

from app.auth.models import Role
from app.core.config import Settings
from app.core.db import Database
from app.core.errors import PreconditionFailed
from app.core.preconditions import etag_matches, parse_if_match
from app.derived.triggers import POST_VERSIONS_OF, SOURCE_VERSIONS_OF, UNVERSIONED_COLUMNS
from app.events.models import Event
from app.main import create_app
from app.posts import service as posts
from app.posts.imports import reimport_post
from app.posts.models import Post
from app.posts.schemas import PostCreate, PostUpdate
from tests.factories import BERLIN, Account, make_account, make_post, make_source, tagged


def _url(app: FastAPI, name: str, **params: Any) -> str:
    return app.url_path_for(name, **{key: str(value) for key, value in params.items()})


def _version(db: Database, post_id: int) -> int:
    with db.engine.connect() as connection:
        version = connection.scalar(select(col(Post.version)).where(col(Post.id) == post_id))
    assert version is not None
    return version


def _event_count(db: Database) -> int:
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Event)) or 0


def _etag(client: TestClient, url: str, editor: Account) -> str:
    response = client.get(url, headers=editor.headers)
    assert response.status_code == 200
    etag: str = response.headers["etag"]
    return etag


def test_two_editors_with_the_same_etag_one_wins_and_nothing_is_lost(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    anna, ben = make_account(db), make_account(db)
    post = make_post(db, anna, title="Erster Stand", tags=["Politik"])
    url = _url(app, "get_post", id_or_slug=post.id)
    read_by_anna, read_by_ben = _etag(client, url, anna), _etag(client, url, ben)
    assert read_by_anna == read_by_ben == '"v1"'

    first = client.patch(
        url, json={"title": "Annas Fassung"}, headers={**anna.headers, "If-Match": read_by_anna}
    )
    assert first.status_code == 200
    assert first.headers["etag"] == '"v2"'
    events = _event_count(db)

    second = client.patch(
        url,
        json={"title": "Bens Fassung", "tags": ["Wirtschaft"]},
        headers={**ben.headers, "If-Match": read_by_ben},
    )
    assert second.status_code == 412
    assert second.headers["content-type"] == "application/problem+json"
    assert second.headers["etag"] == '"v2"'
    problem = second.json()
    assert problem["version"] == 2
    assert problem["current"] == first.json()
    assert '"v2"' in problem["detail"]
    # Nothing of the refused write, not even an audit entry.
    assert _event_count(db) == events
    now = client.get(url, headers=ben.headers)
    assert now.json()["title"] == "Annas Fassung"
    assert now.json()["tags"] == tagged("Politik")

    # Ben merges into what he was shown and sends its ETag: it goes through.
    retried = client.patch(
        url,
        json={"title": "Bens Fassung"},
        headers={**ben.headers, "If-Match": second.headers["etag"]},
    )
    assert retried.status_code == 200
    assert retried.headers["etag"] == '"v3"'
    assert client.get(url).json()["title"] == "Bens Fassung"


def test_a_stale_delete_is_refused_and_the_post_stays(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    post = make_post(db, editor)
    url = _url(app, "get_post", id_or_slug=post.id)
    assert client.patch(url, json={"body": "Neu."}, headers=editor.headers).status_code == 200
    events = _event_count(db)

    refused = client.delete(url, headers={**editor.headers, "If-Match": '"v1"'})
    assert refused.status_code == 412
    assert refused.json()["version"] == 2
    assert refused.json()["current"]["body"] == "Neu."
    assert _event_count(db) == events
    assert client.get(url).status_code == 200

    deleted = client.delete(url, headers={**editor.headers, "If-Match": '"v2"'})
    assert deleted.status_code == 204
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("if_match", [None, "*", ' "v9", "v1" ,', '"v1", W/"v1"'])
def test_missing_star_and_a_list_with_the_current_tag_are_accepted(
    app: FastAPI, client: TestClient, db: Database, if_match: str | None
) -> None:
    editor = make_account(db)
    post = make_post(db, editor)
    url = _url(app, "get_post", id_or_slug=post.id)
    headers = editor.headers if if_match is None else {**editor.headers, "If-Match": if_match}
    response = client.patch(url, json={"title": "Geändert"}, headers=headers)
    assert response.status_code == 200
    assert response.headers["etag"] == '"v2"'


@pytest.mark.parametrize(
    "if_match",
    [
        'W/"v1"',  # weak: never matches (strong comparison)
        '"v2"',
        "v1",  # not quoted
        '"v1" "v1"',  # no comma between
        '"v1',  # not closed
        '*, "v1"',  # * stands alone
        '"v 1"',  # no space inside
        ",",
    ],
)
def test_weak_stale_and_malformed_tags_never_match(
    app: FastAPI, client: TestClient, db: Database, if_match: str
) -> None:
    editor = make_account(db)
    post = make_post(db, editor, title="Bleibt")
    url = _url(app, "get_post", id_or_slug=post.id)
    response = client.patch(
        url, json={"title": "Nein"}, headers={**editor.headers, "If-Match": if_match}
    )
    assert response.status_code == 412
    assert response.json()["version"] == 1
    assert response.json()["current"]["title"] == "Bleibt"
    assert client.get(url).json()["title"] == "Bleibt"
    assert _version(db, post.id) == 1


@pytest.fixture
def strict_client(settings: Settings, db: Database) -> Iterator[TestClient]:
    """An app that requires If-Match on writes."""
    app = create_app(settings=settings.model_copy(update={"require_if_match": True}), database=db)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_a_server_that_requires_if_match_refuses_writes_without_it(
    app: FastAPI, strict_client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    source = make_source(db)
    created = strict_client.post(
        _url(app, "create_post"), json={"title": "Ohne Vorbedingung"}, headers=editor.headers
    )
    assert created.status_code == 201  # creating needs none
    url = _url(app, "get_post", id_or_slug=created.json()["id"])
    events = _event_count(db)
    source_url = _url(app, "get_source", id_or_slug=source.id)
    writes: list[tuple[str, str, dict[str, Any] | None]] = [
        ("PATCH", url, {"title": "X"}),
        ("DELETE", url, None),
        ("PATCH", source_url, {"name": "X"}),
        ("DELETE", source_url, None),
    ]
    for method, target, body in writes:
        response = strict_client.request(method, target, json=body, headers=editor.headers)
        assert response.status_code == 428
        assert response.headers["content-type"] == "application/problem+json"
        assert "If-Match" in response.json()["detail"]
        assert "ETag" in response.json()["detail"]
    assert _event_count(db) == events
    assert strict_client.get(url, headers=editor.headers).json()["title"] == "Ohne Vorbedingung"

    etag = created.headers["etag"]
    changed = strict_client.patch(
        url, json={"title": "Mit"}, headers={**editor.headers, "If-Match": etag}
    )
    assert changed.status_code == 200
    assert (
        strict_client.patch(
            url, json={"title": "Egal"}, headers={**editor.headers, "If-Match": "*"}
        ).status_code
        == 200
    )
    deleted = strict_client.delete(url, headers={**editor.headers, "If-Match": '"v3"'})
    assert deleted.status_code == 204


def test_a_writers_etag_is_the_one_the_last_write_returned(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    created = client.post(
        _url(app, "create_post"),
        json={"title": "Neu", "tags": ["Eins", "Zwei", "Drei"], "status": "published"},
        headers=editor.headers,
    )
    assert created.status_code == 201
    url = _url(app, "get_post", id_or_slug=created.json()["id"])
    # Three tags went in after the row: still the first version.
    assert created.headers["etag"] == _etag(client, url, editor) == '"v1"'
    changed = client.patch(url, json={"body": "Text"}, headers=editor.headers)
    assert changed.headers["etag"] == _etag(client, url, editor) == '"v2"'
    # A version is not these bytes: a like changes the post's JSON and not its version, so
    # If-None-Match with it never gets a 304 that would keep the old count.
    assert client.post(_url(app, "like_post", id_or_slug=created.json()["id"])).status_code == 200
    again = client.get(url, headers={**editor.headers, "If-None-Match": '"v2"'})
    assert again.status_code == 200
    assert (again.headers["etag"], again.json()["likes"]) == ('"v2"', 1)


def test_anonymous_reads_keep_the_etag_of_their_bytes(
    app: FastAPI, client: TestClient, framework: TestClient, db: Database
) -> None:
    editor = make_account(db)
    post = make_post(db, editor)
    url = _url(app, "get_post", id_or_slug=post.id)
    for reader in (client, framework):  # direct reads and the framework's path
        first = reader.get(url)
        assert first.status_code == 200
        # A hash of the bytes, not a version (a hash may begin with "v" too).
        assert re.fullmatch(r'"v[0-9]+"', first.headers["etag"]) is None
        assert "public" in first.headers["cache-control"]
        again = reader.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
    assert framework.get(url).headers["etag"] == client.get(url).headers["etag"]


def test_a_like_leaves_the_version_and_a_tag_change_steps_it_once(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    post = make_post(db, editor, tags=["Alt", "Bleibt"])
    url = _url(app, "get_post", id_or_slug=post.id)
    assert client.post(_url(app, "like_post", id_or_slug=post.id)).status_code == 200
    assert client.get(url).json()["likes"] == 1
    assert _etag(client, url, editor) == '"v1"'
    # An editor's If-Match still holds after readers' likes.
    tagged = client.patch(
        url,
        json={"tags": ["Neu", "Bleibt", "Dazu"]},
        headers={**editor.headers, "If-Match": '"v1"'},
    )
    assert tagged.status_code == 200
    assert tagged.headers["etag"] == '"v2"'
    assert _version(db, post.id) == 2


def test_every_write_path_steps_the_version(db: Database) -> None:
    editor = make_account(db)
    post = make_post(db, editor, tags=["Eins"])
    assert _version(db, post.id) == 1
    # An import brings the post up to a newer version of it.
    db.call(
        reimport_post,
        post_id=post.id,
        data=PostCreate(title="Neu importiert", body="Anders.", tags=["Eins", "Zwei"]),
        zone=BERLIN,
        import_key=None,
        modified_at=post.updated_at,
        excerpt=None,
    )
    assert _version(db, post.id) == 2
    # SQL typed by hand: a shown column, a tag, and a like count.
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE posts SET title = 'Von Hand' WHERE id = :id"), {"id": post.id}
        )
    assert _version(db, post.id) == 3
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM post_tags WHERE post_id = :id"), {"id": post.id})
    assert _version(db, post.id) > 3
    stepped = _version(db, post.id)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE posts SET likes = likes + 5 WHERE id = :id"), {"id": post.id}
        )
        # The same value again is no change.
        connection.execute(text("UPDATE posts SET title = title WHERE id = :id"), {"id": post.id})
    assert _version(db, post.id) == stepped


def test_sources_are_protected_likewise(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    created = client.post(
        _url(app, "create_source"),
        json={"name": "Die Quelle", "domains": ["a.example", "b.example"]},
        headers=editor.headers,
    )
    assert created.status_code == 201
    url = _url(app, "get_source", id_or_slug=created.json()["id"])
    assert created.headers["etag"] == _etag(client, url, editor) == '"v1"'
    # Domains alone are a change: one step, however many domains.
    changed = client.patch(
        url,
        json={"domains": ["c.example", "d.example"]},
        headers={**editor.headers, "If-Match": '"v1"'},
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] == _etag(client, url, editor) == '"v2"'

    stale = client.patch(
        url, json={"name": "Überschrieben"}, headers={**editor.headers, "If-Match": '"v1"'}
    )
    assert stale.status_code == 412
    assert stale.json()["version"] == 2
    assert stale.json()["current"] == changed.json()
    assert client.get(url).json()["name"] == "Die Quelle"
    refused = client.delete(url, headers={**editor.headers, "If-Match": '"v1"'})
    assert refused.status_code == 412
    assert client.get(url).status_code == 200
    assert client.delete(url, headers={**editor.headers, "If-Match": '"v2"'}).status_code == 204


def test_every_column_is_versioned_or_said_not_to_be() -> None:
    """A column added to posts or sources is a change writers see unless listed otherwise:
    the version triggers must know of it (app.derived.triggers)."""
    for versioned in (POST_VERSIONS_OF, SOURCE_VERSIONS_OF):
        columns = set(Post.metadata.tables[versioned.table].c.keys())
        assert columns == set(versioned.shown) | set(UNVERSIONED_COLUMNS[versioned.table])


def test_if_match_is_read_as_rfc_9110_says() -> None:
    assert parse_if_match([]).matches(5)
    assert parse_if_match(["*"]).matches(5)
    assert parse_if_match(['"v4"', '"v5"']).matches(5)  # two field lines are one list
    assert parse_if_match(['"v5",,']).matches(5)  # empty list elements are allowed
    assert not parse_if_match(['W/"v5"']).matches(5)
    assert not parse_if_match(['"V5"']).matches(5)
    assert not parse_if_match([""]).matches(5)
    # One item's ETag, as a bulk request names it.
    assert etag_matches('"v5"', 5)
    assert etag_matches("*", 5)
    assert not etag_matches('"v4"', 5)
    assert not etag_matches('W/"v5"', 5)
    hostile = ['"v1", ' * 2000 + '"v5"']  # beyond the length read: no version meets it
    assert parse_if_match(hostile).malformed


def test_two_writers_racing_with_one_etag_one_wins(backend: str, db: Database) -> None:
    """On PostgreSQL writers run side by side: the second waits for the first's row lock,
    then finds the version it named gone."""
    if backend != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    editor = make_account(db)
    post = make_post(db, editor, title="Vorher")
    stale = parse_if_match(['"v1"'])
    outcomes: dict[str, str] = {}
    first_holds, release = threading.Event(), threading.Event()

    def first() -> None:
        with db.session() as session:
            posts.update_post(
                session, viewer=editor.viewer, id_or_slug=str(post.id),
                data=PostUpdate(title="Erster"), zone=BERLIN, precondition=stale,
            )  # fmt: skip
            first_holds.set()
            release.wait(timeout=60)  # commits once the second writer waits for the row
        outcomes["first"] = "written"

    def second() -> None:
        try:
            db.call(
                posts.update_post, viewer=editor.viewer, id_or_slug=str(post.id),
                data=PostUpdate(title="Zweiter"), zone=BERLIN, precondition=stale,
            )  # fmt: skip
            outcomes["second"] = "written"
        except PreconditionFailed as refused:
            outcomes["second"] = f"412 at v{refused.version}"

    one, two = threading.Thread(target=first), threading.Thread(target=second)
    one.start()
    assert first_holds.wait(timeout=60)
    two.start()
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    with db.engine.connect() as watcher:
        for _ in range(3000):
            if watcher.execute(waiting).scalar():
                break
            watcher.rollback()
            threading.Event().wait(0.01)
    release.set()
    one.join(timeout=60)
    two.join(timeout=60)
    assert outcomes == {"first": "written", "second": "412 at v2"}
    assert _version(db, post.id) == 2
    with db.engine.connect() as connection:
        title = connection.scalar(select(col(Post.title)).where(col(Post.id) == post.id))
    assert title == "Erster"


def test_if_match_is_checked_after_the_callers_rights(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    """Rights come first: a stale If-Match on a post the caller may not change or see is
    their 403 or 404, never a 412 with the post in it; on their own draft it is a 412."""
    editor, author = make_account(db), make_account(db, Role.author)
    published = make_post(db, editor)
    hidden = make_post(db, editor, status="draft", published_at=None)
    stale = {**author.headers, "If-Match": '"v9"'}
    for post, status in ((published, 403), (hidden, 404)):
        url = _url(app, "get_post", id_or_slug=post.id)
        assert client.patch(url, json={"title": "X"}, headers=stale).status_code == status
        assert client.delete(url, headers=stale).status_code == status
        assert "current" not in client.delete(url, headers=stale).json()
    # Their own draft: the precondition applies to them as to editors.
    own = make_post(db, author, status="draft", published_at=None, title="Eigener")
    url = _url(app, "get_post", id_or_slug=own.id)
    refused = client.patch(url, json={"title": "X"}, headers=stale)
    assert refused.status_code == 412
    assert refused.json()["current"]["title"] == "Eigener"
    current = {**author.headers, "If-Match": '"v1"'}
    assert client.patch(url, json={"title": "Y"}, headers=current).status_code == 200
