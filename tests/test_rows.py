"""Rows are read by name: each statement's columns and the named row its readers use come from
one declaration, so a column added there reaches every reader, and none can read another's.

Checked on both databases and on both read paths: the framework's session and the direct
reads' compiled statements on a driver cursor.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from app.archives.service import NeighbourDay, neighbour_statement
from app.core.db import Database
from app.core.prepared import AnySelect, Prepared
from app.posts import documents, queries
from app.posts.queries import POSTS, PostRow, StoredDocument
from app.posts.tag_refs import TagJson
from app.posts.visibility import published
from app.sources import queries as sources
from app.sources.queries import SourceRow
from tests.factories import BERLIN, make_account, make_post, make_source

Columns = list[str]


def _names(statement: AnySelect) -> Columns:
    return [column.name for column in statement.selected_columns]


def test_each_statement_selects_the_fields_of_its_row_by_name() -> None:
    for long_text_as_json in (False, True):
        statement = queries.rows_statement([], [], long_text_as_json=long_text_as_json)
        assert _names(statement) == list(PostRow._fields)
    stored = queries.documents_statement([], [], zone="Europe/Berlin", document_format="f")
    assert _names(stored) == list(StoredDocument._fields)
    assert _names(sources.rows_statement()) == list(SourceRow._fields)
    assert _names(neighbour_statement([], date(2022, 1, 1), later=True)) == list(
        NeighbourDay._fields
    )


@pytest.fixture
def cursor(db: Database) -> Iterator[Any]:
    """A driver cursor, as the direct reads run their compiled statements on."""
    connection = db.engine.raw_connection()
    try:
        yield connection.cursor()
    finally:
        connection.rollback()
        connection.close()


def test_a_post_reads_the_same_by_name_on_both_paths_and_as_written(
    db: Database, cursor: Any
) -> None:
    editor = make_account(db, name="Erika Muster")
    source = make_source(db, name="Kurier")
    post = make_post(
        db, editor, source_id=source.id, title="Strompreise", credit="dpa", tags=["Energie"]
    )
    statement = queries.rows_statement([POSTS.c.id == post.id], [])

    with db.engine.connect() as connection:
        (framework,) = queries.post_rows(connection.execute(statement))
    (direct,) = queries.post_rows(Prepared(statement, db.engine.dialect).rows(cursor))

    for row in (framework, direct):
        assert (row.id, row.title, row.credit) == (post.id, "Strompreise", "dpa")
        assert (row.source_id, row.source_slug, row.source_name) == (source.id, "kurier", "Kurier")
        assert (row.author_id, row.author_name) == (editor.viewer.user_id, "Erika Muster")
        assert row.status == "published"
        assert row.published_date == post.date
    assert framework == direct
    # What a write made without reading its post back (its response, its document) is what
    # a read gives.
    tags = [TagJson(slug=tag.slug, name=tag.name) for tag in post.tags]
    read = queries.to_public(framework, tags, BERLIN)
    assert read.model_dump() == post.model_dump(exclude={"source_match"})
    with db.engine.connect() as connection:
        stored = documents.documents(connection, [post.id], BERLIN)
    assert stored[post.id] == read.model_dump_json().encode()


def test_a_source_and_a_neighbour_day_read_by_name_on_both_paths(db: Database, cursor: Any) -> None:
    editor = make_account(db)
    source = make_source(db, name="Kurier", homepage_url="https://kurier.example/")
    make_post(db, editor, source_id=source.id, published_at=datetime(2022, 1, 10, 9, tzinfo=UTC))
    statement = sources.rows_statement()
    with db.engine.connect() as connection:
        (framework,) = sources.source_rows(connection.execute(statement))
    (direct,) = sources.source_rows(Prepared(statement, db.engine.dialect).rows(cursor))
    for row in (framework, direct):
        assert (row.id, row.slug, row.name) == (source.id, "kurier", "Kurier")
        assert row.homepage_url == "https://kurier.example/"

    now = datetime(2030, 1, 1, tzinfo=UTC)
    earlier = neighbour_statement([published()], now.date(), later=False)
    with db.engine.connect() as connection:
        neighbour = connection.execute(earlier).one()
    assert NeighbourDay._make(neighbour) == NeighbourDay(day=date(2022, 1, 10), posts=1)
