"""The triggers a migrated database has are exactly the declared ones (app.derived.triggers)."""

import ast
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import ColumnElement, Connection, Engine, FromClause, select, text

from app.core.db import Database, create_db_engine
from app.core.migrations import VERSIONS, upgrade
from app.derived.live_triggers import (
    LiveSchema,
    create_family,
    drop_family,
    live_triggers,
)
from app.derived.retired import RETIRED
from app.derived.trigger_types import Family, normalised, row_condition
from app.derived.triggers import FAMILIES, family
from app.posts import visibility
from app.posts.visibility import POSTS
from tests.conftest import FreshDatabase
from tests.factories import make_account, make_post

# The release before the triggers were made from their declaration.
BEFORE_DECLARATION = "4c7e9a2b1d63"
# The versions' triggers need a column that release did not have; webhook_fanout watches the
# events table, which it did not have at all.
FAMILIES_BEFORE_VERSIONS = tuple(
    declared
    for declared in FAMILIES
    if declared.name not in ("post_versions", "source_versions", "webhook_fanout")
)


@contextmanager
def migrated(backend: str, fresh_database_url: FreshDatabase) -> Iterator[Engine]:
    url = fresh_database_url(backend)
    upgrade(url)
    engine = create_db_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _declared_schema(connection: Connection, families: tuple[Family, ...]) -> LiveSchema:
    """The catalog as the declarations make it, in this very schema: every family made anew
    in a transaction that is rolled back. The database itself writes both catalogs, so they
    compare however it normalises what it is given."""
    transaction = connection.begin_nested()
    try:
        for declared in families:
            drop_family(connection, declared)
        for declared in families:
            create_family(connection, declared)
        return live_triggers(connection)
    finally:
        transaction.rollback()


def differences(connection: Connection, families: tuple[Family, ...] = FAMILIES) -> list[str]:
    """How the live triggers differ from the declarations (of ``families``: those a schema
    of an older release can hold); empty when they do not."""
    dialect = connection.dialect.name
    live, declared = live_triggers(connection), _declared_schema(connection, families)
    found: list[str] = []
    names = {
        (trigger.table, trigger.name)
        for declared_family in families
        for trigger in declared_family.render(dialect).triggers
    }
    found += [f"missing trigger {name}" for name in sorted(names - set(live.triggers))]
    found += [f"undeclared trigger {name}" for name in sorted(set(live.triggers) - names)]
    for declared_family in families:
        rendered = declared_family.render(dialect)
        for trigger in rendered.triggers:
            key = (trigger.table, trigger.name)
            if key not in live.triggers:
                continue
            have = live.triggers[key]
            if dialect == "sqlite" and have.definition != normalised(trigger.create):
                found.append(f"trigger {key} is {have.definition}")
            if dialect == "postgresql":
                if set(have.events or ()) != set(trigger.events):
                    found.append(f"trigger {key} runs on {have.events}")
                if have.definition != declared.triggers[key].definition:
                    found.append(f"trigger {key} is {have.definition}")
        for function in rendered.functions:
            source = live.functions.get(function.name)
            if source != normalised(function.body):
                found.append(f"function {function.name} is {source}")
    declared_functions = {
        function.name for each in families for function in each.render(dialect).functions
    }
    found += [
        f"undeclared function {name}" for name in sorted(set(live.functions) - declared_functions)
    ]
    return found


