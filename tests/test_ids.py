"""An id, once given, is never given to another row: `/posts/33` names one post for good, for
every cache, bookmark and client that knew it, on SQLite as on PostgreSQL."""

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, MetaData, inspect, text

from app.auth.models import Role
from app.core.config import Settings
from app.core.db import Database
from app.core.migrations import upgrade
from app.derived.root import open_database
from app.main import create_app
from app.models import metadata
from app.posts import documents
from app.transfer import restorer
from app.transfer.exporter import Export
from tests.conftest import FreshDatabase
from tests.factories import (
    BERLIN,
    Account,
    make_account,
    make_post,
    make_source,
    store_documents_of_an_older_schema,
    token_kinds_of_an_older_schema,
    with_version_columns,
    without_events,
)
from tests.test_post_documents import _assert_current
from tests.test_published_counts import kept, recounted

API = "/api/v1"
BEFORE = "8c4e7b1d3f60"  # the revision before ids were never reused on SQLite
IDS_NEVER_REUSED = "5c2e8a7d1f46"


def _largest_id(db: Database, table: str) -> int:
    with db.engine.connect() as connection:
        return int(connection.scalar(text(f"SELECT max(id) FROM {table}")))  # noqa: S608


def _delete_by_hand(db: Database, table: str, row_id: int) -> None:
    """As an operator would with SQL, or a cascade does: no service involved."""
    with db.engine.begin() as connection:
        connection.execute(text(f"DELETE FROM {table} WHERE id = :id"), {"id": row_id})  # noqa: S608


def test_a_deleted_posts_id_is_never_given_to_another(client: TestClient, db: Database) -> None:
    editor = make_account(db)
    make_post(db, editor)
    newest = make_post(db, editor, title="Bald gelöscht")
    deleted = client.delete(
        f"{API}/posts/{newest.id}", params={"purge": "true"}, headers=editor.headers
    )
    assert deleted.status_code == 204
    created = client.post(
        f"{API}/posts", headers=editor.headers, json={"title": "Neu", "body": "Text."}
    )
    assert created.status_code == 201
    assert created.json()["id"] > newest.id
    # The old address still names the deleted post: nothing is there.
    assert client.get(f"{API}/posts/{newest.id}", headers=editor.headers).status_code == 404


def test_a_deleted_sources_id_is_never_given_to_another(client: TestClient, db: Database) -> None:
    editor = make_account(db)
    make_source(db)
    newest = make_source(db)
    assert client.delete(f"{API}/sources/{newest.id}", headers=editor.headers).status_code == 204
    created = client.post(
        f"{API}/sources",
        headers=editor.headers,
        json={"name": "Neue Quelle", "domains": ["neu.example"]},
    )
    assert created.status_code == 201
    assert created.json()["id"] > newest.id
    assert client.get(f"{API}/sources/{newest.id}").status_code == 404


def _tag_ids(db: Database) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {row.name: row.id for row in connection.execute(text("SELECT name, id FROM tags"))}


def test_deleted_users_tokens_and_tags_leave_their_ids_unused(db: Database) -> None:
    make_account(db)
    gone = make_account(db)
    gone_token = _largest_id(db, "api_tokens")
    # The user's token goes with it, by cascade.
    _delete_by_hand(db, "users", gone.viewer.user_id)
    assert _largest_id(db, "users") < gone.viewer.user_id
    again = make_account(db)
    assert again.viewer.user_id > gone.viewer.user_id
    assert _largest_id(db, "api_tokens") > gone_token

    post = make_post(db, again, tags=["Alt"])
    make_post(db, again, tags=["Weg"])
    gone_tag = _tag_ids(db)["Weg"]
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM post_tags WHERE tag_id = :id"), {"id": gone_tag})
    _delete_by_hand(db, "tags", gone_tag)
    make_post(db, again, tags=["Neu"])
    assert _tag_ids(db)["Neu"] > gone_tag > _tag_ids(db)["Alt"]
    assert [tag.name for tag in post.tags] == ["Alt"]


def test_a_restore_into_an_emptied_database_gives_no_id_twice(db: Database) -> None:
    """Posts made after the backup, then lost: their ids stay unused after the restore."""
    editor = make_account(db)
    make_post(db, editor)
    document = b"".join(Export(db))
    lost = make_post(db, editor)
    with db.engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            if table.name != "content_state":
                connection.execute(table.delete())
    restorer.restore(db, io.BytesIO(document))
    assert make_post(db, make_account(db)).id > lost.id


