"""Export and restore: everything the database holds comes back, and every response with it.

A varied dataset (published, draft and scheduled posts, posts with and without a source,
tags, likes, umlauts, users of every role and a locked one) is exported, restored into a new
database and asked for through the API of an app on each database: every list page, post,
day archive, source and user must answer the same JSON, anonymously and with tokens.
"""

import io
import json
import math
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson
import psycopg
import pytest
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlmodel import col

from alembic import command
from app.auth import service as auth
from app.auth.models import Role
from app.auth.schemas import TokenCreate, UserUpdate
from app.core.config import Settings
from app.core.db import Database
from app.core.errors import Conflict, InvalidInput
from app.core.migrations import alembic_config, downgrade, upgrade
from app.derived.models import ContentState
from app.derived.root import open_database
from app.main import create_app
from app.models import metadata
from app.posts import service as posts
from app.posts import trash
from app.posts.documents import QUEUE
from app.posts.models import Post
from app.posts.queries import DOCUMENTS
from app.posts.schemas import PostUpdate
from app.sources import service as sources
from app.sources.schemas import SourceUpdate
from app.transfer import exporter, restorer
from app.transfer.exporter import Export
from app.transfer.format import (
    DERIVED_COLUMNS,
    EXPORTED_TABLES,
    NOT_EXPORTED,
    TableFormat,
    tables_of,
    unaccounted_tables,
)
from tests.conftest import FreshDatabase
from tests.factories import BERLIN, Account, make_account, make_post, make_source

POSTS = Post.metadata.tables["posts"]

ROOT = Path(__file__).resolve().parents[1]
TAGS = metadata.tables["tags"]
EVENTS = metadata.tables["events"]
REVISIONS = metadata.tables["post_revisions"]


# -- helpers --------------------------------------------------------------------------------


def migrated_database(fresh_database_url: FreshDatabase, backend: str) -> tuple[str, Database]:
    url = fresh_database_url(backend)
    upgrade(url)
    return url, open_database(url)


NewDatabase = Callable[[str], tuple[str, Database]]


@pytest.fixture
def new_database(fresh_database_url: FreshDatabase) -> Iterator[NewDatabase]:
    """Makes migrated databases (URL and Database) for one test, and disposes of every one
    of them when it ends, passed or failed: a PostgreSQL database stays in use until then."""
    made: list[Database] = []

    def make(backend: str) -> tuple[str, Database]:
        url, database = migrated_database(fresh_database_url, backend)
        made.append(database)
        return url, database

    yield make
    for database in made:
        database.dispose()


def export_bytes(database: Database, **options: Any) -> bytes:
    return b"".join(Export(database, **options))


def restore_bytes(database: Database, document: bytes, **options: Any) -> dict[str, int]:
    return restorer.restore(database, io.BytesIO(document), **options)


def row_counts(
    database: Database, tables: tuple[TableFormat, ...] = EXPORTED_TABLES
) -> dict[str, int]:
    with database.engine.connect() as connection:
        return {
            table.key: connection.scalar(select(func.count()).select_from(table.table)) or 0
            for table in tables
        }


def highest_id(database: Database, table: Any) -> int:
    with database.engine.connect() as connection:
        return connection.scalar(select(func.max(table.c.id))) or 0


def content_version(database: Database) -> int:
    with database.engine.connect() as connection:
        return connection.scalar(select(col(ContentState.version))) or 0


def without_export_time(document: bytes) -> bytes:
    return re.sub(rb'"exported_at":"[^"]*"', b"", document)


def assert_exports_as_restored(target: Database, document: bytes) -> None:
    """``target`` exports ``document`` again, its log going on after the restored entries with
    the restore's own and the two tokens a site's answers make (see ``Site.answers``)."""
    original, restored = orjson.loads(document), orjson.loads(export_bytes(target))
    later = restored["events"][len(original["events"]) :]
    assert [event["action"] for event in later] == ["backup.restored", *["token.created"] * 2]
    restored["events"] = restored["events"][: len(original["events"])]
    for exported in (original, restored):
        del exported["exported_at"]
    assert restored == original


def settings_for(url: str) -> Settings:
    return Settings(database_url=url, timezone="Europe/Berlin", language="de")


def token_headers(database: Database, account: Account) -> dict[str, str]:
    """A new token of the account's user in ``database`` (tokens are not exported)."""
    _token, secret = database.call(auth.create_token, viewer=account.viewer, data=TokenCreate())
    return {"Authorization": f"Bearer {secret}"}


# -- the dataset ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    admin: Account
    editor: Account
    post_keys: list[str]  # every post's id and slug, a deleted post's id too
    source_keys: list[str]
    source_slugs: list[str]
    tag_slugs: list[str]