def test_a_migrated_database_has_exactly_the_declared_triggers(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    with migrated(backend, fresh_database_url) as engine, engine.connect() as connection:
        assert differences(connection) == []
        watched = {table for table, _name in live_triggers(connection).triggers}
        assert watched == {table for each in FAMILIES for table in each.watches}


def test_a_database_of_the_release_before_is_brought_to_the_declared_triggers(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    url = fresh_database_url(backend)
    upgrade(url, BEFORE_DECLARATION)
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            # Made by the old migrations' own SQL, which says the same in other words. The
            # versions' triggers need a column that release did not have.
            assert differences(connection, FAMILIES_BEFORE_VERSIONS) != []
            # A hand changed a trigger meanwhile: the migration replaces it all the same.
            connection.exec_driver_sql(
                "DROP TRIGGER post_documents_tag_rename"
                + (" ON tags" if backend == "postgresql" else "")
            )
            connection.commit()
        upgrade(url)
        with engine.connect() as connection:
            assert differences(connection) == []
    finally:
        engine.dispose()


def test_a_missing_trigger_is_found(backend: str, fresh_database_url: FreshDatabase) -> None:
    with migrated(backend, fresh_database_url) as engine, engine.connect() as connection:
        name = "published_counts_join" if backend == "sqlite" else "published_counts"
        connection.exec_driver_sql(
            f"DROP TRIGGER {name}" + (" ON posts" if backend == "postgresql" else "")
        )
        assert differences(connection) == [f"missing trigger ('posts', '{name}')"]


def test_a_trigger_changed_by_hand_is_found(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    with migrated(backend, fresh_database_url) as engine, engine.connect() as connection:
        if backend == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER post_documents_tag_rename")
            connection.exec_driver_sql(
                "CREATE TRIGGER post_documents_tag_rename AFTER UPDATE OF name ON tags "
                "BEGIN DELETE FROM post_documents; END"
            )
        else:
            # The same trigger on another event, then a function whose body differs.
            connection.exec_driver_sql("DROP TRIGGER post_documents_tag_rename ON tags")
            connection.exec_driver_sql(
                "CREATE TRIGGER post_documents_tag_rename AFTER INSERT ON tags FOR EACH ROW "
                "EXECUTE FUNCTION presseschau_post_documents_tag_rename()"
            )
            connection.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION presseschau_posts_truncated() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$"
            )
        found = differences(connection)
        assert any("post_documents_tag_rename" in difference for difference in found)
        if backend == "postgresql":
            assert any("presseschau_posts_truncated" in difference for difference in found)


def _replace_family_calls() -> dict[str, set[str]]:
    """The fingerprints each family is made with by the migrations' replace_family calls."""
    calls: dict[str, set[str]] = {}
    for path in sorted(VERSIONS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "replace_family"
            ):
                name, fingerprint = (ast.literal_eval(argument) for argument in node.args[1:3])
                calls.setdefault(name, set()).add(fingerprint)
    return calls


def test_every_declared_family_is_made_by_a_migration() -> None:
    """A declaration changed without a migration would leave databases already migrated
    with the triggers it replaces."""
    calls = _replace_family_calls()
    for declared in FAMILIES:
        assert declared.fingerprint in calls.get(declared.name, set()), (
            f"the {declared.name} family is declared differently from what any migration "
            f"makes: add one that calls replace_family(op.get_bind(), {declared.name!r}, "
            f"{declared.fingerprint!r})"
        )
    # A family no migration makes any more is kept, written out, for those that made it.
    for retired in RETIRED:
        assert retired.fingerprint in calls.get(retired.name, set()), retired.name
    assert set(calls) <= {declared.name for declared in (*FAMILIES, *RETIRED)}


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_each_trigger_belongs_to_exactly_one_family(dialect: str) -> None:
    for declared in FAMILIES:
        for trigger in declared.render(dialect).triggers:
            owners = [each.name for each in FAMILIES if each.owns_trigger(trigger.name)]
            assert owners == [declared.name], trigger.name
            assert trigger.table in declared.watches
    assert family("content_version").watches == (
        "posts",
        "post_tags",
        "tags",
        "sources",
        "source_domains",
        "users",
    )


Rule = Callable[[FromClause], ColumnElement[bool]]


def test_the_visibility_rule_means_the_same_in_a_trigger_and_in_a_query(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    """Rendered for a trigger's row, the rule picks the posts the query picks."""
    with migrated(backend, fresh_database_url) as engine:
        database = Database(engine)
        editor = make_account(database)
        now = datetime.now(UTC)
        make_post(database, editor, status="draft")
        make_post(database, editor, published_at=now - timedelta(days=1))
        make_post(database, editor, published_at=now + timedelta(days=1))
        make_post(database, editor, published_at=now - timedelta(seconds=1))
        rules: dict[str, tuple[Rule, ColumnElement[bool]]] = {
            "published": (visibility.published, visibility.published()),
        }
        with engine.connect() as connection:
            for name, (rule, query) in rules.items():
                condition = row_condition(rule, POSTS, "new", backend)
                in_trigger = connection.scalars(
                    text(f"SELECT new.id FROM posts AS new WHERE {condition} ORDER BY new.id")  # noqa: S608
                ).all()
                in_query = connection.scalars(
                    select(POSTS.c.id).where(query).order_by(POSTS.c.id)
                ).all()
                assert in_trigger == in_query, name
                assert in_query, name