def _rows(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (as the database has it, not as the models are), in a fixed
    order."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    tables = MetaData()
    tables.reflect(connection)
    for table in tables.sorted_tables:
        if table.name == "alembic_version":
            continue
        rows = connection.execute(table.select()).all()
        found[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return found


def _schema(connection: Connection) -> dict[str, Any]:
    """What a table rebuild could lose: indexes, unique and foreign keys, checks, triggers."""
    inspector = inspect(connection)
    # The tables of the revision the database is at: later migrations add more.
    present = set(inspector.get_table_names())
    tables = {
        table: (
            sorted(inspector.get_indexes(table), key=repr),
            sorted(inspector.get_unique_constraints(table), key=repr),
            sorted(inspector.get_foreign_keys(table), key=repr),
            sorted(inspector.get_check_constraints(table), key=repr),
        )
        for table in metadata.tables
        if table in present
    }
    if connection.dialect.name == "postgresql":
        query = (
            "SELECT tgname, tgrelid::regclass::text, pg_get_triggerdef(oid) "
            "FROM pg_trigger WHERE NOT tgisinternal"
        )
    else:
        query = "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
    triggers = sorted(tuple(row) for row in connection.execute(text(query)))
    return {"tables": tables, "triggers": triggers}


def _content_version(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.scalar(text("SELECT version FROM content_state")) or 0)


def _fill(database: Database, client: TestClient) -> tuple[Account, int]:
    """Posts with sources, tags, likes and stored documents; a draft; a deleted post. The
    largest post id there is."""
    editor = make_account(database, name="Erika Muster")
    make_account(database, role=Role.admin)
    source = make_source(database, name="Kurier")
    liked = make_post(database, editor, source_id=source.id, tags=["Wirtschaft", "Ökologie"])
    make_post(database, editor, source_id=source.id, tags=["Wirtschaft"])
    make_post(database, editor, tags=["Kultur"], status="draft")
    deleted = make_post(database, editor)
    newest = make_post(database, editor, tags=["Kultur"])
    assert client.post(f"{API}/posts/{liked.id}/likes").status_code == 200
    # Deleted for good, as an editor's purge or the trash's emptying does.
    _delete_by_hand(database, "posts", deleted.id)
    return editor, newest.id


def test_the_migration_keeps_every_row_index_and_trigger_and_ids_go_on(
    backend: str, fresh_database_url: FreshDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = fresh_database_url(backend)
    upgrade(url, BEFORE)
    settings = Settings(database_url=url, timezone="Europe/Berlin", language="de")
    database = open_database(settings)
    framework_database = open_database(settings)
    try:
        app = create_app(settings=settings, database=database)
        with (
            token_kinds_of_an_older_schema(database),
            TestClient(app) as client,
            monkeypatch.context() as patched,
        ):
            # This release stores documents only with their format, which this revision
            # has no column for: they are put in place as the release before stored them.
            patched.setattr(documents, "put", lambda *_args, **_kwargs: None)
            # Nor has it the events table this release records every write in.
            without_events(patched)
            # Nor the versions of posts and sources (a new post's insert names neither them nor
            # the trash's columns).
            with with_version_columns(database):
                editor, newest = _fill(database, client)
        store_documents_of_an_older_schema(database, BERLIN)
        with database.engine.connect() as connection:
            rows_before, schema_before = _rows(connection), _schema(connection)
            assert rows_before["post_documents"]
            assert rows_before["post_likes"]

        upgrade(url, IDS_NEVER_REUSED)

        with database.engine.connect() as connection:
            assert _rows(connection) == rows_before
            assert _schema(connection) == schema_before
        upgrade(url)
        framework = create_app(
            settings=settings.model_copy(update={"direct_reads": False}),
            database=framework_database,
        )
        app = create_app(settings=settings, database=database)
        with TestClient(app) as client, TestClient(framework) as framework_client:
            # The triggers on the rebuilt tables still keep what they keep.
            version = _content_version(database)
            assert client.delete(f"{API}/posts/{newest}", headers=editor.headers).status_code == 204
            assert _content_version(database) > version
            purge = client.delete(
                f"{API}/posts/{newest}", params={"purge": "true"}, headers=editor.headers
            )
            assert purge.status_code == 204
            source = make_source(database, name="Bote")
            created = make_post(database, editor, source_id=source.id, tags=["Kultur"])
            assert created.id > newest
            renamed = client.patch(
                f"{API}/sources/{source.id}", headers=editor.headers, json={"name": "Neuer Bote"}
            )
            assert renamed.status_code == 200
            with database.engine.connect() as connection:
                assert kept(connection) == recounted(connection)
                # Foreign keys into the rebuilt tables still cascade.
                orphans = connection.scalar(
                    text(
                        "SELECT count(*) FROM post_tags WHERE post_id NOT IN (SELECT id FROM posts)"
                    )
                )
                assert orphans == 0
            _assert_current(database, framework_client, editor)
    finally:
        framework_database.dispose()
        database.dispose()


def test_upgrading_twice_from_a_half_done_run_changes_nothing(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    """A run stopped after the tables were made anew but before the revision was recorded is
    run again: the tables are left as they are."""
    url = fresh_database_url(backend)
    upgrade(url)
    database = open_database(url)
    try:
        editor = make_account(database)
        make_post(database, editor, tags=["Kultur"])
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": BEFORE})
        with database.engine.connect() as connection:
            rows_before, schema_before = _rows(connection), _schema(connection)
        upgrade(url, IDS_NEVER_REUSED)
        with database.engine.connect() as connection:
            assert _rows(connection)["posts"] == rows_before["posts"]
            assert _schema(connection) == schema_before
    finally:
        database.dispose()