def build_dataset(db: Database) -> Dataset:
    admin = make_account(db, Role.admin, name="Admin Weiß")
    editor = make_account(db, Role.editor, name="Jürgen Çelik")
    author = make_account(db, Role.author, name="Anna Österreicher")
    locked = make_account(db, Role.author, name="Gesperrte Gräfin")
    db.call(auth.update_user, user_id=locked.viewer.user_id, data=UserUpdate(is_active=False))

    times = make_source(db, name="Global Times China", domains=["globaltimes.cn"], language="en")
    sz = make_source(
        db, name="Süddeutsche Zeitung", domains=["sueddeutsche.de", "sz.de"],
        homepage_url="https://www.sueddeutsche.de/", description="Tageszeitung aus München.",
    )  # fmt: skip
    tass = make_source(db, name="TASS", domains=["tass.ru"], language="ru")

    made = [
        make_post(
            db, editor, title="Führung aus einer Hand (II)", source_id=sz.id,
            tags=["Außenpolitik", "Ökonomie"], credit="Übersetzung Linke Zeitung",
            original_url="https://www.sueddeutsche.de/a/1", published_at="2022-01-09T23:30:00Z",
        ),
        make_post(
            db, editor, title="Ohne Quelle „zitiert“", published_at="2022-01-10T12:00:00Z",
            body="Erster Absatz.\n\nWeiterlesen\nhttps://example.org/artikel",
        ),
        make_post(db, editor, source_id=tass.id, tags=["Ökonomie"],
                  published_at="2022-01-10T08:00:00Z"),
        make_post(db, editor, source_id=times.id, body="", published_at="2022-01-10T09:15:00Z",
                  original_url="https://www.globaltimes.cn/page/1.shtml"),
        make_post(db, editor, title="Gelöscht", published_at="2022-01-10T09:30:00Z"),
        make_post(db, editor, source_id=sz.id, tags=["Kasachstan"],
                  published_at="2022-01-12T07:00:00Z"),
        make_post(db, editor, source_id=tass.id, published_at="2021-12-31T10:00:00Z"),
        make_post(db, editor, title="Straße", published_at="2022-01-10T10:00:00Z"),
        make_post(db, editor, title="Straße", published_at="2022-01-10T11:00:00Z"),
        make_post(db, author, status="draft", published_at=None, source_id=sz.id,
                  tags=["Entwurf"], title="Entwurf über Übergänge"),
        make_post(db, editor, status="draft", published_at="2022-01-10T13:00:00Z"),
        make_post(db, editor, source_id=tass.id, tags=["Außenpolitik"],
                  published_at="2099-06-01T09:00:00Z", title="Geplant"),
    ]  # fmt: skip
    # An edited post (updated_at after created_at), and a gap in the ids before the last one.
    db.call(posts.update_post, viewer=editor.viewer, id_or_slug=str(made[2].id),
            data=PostUpdate(title="Korrigiert: Ölpreis"), zone=BERLIN)  # fmt: skip
    db.call(trash.purge_post, viewer=editor.viewer, id_or_slug=str(made[4].id), zone=BERLIN)
    # Every status, and the trash: a published post and an author's draft in it.
    made += [
        make_post(db, author, status="pending", published_at=None, title="Eingereicht"),
        make_post(db, editor, title="Weggeworfen", published_at="2022-01-10T14:00:00Z",
                  source_id=tass.id, tags=["Ökonomie"]),
        make_post(db, author, status="draft", published_at=None, title="Verworfen"),
    ]  # fmt: skip
    db.call(trash.trash_post, viewer=editor.viewer, id_or_slug=str(made[-2].id), zone=BERLIN)
    db.call(trash.trash_post, viewer=author.viewer, id_or_slug=str(made[-1].id), zone=BERLIN)
    for post, clients in ((made[0], "abc"), (made[1], "ab"), (made[3], "a")):
        for client in clients:
            db.call(posts.like_post, id_or_slug=str(post.id), client=f"leser-{client}", zone=BERLIN)

    sources = (times, sz, tass)
    return Dataset(
        admin=admin,
        editor=editor,
        post_keys=[key for post in made for key in (str(post.id), post.slug)],
        source_keys=[key for source in sources for key in (str(source.id), source.slug)],
        source_slugs=[source.slug for source in sources],
        tag_slugs=["aussenpolitik", "oekonomie", "kasachstan", "entwurf"],
    )


def api_answers(
    client: TestClient,
    app: FastAPI,
    dataset: Dataset,
    headers: dict[str, str],
) -> dict[str, tuple[int, Any]]:
    """Status and JSON body of every list page, post, archive, source (and, for admins, user)."""
    answers: dict[str, tuple[int, Any]] = {}

    def get(url: str, **params: str | int) -> Any:
        response = client.get(url, params=params, headers=headers)
        body = response.json()
        # A cursor is sealed with the site's own key, which no export carries: whether a page
        # has a next one must agree, not the cursor's bytes.
        paged = isinstance(body, dict) and "next_cursor" in body
        kept = {**body, "next_cursor": body["next_cursor"] is not None} if paged else body
        answers[f"{url}?{urlencode(params)}"] = (response.status_code, kept)
        return body

    listing = app.url_path_for("list_posts")
    statuses = ("published", "draft", "pending", "scheduled", "trashed")
    for status in statuses if headers else ("published",):
        first = get(listing, status=status, per_page=2)
        for page in range(2, math.ceil(first["total"] / 2) + 1):
            get(listing, status=status, per_page=2, page=page)
        for sort in ("title", "published_at"):
            get(listing, status=status, sort=sort, per_page=100)
    for slug in dataset.source_slugs:
        get(listing, source=slug, per_page=100)
    for tag in dataset.tag_slugs:
        get(listing, tag=tag, per_page=100)
    get(listing, date="2022-01-10", per_page=100)
    for key in dataset.post_keys:
        get(app.url_path_for("get_post", id_or_slug=key))

    for source in ("", *dataset.source_slugs):
        scope = {"source": source} if source else {}
        index = get(app.url_path_for("archive_index"), **scope)
        for year in index["years"]:
            for month in year["months"]:
                path = {"year": str(year["year"]), "month": str(month["month"])}
                days = get(app.url_path_for("month_archive", **path), **scope)["days"]
                for day in days:
                    day_path = {**path, "day": str(int(day["date"][-2:]))}
                    get(app.url_path_for("day_archive", **day_path), **scope, per_page=2)
                    get(app.url_path_for("day_archive", **day_path), **scope, per_page=100)

    get(app.url_path_for("list_sources"), per_page=100)
    for key in dataset.source_keys:
        get(app.url_path_for("get_source", id_or_slug=key))
    if headers:
        response = client.get(app.url_path_for("list_users"), headers=headers)
        answers["users"] = (response.status_code, response.json())
    return answers


