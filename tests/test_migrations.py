"""Alembic is the only way the schema changes: the migrations must build the models' schema."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from app.core.config import Settings
from app.core.db import create_db_engine
from app.core.migrations import (
    alembic_config,
    current_revision,
    downgrade,
    head_revision,
    made_on,
    upgrade,
)
from app.derived.root import open_database
from app.main import create_app
from app.models import metadata
from app.search.models import undeclared
from tests.conftest import FreshDatabase


def _declared_tables(name: str | None, type_: str, _parents: object) -> bool:
    return not (type_ == "table" and undeclared(name))


def test_migrations_match_the_models(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            # The search index's text table differs per database: no model declares it.
            dialect = connection.dialect.name
            opts = {
                "compare_type": True,
                "include_name": _declared_tables,
                # Indexes the models make on one database only (ddl_if) are not made on
                # the other.
                "include_object": lambda item, _name, _type, reflected, _to: (
                    reflected or made_on(dialect, item)
                ),
            }
            context = MigrationContext.configure(connection, opts=opts)
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(backend: str, fresh_database_url: FreshDatabase) -> None:
    url = fresh_database_url(backend)
    engine = create_db_engine(url)
    try:
        upgrade(url)
        tables = set(inspect(engine).get_table_names())
        assert set(metadata.tables) <= tables
        downgrade(url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(url)
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_readiness_fails_until_the_schema_is_migrated(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    url = fresh_database_url(backend)
    database = open_database(url)
    app = create_app(settings=Settings(database_url=url), database=database)
    try:
        with TestClient(app) as client:
            not_ready = client.get("/readyz")
            assert not_ready.status_code == 503
            assert "presseschau migrate" in not_ready.json()["detail"]
            upgrade(url)
            ready = client.get("/readyz")
            assert ready.status_code == 200
            assert ready.json()["migration"] == head_revision()
    finally:
        database.dispose()


def test_the_revisions_read_without_alembic_are_alembics(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
    url = fresh_database_url(backend)
    engine = create_db_engine(url)

    def both() -> tuple[str | None, str | None]:
        with engine.connect() as connection:
            alembics = MigrationContext.configure(connection).get_current_revision()
            return current_revision(connection), alembics

    try:
        assert both() == (None, None)
        upgrade(url)
        downgrade(url, "-1")
        behind, alembics = both()
        assert behind == alembics != head_revision()
        upgrade(url)
        assert both() == (head_revision(), head_revision())
    finally:
        engine.dispose()
