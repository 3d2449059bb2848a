"""Reads take a fixed number of queries, however many posts a page holds (no N+1)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.core.db import Database
from app.core.prepared import Prepared
from tests.factories import make_account, make_post, make_source


@contextmanager
def count_queries(db: Database) -> Iterator[list[str]]:
    """Every statement sent to the database: through SQLAlchemy, or run directly by the
    direct reads on a driver cursor."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    rows = Prepared.rows

    def record_direct(self: Prepared, cursor: Any, **values: Any) -> list[tuple[Any, ...]]:
        statements.append(self.sql)
        return rows(self, cursor, **values)

    event.listen(db.engine, "before_cursor_execute", record)
    Prepared.rows = record_direct  # type: ignore[method-assign]
    try:
        yield statements
    finally:
        Prepared.rows = rows  # type: ignore[method-assign]
        event.remove(db.engine, "before_cursor_execute", record)


def _queries_for(client: TestClient, db: Database, url: str, **params: object) -> int:
    with count_queries(db) as statements:
        response = client.get(url, params=params)
        assert response.status_code == 200
    return len([s for s in statements if not s.lstrip().upper().startswith(("PRAGMA", "BEGIN"))])


def test_list_day_and_source_reads_do_not_grow_with_the_page(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    sources = [make_source(db) for _ in range(3)]
    make_post(
        db, editor, source_id=sources[0].id, tags=["Eins"], published_at="2022-01-10T08:00:00Z"
    )
    lists = app.url_path_for("list_posts")
    day = app.url_path_for("day_archive", year="2022", month="1", day="10")
    source_list = app.url_path_for("list_sources")
    one = {url: _queries_for(client, db, url) for url in (lists, day, source_list)}
    for number in range(30):
        make_post(
            db,
            editor,
            source_id=sources[number % 3].id,
            tags=[f"Tag {number}", "Alle"],
            published_at=f"2022-01-10T{8 + number % 10:02d}:{number:02d}:00Z",
        )
    many = {url: _queries_for(client, db, url, per_page=100) for url in (lists, day, source_list)}
    assert many == one
    # Caching adds the response cache's version check (outside SQLAlchemy on SQLite; the
    # kept counts reuse what it read) and, after a change, when the next scheduled post goes
    # public.
    cache = 2 if db.engine.dialect.name == "postgresql" else 1
    assert one[lists] <= 3 + cache
    assert one[day] <= 5 + cache


def test_a_repeated_anonymous_read_costs_at_most_the_version_check(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    make_post(db, make_account(db))
    url = app.url_path_for("list_posts")
    first = _queries_for(client, db, url)
    again = _queries_for(client, db, url)
    assert first >= 3
    assert again <= (1 if db.engine.dialect.name == "postgresql" else 0)