def assert_same_answers(
    before: dict[str, tuple[int, Any]], after: dict[str, tuple[int, Any]]
) -> None:
    assert list(after) == list(before)
    for url, answer in before.items():
        assert after[url] == answer, url


@dataclass
class Site:
    """An app on one database, as a reader, an editor and an admin see it."""

    app: FastAPI
    client: TestClient

    def answers(
        self, dataset: Dataset, database: Database
    ) -> dict[str, dict[str, tuple[int, Any]]]:
        callers = {
            "anonymous": {},
            "editor": token_headers(database, dataset.editor),
            "admin": token_headers(database, dataset.admin),
        }
        return {
            who: api_answers(self.client, self.app, dataset, headers)
            for who, headers in callers.items()
        }


@pytest.fixture
def open_site() -> Iterator[Callable[[str, Database], Site]]:
    clients: list[TestClient] = []

    def open_app(url: str, database: Database) -> Site:
        app = create_app(settings=settings_for(url), database=database)
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return Site(app, client)

    yield open_app
    for client in clients:
        client.__exit__(None, None, None)


def compare_sites(
    before: dict[str, dict[str, tuple[int, Any]]], after: dict[str, dict[str, tuple[int, Any]]]
) -> None:
    for who in before:
        assert_same_answers(before[who], after[who])
    anonymous = before["anonymous"]
    # The comparison means something: many answers, most of them with content.
    assert len(anonymous) > 60
    assert sum(status == 200 for status, _body in anonymous.values()) > 50
    drafts = before["editor"][next(url for url in before["editor"] if "status=draft" in url)]
    assert drafts[1]["total"] == 2


# -- restoring gives the same answers -------------------------------------------------------


def test_a_restore_answers_every_request_as_before(
    db: Database,
    database_url: str,
    backend: str,
    new_database: NewDatabase,
    open_site: Callable[[str, Database], Site],
) -> None:
    dataset = build_dataset(db)
    # Small batches, so that reading and writing in batches is what is tested.
    document = export_bytes(db, batch_rows=3)
    exported = row_counts(db)
    before = open_site(database_url, db).answers(dataset, db)

    target_url, target = new_database(backend)
    site = open_site(target_url, target)
    # A running server has the empty database in its caches...
    assert site.client.get(site.app.url_path_for("list_posts")).json()["total"] == 0
    version = content_version(target)
    counts = restore_bytes(target, document, batch_rows=2)
    assert counts == exported
    assert counts["posts"] == 14
    assert counts["post_likes"] == 6
    # Each post's first state, the edit of one, and the two moves to the trash (the purged
    # post took its own along).
    assert counts["post_revisions"] == counts["posts"] + 3
    # ...and sees the restored content at once: the restore bumped the content version.
    assert content_version(target) > version
    # Its posts are read from documents it stored, as any write stores them.
    with target.engine.connect() as connection:
        documents = connection.scalar(select(func.count()).select_from(DOCUMENTS))
        queued = connection.scalar(select(func.count()).select_from(QUEUE))
    assert (documents, queued) == (counts["posts"], 0)
    compare_sites(before, site.answers(dataset, target))
    # Nothing was lost on the way: the restored database exports the same document.
    assert_exports_as_restored(target, document)


def test_new_rows_after_a_restore_get_new_ids(
    db: Database,
    backend: str,
    new_database: NewDatabase,
    open_site: Callable[[str, Database], Site],
) -> None:
    dataset = build_dataset(db)
    document = export_bytes(db)
    target_url, target = new_database(backend)
    restore_bytes(target, document)
    site = open_site(target_url, target)
    editor = token_headers(target, dataset.editor)
    admin = token_headers(target, dataset.admin)
    highest = {
        table.key: highest_id(target, table.table)
        for table in EXPORTED_TABLES
        if "id" in table.table.c
    }

    post = site.client.post(
        site.app.url_path_for("create_post"),
        headers=editor,
        json={"title": "Nach dem Umzug", "status": "published", "tags": ["Neu"]},
    )
    assert post.status_code == 201, post.text
    assert post.json()["id"] > highest["posts"]
    assert post.json()["slug"] == "nach-dem-umzug"
    source = site.client.post(
        site.app.url_path_for("create_source"), headers=editor, json={"name": "Neue Quelle"}
    )
    assert source.status_code == 201, source.text
    assert source.json()["id"] > highest["sources"]
    user = site.client.post(
        site.app.url_path_for("create_user"), headers=admin, json={"name": "neu"}
    )
    assert user.status_code == 201, user.text
    assert user.json()["id"] > highest["users"]
    assert highest_id(target, TAGS) == highest["tags"] + 1  # the post's new tag


