"""Reads take a fixed number of queries, however many posts a page holds (no N+1)."""

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.db import Database
from tests.counting import kept_response_queries, queries_for, read_queries_for
from tests.factories import make_account, make_post, make_source


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
    # A process's first list reads the instance's key for its cursors, once.
    client.get(lists, params={"tag": "keiner"})
    one = {url: read_queries_for(client, db, url) for url in (lists, day, source_list)}
    for number in range(30):
        make_post(
            db,
            editor,
            source_id=sources[number % 3].id,
            tags=[f"Tag {number}", "Alle"],
            published_at=f"2022-01-10T{8 + number % 10:02d}:{number:02d}:00Z",
        )
    many = {
        url: read_queries_for(client, db, url, per_page=100) for url in (lists, day, source_list)
    }
    assert many == one
    assert one[lists] <= 3
    assert one[day] <= 5


def test_a_repeated_anonymous_read_costs_at_most_the_version_check(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    make_post(db, make_account(db))
    url = app.url_path_for("list_posts")
    # A process's first list reads the instance's key for its cursors, once (and the tests'
    # emptied database has to make it, a write that outdates what the cache keeps).
    client.get(url, params={"tag": "keiner"})
    first = queries_for(client, db, url)
    again = queries_for(client, db, url)
    assert first >= 3
    assert again == kept_response_queries(db)