@pytest.mark.parametrize(
    ("origin", "destination"), [("sqlite", "postgresql"), ("postgresql", "sqlite")]
)
def test_a_site_moves_between_databases(
    origin: str,
    destination: str,
    new_database: NewDatabase,
    open_site: Callable[[str, Database], Site],
) -> None:
    """SQLite to PostgreSQL is the way to production; the way back works as well."""
    origin_url, source_db = new_database(origin)
    dataset = build_dataset(source_db)
    document = export_bytes(source_db)
    before = open_site(origin_url, source_db).answers(dataset, source_db)

    target_url, target = new_database(destination)
    restore_bytes(target, document)
    site = open_site(target_url, target)
    compare_sites(before, site.answers(dataset, target))
    assert_exports_as_restored(target, document)
    created = site.client.post(
        site.app.url_path_for("create_post"),
        headers=token_headers(target, dataset.editor),
        json={"title": "Umgezogen"},
    )
    assert created.status_code == 201, created.text


def test_an_export_is_one_snapshot_while_writes_go_on(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = build_dataset(db)
    monkeypatch.setattr(exporter, "CHUNK_BYTES", 1)  # a chunk after every row
    chunks = iter(Export(db, batch_rows=2))
    first = next(chunks)  # the snapshot is taken: the first users are read
    assert b'"users":[' in first
    assert b'"posts":[' not in first
    # Writers go on meanwhile; none of their changes shows in this document.
    make_post(db, dataset.editor, title="Zu spät")
    db.call(sources.update_source, id_or_slug="tass", data=SourceUpdate(name="TASS Moskau"))
    db.call(posts.like_post, id_or_slug=dataset.post_keys[0], client="leser-z", zone=BERLIN)
    document = json.loads(first + b"".join(chunks))
    assert len(document["posts"]) == 14
    assert "Zu spät" not in {post["title"] for post in document["posts"]}
    assert "TASS" in {source["name"] for source in document["sources"]}
    assert len(document["post_likes"]) == 6
    # A new export has them all.
    later = json.loads(export_bytes(db))
    assert (len(later["posts"]), len(later["post_likes"])) == (15, 7)


# -- refusals: nothing is written -----------------------------------------------------------


@pytest.fixture(scope="module")
def empty_target(backend: str, fresh_database_url: FreshDatabase) -> Iterator[Database]:
    """One migrated, empty database per backend, for restores that must be refused."""
    _url, database = migrated_database(fresh_database_url, backend)
    yield database
    database.dispose()


def assert_untouched(database: Database, counts: dict[str, int], version: int) -> None:
    assert row_counts(database) == counts
    assert content_version(database) == version


def test_a_database_with_content_is_refused(db: Database, empty_target: Database) -> None:
    build_dataset(db)
    document = export_bytes(db)
    make_account(empty_target, Role.admin, name="Schon da")
    try:
        counts, version = row_counts(empty_target), content_version(empty_target)
        with pytest.raises(Conflict, match=r"not empty .*users"):
            restore_bytes(empty_target, document)
        assert_untouched(empty_target, counts, version)
    finally:
        with empty_target.engine.begin() as connection:
            connection.execute(text("DELETE FROM users"))
            connection.execute(text("DELETE FROM events"))


def test_a_document_of_the_first_version_still_restores(
    db: Database, backend: str, new_database: NewDatabase
) -> None:
    """Version 1 had no events and no revisions: its documents restore, with the restore's
    entry alone, and each post gets one revision, its state."""
    build_dataset(db)
    document = orjson.loads(export_bytes(db))
    del document["events"]
    del document["post_revisions"]
    document["version"] = 1
    document["posts"] = [as_version_2(post) for post in document["posts"]]
    _url, target = new_database(backend)
    counts = restore_bytes(target, orjson.dumps(document))
    assert counts == {**row_counts(db, tables_of(1))}
    with target.engine.connect() as connection:
        logged = connection.execute(select(EVENTS.c.action, EVENTS.c.data)).all()
        revisions = connection.execute(select(REVISIONS.c.post_id, REVISIONS.c.number)).all()
    assert [(row.action, row.data) for row in logged] == [("backup.restored", counts)]
    assert sorted(revisions) == [(post["id"], 1) for post in document["posts"]]
    # Published for a time ahead, as those versions wrote a scheduled post: scheduled.
    assert post_states(target)["Geplant"] == ("scheduled", None, None)


def as_version_2(post: dict[str, Any]) -> dict[str, Any]:
    """A post as versions 1 and 2 wrote it: draft or published, no trash, no version."""
    old = {
        key: value
        for key, value in post.items()
        if not key.startswith("trashed_") and key != "version"
    }
    old["status"] = "published" if post["status"] in ("published", "scheduled") else "draft"
    return old


def post_states(database: Database) -> dict[str, tuple[str, str | None, datetime | None]]:
    """Each post's status and trash columns, by title."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(POSTS.c.title, POSTS.c.status, POSTS.c.trashed_from, POSTS.c.trashed_at)
        )
        return {row.title: (row.status, row.trashed_from, row.trashed_at) for row in rows}


def test_every_status_and_the_trash_restore_as_they_were(
    db: Database, backend: str, new_database: NewDatabase
) -> None:
    dataset = build_dataset(db)
    before = post_states(db)  # every status
    assert {status for status, _, _ in before.values()} == {
        "draft", "pending", "scheduled", "published", "trashed",
    }  # fmt: skip
    assert before["Weggeworfen"][:2] == ("trashed", "published")
    assert before["Verworfen"][:2] == ("trashed", "draft")
    _url, target = new_database(backend)
    restore_bytes(target, export_bytes(db))
    assert post_states(target) == before
    # Restored from the trash in the new database: back to what it was before it.
    app = create_app(settings=settings_for(_url), database=target)
    with target.engine.connect() as connection:
        post_id = connection.scalar(select(POSTS.c.id).where(POSTS.c.title == "Weggeworfen"))
    with TestClient(app) as client:
        headers = token_headers(target, dataset.editor)
        back = client.post(f"/api/v1/posts/{post_id}/restore", headers=headers)
        assert back.status_code == 200, back.text
        assert back.json()["status"] == "published"
        assert client.get(f"/api/v1/posts/{post_id}").status_code == 200


def test_a_document_of_the_second_version_gives_each_post_its_state_as_revision_1(
    db: Database, backend: str, new_database: NewDatabase
) -> None:
    build_dataset(db)
    document = orjson.loads(export_bytes(db))
    del document["post_revisions"]
    document["version"] = 2
    document["posts"] = [as_version_2(post) for post in document["posts"]]
    _url, target = new_database(backend)
    restore_bytes(target, orjson.dumps(document))
    again = orjson.loads(export_bytes(target))
    posts_by_id = {post["id"]: post for post in document["posts"]}
    assert [revision["number"] for revision in again["post_revisions"]] == [1] * len(posts_by_id)
    for revision in again["post_revisions"]:
        post, snapshot = posts_by_id[revision["post_id"]], revision["snapshot"]
        assert (snapshot["title"], snapshot["body"], snapshot["slug"]) == (
            post["title"], post["body"], post["slug"],
        )  # fmt: skip


def _versions(database: Database) -> dict[str, dict[int, int]]:
    with database.engine.connect() as connection:
        return {
            table: dict(connection.execute(text(f"SELECT id, version FROM {table}")).all())  # noqa: S608
            for table in ("posts", "sources")
        }


def test_a_restore_keeps_the_versions_writers_hold(
    db: Database, backend: str, new_database: NewDatabase
) -> None:
    """Writers' ETags stay good across a move, tags and domains notwithstanding; a document
    made before versions were exported restores every post and source at the first."""
    editor = make_account(db)
    source = make_source(db, domains=["eins.example", "zwei.example"])
    db.call(sources.update_source, id_or_slug=str(source.id), data=SourceUpdate(name="Neu"))
    post = make_post(db, editor, tags=["A", "B", "C"], source_id=source.id)
    for title in ("Zweite", "Dritte"):
        db.call(posts.update_post, viewer=editor.viewer, id_or_slug=str(post.id),
                data=PostUpdate(title=title), zone=BERLIN)  # fmt: skip
    exported = _versions(db)
    assert exported == {"posts": {post.id: 3}, "sources": {source.id: 2}}
    document = export_bytes(db)
    _url, target = new_database(backend)
    restore_bytes(target, document)
    assert _versions(target) == exported

    older = orjson.loads(document)
    for record in (*older["posts"], *older["sources"]):
        del record["version"]
    _url, other = new_database(backend)
    restore_bytes(other, orjson.dumps(older))
    assert _versions(other) == {"posts": {post.id: 1}, "sources": {source.id: 1}}


def test_a_new_database_that_logged_failed_authentications_takes_a_restore(
    db: Database, backend: str, new_database: NewDatabase
) -> None:
    """A server answering a new database logs the bad tokens it is sent; that does not make
    the database one in use, and the restore keeps those entries after the restored log."""
    build_dataset(db)
    document = export_bytes(db)
    exported = [event["id"] for event in orjson.loads(document)["events"]]
    _url, target = new_database(backend)
    app = create_app(settings=Settings(database_url=_url), database=target)
    with TestClient(app) as client:
        refused = client.get("/api/v1/me", headers={"Authorization": "Bearer psk_kaputt"})
    assert refused.status_code == 401
    restore_bytes(target, document)
    with target.engine.connect() as connection:
        logged = connection.execute(select(EVENTS.c.id, EVENTS.c.action).order_by(EVENTS.c.id))
        rows = [(row.id, row.action) for row in logged]
    assert [event_id for event_id, _ in rows[: len(exported)]] == exported
    assert [action for _, action in rows[len(exported) :]] == ["auth.failed", "backup.restored"]


def test_an_unknown_version_is_refused(db: Database, empty_target: Database) -> None:
    build_dataset(db)
    document = export_bytes(db).replace(b'"version":3,', b'"version":4,', 1)
    version = content_version(empty_target)
    with pytest.raises(InvalidInput, match=r"format version 4; .* restores versions 1 to 3"):
        restore_bytes(empty_target, document)
    assert_untouched(empty_target, dict.fromkeys(row_counts(empty_target), 0), version)


def _cut_off(document: bytes, at: int) -> bytes:
    """The document up to ``at``, or a little before: never inside an escape (``\\n``),
    which a reader calls an invalid string rather than a document cut off."""
    while document[at - 1 : at] == b"\\":
        at -= 1
    return document[:at]


def _edited(change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> Callable[[bytes], bytes]:
    def edit(document: bytes) -> bytes:
        parsed = json.loads(document)
        changed = change(parsed)
        return json.dumps(parsed if changed is None else changed, ensure_ascii=False).encode()

    return edit


def _set(array: str, index: int, **fields: Any) -> Callable[[bytes], bytes]:
    return _edited(lambda document: document[array][index].update(fields))


def _swap_tags_and_posts(document: dict[str, Any]) -> dict[str, Any]:
    order = [key for key in document if key not in ("tags", "posts")]
    order.insert(order.index("post_tags"), "posts")
    order.insert(order.index("post_tags"), "tags")
    return {key: document[key] for key in order}


MALFORMED: dict[str, tuple[Callable[[bytes], bytes], list[str]]] = {
    "a time that is not one": (
        _set("posts", 3, published_at="gestern"),
        ["posts[3] (id ", "published_at"],
    ),
    "a naive time": (
        _set("users", 1, created_at="2022-01-10T08:00:00"),
        ["users[1] (id ", "timezone"],
    ),
    "an unknown field": (_set("posts", 0, lieblingsfarbe="blau"), ["posts[0]", "lieblingsfarbe"]),
    "a missing field": (
        _edited(lambda document: document["sources"][1].pop("slug") and None),
        ["sources[1]", "slug", "required"],
    ),
    "an unknown status": (_set("posts", 2, status="archived"), ["posts[2]", "status"]),
    "an item that is no object": (
        _edited(lambda document: document["tags"].append([1, "x", "y"])),
        ["tags[4]", "object"],
    ),
    "a reference to nothing": (
        _set("post_tags", 1, post_id=999_999),
        ["post_tags[1]", "post_id 999999", "posts"],
    ),
    "a slug twice": (
        _edited(lambda d: d["posts"][5].update(slug=d["posts"][1]["slug"])),
        ["posts[5] (id ", "slug"],
    ),
    "arrays out of order": (_edited(_swap_tags_and_posts), ["'posts' comes too early", "'tags'"]),
    "a missing array": (
        _edited(lambda document: document.pop("events") and None),
        ["no 'events' array"],
    ),
    "an event whose data holds a body": (
        _edited(lambda document: document["events"][0]["data"].update(body="x" * 301) and None),
        ["events[0] (id 1)", "data.body", "at most 300 characters"],
    ),
    "an event whose data nests objects": (
        _edited(lambda document: document["events"][0]["data"].update(more={"a": 1}) and None),
        ["events[0] (id 1)", "data.more"],
    ),
    "an unknown array": (
        _edited(lambda document: document.update(kommentare=[])),
        ["unknown member 'kommentare'"],
    ),
    "a cut-off document": (
        lambda document: _cut_off(document, document.index(b'"post_tags"') - 300),
        ["posts[", "cut off"],
    ),
    "broken JSON": (
        lambda document: document.replace(b'"title":', b'"title"', 1),
        ["not valid JSON", "posts[0]"],
    ),
    "another format": (
        _edited(lambda document: document.update(format="wordpress")),
        ["not a Presseschau export"],
    ),
    "no object at all": (lambda _document: b"[]", ["one JSON object"]),
}


@pytest.mark.parametrize("case", MALFORMED, ids=str)
def test_a_malformed_document_is_refused_saying_where(
    db: Database, empty_target: Database, case: str
) -> None:
    build_dataset(db)
    edit, expected = MALFORMED[case]
    document = edit(export_bytes(db))
    version = content_version(empty_target)
    with pytest.raises(InvalidInput) as refused:
        restore_bytes(empty_target, document, batch_rows=2)
    for fragment in expected:
        assert fragment in refused.value.detail, refused.value.detail
    # The arrays before the faulty item were written in the same transaction: all gone.
    assert_untouched(empty_target, dict.fromkeys(row_counts(empty_target), 0), version)


# -- the format covers the whole schema ----------------------------------------------------


def test_every_table_is_exported_or_left_out_for_a_stated_reason() -> None:
    assert unaccounted_tables(metadata) == set()
    assert set(NOT_EXPORTED) <= set(metadata.tables), "a table left out that no longer exists"
    assert not set(NOT_EXPORTED) & {table.key for table in EXPORTED_TABLES}
    # A later feature's table is caught:
    later = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(later)
    Table("webhooks", later, Column("id", Integer, primary_key=True))
    assert unaccounted_tables(later) == {"webhooks"}


@pytest.mark.parametrize("table", EXPORTED_TABLES, ids=lambda table: table.key)
def test_every_column_of_an_exported_table_is_in_the_format(table: Any) -> None:
    schema = table.record.model_json_schema()["properties"]
    derived = DERIVED_COLUMNS.get(table.key, {})
    stored = [column for column in table.table.columns if column.name not in derived]
    assert list(schema) == [column.name for column in stored]
    for column in stored:
        field = schema[column.name]
        variants = field.get("anyOf", [field])
        assert any(v.get("type") == "null" for v in variants) == column.nullable, column.name
        length = getattr(column.type, "length", None)
        if length is not None:
            (text_variant,) = [v for v in variants if v.get("type") == "string"]
            if "enum" in text_variant:  # a fixed set of values (a status, a role)
                assert max(map(len, text_variant["enum"])) <= length, column.name
            else:
                assert text_variant.get("maxLength") == length, column.name


# -- bounded memory, and a killed restore ---------------------------------------------------


def add_large_posts(db: Database, editor: Account, numbers: range) -> None:
    """Posts of about 10 KB each, written in bulk: the size is what counts here."""
    body = "Ein langer Absatz über Übersetzungen und Quellen. " * 100
    now = datetime.now(UTC)
    with db.session() as session:
        for start in range(numbers.start, numbers.stop, 500):
            session.execute(
                insert(Post),
                [
                    {
                        "slug": f"lang-{n}", "title": f"Lang {n}", "status": "published",
                        "published_at": now, "published_date": now.date(), "language": "de",
                        "author_id": editor.viewer.user_id, "body": f"{body}{n}",
                        "body_html": f"<p>{body}{n}</p>", "excerpt": body[:200], "likes": 0,
                        "created_at": now, "updated_at": now,
                    }
                    for n in range(start, min(numbers.stop, start + 500))
                ],
            )  # fmt: skip


def traced_peak(work: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_export_and_restore_memory_stays_flat_as_the_database_grows(
    db: Database, backend: str, new_database: NewDatabase, tmp_path: Path
) -> None:
    editor = make_account(db)
    peaks: dict[int, tuple[int, int, int]] = {}
    added = 0
    for total in (500, 2500):
        add_large_posts(db, editor, range(added, total))
        added = total
        path = tmp_path / f"{total}.json"

        def export_to_file(path: Path = path) -> None:
            with path.open("wb") as output:
                for chunk in Export(db):
                    output.write(chunk)

        export_peak = traced_peak(export_to_file)
        _url, target = new_database(backend)

        def restore_from_file(path: Path = path, target: Database = target) -> None:
            with path.open("rb") as document:
                restorer.restore(target, document)

        restore_peak = traced_peak(restore_from_file)
        assert row_counts(target)["posts"] == total
        peaks[total] = (path.stat().st_size, export_peak, restore_peak)

    (_small, small_export, small_restore), (size, export_peak, restore_peak) = peaks.values()
    assert size > 20_000_000
    # Five times the posts, about the same memory, and far less than the document.
    assert export_peak < size / 4, peaks
    assert export_peak < 1.5 * small_export, peaks
    # A restore also stores the restored posts' documents (its before-commit hooks, as on
    # every write), a fixed batch of them at a time: flat too, but some 15-20 MB of it here.
    assert restore_peak < size, peaks
    assert restore_peak < 1.5 * small_restore, peaks


def _restore_in_progress(url: str, backend: str) -> bool:
    """Whether a restore holds its lock on the database (it does so from its start)."""
    if backend == "postgresql":
        with psycopg.connect(url) as connection:
            row = connection.execute(
                "SELECT count(*) FROM pg_locks JOIN pg_class ON pg_class.oid = relation "
                "WHERE relname = 'posts' AND mode = 'ExclusiveLock' "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ).fetchone()
            return bool(row and row[0])
    path = make_url(url).database
    assert path is not None
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True  # the restore holds the write lock
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def test_a_killed_restore_leaves_the_database_empty(
    db: Database, backend: str, new_database: NewDatabase
) -> None:
    add_large_posts(db, make_account(db), range(300))
    document = export_bytes(db)
    posts, post_tags = document.index(b'"posts"'), document.index(b'"post_tags"')
    url, target = new_database(backend)
    version = content_version(target)
    env = {**os.environ, "PRESSESCHAU_DATABASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "import", "json", "-"], cwd=ROOT, env=env,
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None
    try:
        # The document up to two thirds of its posts, then nothing more: the restore can
        # never finish, and once it holds its lock it is inside its one transaction.
        process.stdin.write(document[: posts + (post_tags - posts) * 2 // 3])
        process.stdin.flush()
        deadline = time.monotonic() + 60
        while not _restore_in_progress(url, backend):
            assert process.poll() is None, "the restore ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert_untouched(target, dict.fromkeys(row_counts(target), 0), version)
    # The database is usable as it was: the whole document restores.
    assert restore_bytes(target, document)["posts"] == 300


# -- the endpoint and the command line ------------------------------------------------------


def test_the_export_endpoint_streams_the_document_to_admins(
    app: FastAPI,
    client: TestClient,
    db: Database,
    database_url: str,
    command_line: Callable[..., Any],
    tmp_path: Path,
) -> None:
    dataset = build_dataset(db)
    url = app.url_path_for("export_database")
    anonymous = client.get(url)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert client.get(url, headers=dataset.editor.headers).status_code == 403

    response = client.get(url, headers=dataset.admin.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert re.fullmatch(
        r'attachment; filename="presseschau-\d{8}\.json"', response.headers["content-disposition"]
    )
    assert "content-length" not in response.headers  # streamed, not built whole first
    assert response.headers["cache-control"] == "private, no-store"

    path = tmp_path / "cli.json"
    assert command_line(database_url, "export", str(path)).exit_code == 0
    from_api, from_cli = response.json(), json.loads(path.read_bytes())
    del from_api["exported_at"], from_cli["exported_at"]
    assert from_api == from_cli
    assert len(from_api["posts"]) == 14


def test_the_command_line_exports_and_imports(
    db: Database,
    database_url: str,
    backend: str,
    new_database: NewDatabase,
    command_line: Callable[..., Any],
    tmp_path: Path,
) -> None:
    build_dataset(db)
    path = tmp_path / "presseschau.json"
    exported = command_line(database_url, "export", str(path))
    assert exported.exit_code == 0, exported.output
    events = row_counts(db)["events"]
    summary = (
        "4 users, 3 sources, 4 source domains, 4 tags, 14 posts, 7 post tags, 6 likes, "
        f"17 post revisions, {events} events"
    )
    assert exported.stdout.strip() == f"exported {summary}"
    assert list(tmp_path.iterdir()) == [path]  # no partial file left beside it

    to_stdout = command_line(database_url, "export", "-")
    assert to_stdout.exit_code == 0
    assert without_export_time(to_stdout.stdout_bytes) == without_export_time(path.read_bytes())
    assert to_stdout.stderr.strip() == f"exported {summary}"

    target_url, target = new_database(backend)
    imported = command_line(target_url, "import", "json", str(path))
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.splitlines()[0] == f"restored {summary}"
    assert "presseschau tokens create" in imported.stdout
    # The restore's own entry follows those it restored, recorded as the command line's.
    assert row_counts(target) == {**row_counts(db), "events": events + 1}
    with target.engine.connect() as connection:
        last = connection.execute(select(EVENTS).order_by(EVENTS.c.id.desc()).limit(1)).one()
    assert (last.action, last.actor_kind) == ("backup.restored", "cli")
    assert last.data == row_counts(db)

    again = command_line(target_url, "import", "json", str(path))
    assert again.exit_code == 1
    assert again.stderr.startswith("presseschau: the database is not empty")
    assert len(again.stderr.strip().splitlines()) == 1


def test_a_schema_behind_the_latest_migration_is_neither_exported_nor_restored(
    db: Database,
    backend: str,
    new_database: NewDatabase,
    settings: Settings,
    command_line: Callable[..., Any],
    tmp_path: Path,
) -> None:
    build_dataset(db)
    document = export_bytes(db)
    url, behind = new_database(backend)
    admin = make_account(behind, Role.admin)
    downgrade(url, "-1")
    # The tables of the schema before the last migration.
    counts = row_counts(behind, tables_of(1))
    with pytest.raises(Conflict, match=r"run `presseschau migrate` on it first\. Nothing was"):
        export_bytes(behind)
    with pytest.raises(Conflict, match=r"presseschau migrate.*Nothing was restored"):
        restore_bytes(behind, document)
    assert row_counts(behind, tables_of(1)) == counts

    path = tmp_path / "export.json"
    exported = command_line(url, "export", str(path))
    assert exported.exit_code == 1
    assert exported.stderr.startswith("presseschau: the database is behind the latest migration")
    assert len(exported.stderr.strip().splitlines()) == 1  # a message, no traceback
    assert list(tmp_path.iterdir()) == []

    # The API checks the caller's token first, in columns the last migration may have added:
    # the schema is brought up to date and only its recorded revision left one behind.
    upgrade(url)
    scripts = ScriptDirectory.from_config(alembic_config(url))
    head_id = scripts.get_current_head()
    assert head_id is not None
    head = scripts.get_revision(head_id)
    assert head is not None
    assert isinstance(head.down_revision, str)
    command.stamp(alembic_config(url), head.down_revision)
    app = create_app(settings=settings.model_copy(update={"database_url": url}), database=behind)
    with TestClient(app) as client:
        response = client.get(app.url_path_for("export_database"), headers=admin.headers)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "presseschau migrate" in response.json()["detail"]


def test_the_command_line_refuses_bad_input_in_one_line(
    new_database: NewDatabase,
    backend: str,
    command_line: Callable[..., Any],
    tmp_path: Path,
) -> None:
    url, database = new_database(backend)
    newer = b'{"format":"presseschau","version":4,"exported_at":"2030-01-01T00:00:00Z"}'
    cases = {
        ("import", "json", str(tmp_path / "fehlt.json")): "cannot read",
        ("import", "json", "-"): "format version 4",
        ("export", str(tmp_path / "kein-ordner" / "x.json")): "cannot write",
    }
    for args, message in cases.items():
        result = command_line(url, *args, stdin=newer)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert sum(row_counts(database).values()) == 0
