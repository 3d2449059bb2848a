"""A benchmark dataset's search index: making it, and its size."""

import time
from typing import Any

from sqlalchemy import Connection, text

from app.core.config import DEFAULT_SEARCH_LANGUAGES
from app.core.db import create_db_engine
from app.derived.root import open_database
from app.search.index import index_queued, reindex

SEARCH_TABLES = ("post_search_text", "post_search", "search_words", "post_search_queue")


def index_dataset(database_url: str) -> int:
    """Index what the dataset's index lacks: everything when it has nothing (a dataset made
    before search), else the queued posts. The number of posts indexed."""
    languages = list(DEFAULT_SEARCH_LANGUAGES)
    database = open_database(database_url)
    try:
        with database.engine.connect() as connection:
            posts = connection.execute(text("SELECT count(*) FROM posts")).scalar_one()
            indexed = connection.execute(text("SELECT count(*) FROM post_search")).scalar_one()
        if posts and not indexed:
            return reindex(database, languages, _Progress()).stored
        # Drains the queue (a post whose generation changed meanwhile is left for a round).
        return index_queued(database, languages).stored
    finally:
        database.dispose()


class _Progress:
    """Prints each tenth of a reindex: at a million posts it takes a while."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.tenth = 0

    def __call__(self, handled: int, total: int) -> None:
        while total and self.tenth < 10 and handled * 10 >= total * (self.tenth + 1):
            self.tenth += 1
            seconds = time.monotonic() - self.started
            print(f"    indexed {self.tenth * 10:3d}% {handled:>9,} posts {seconds:7.1f} s",
                  flush=True)  # fmt: skip


def index_size(database_url: str) -> dict[str, Any]:
    """Bytes of the search tables (with their indexes and FTS5 shadow tables), in all and per
    100,000 posts."""
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            posts = connection.execute(text("SELECT count(*) FROM posts")).scalar_one()
            tables = _table_sizes(connection)
    finally:
        engine.dispose()
    total = sum(tables.values())
    per = round(total * 100_000 / posts) if posts else None
    return {"posts": posts, "bytes": total, "bytes_per_100k_posts": per, "tables": tables}


def _table_sizes(connection: Connection) -> dict[str, int]:
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text(
                "SELECT c.relname AS name, pg_total_relation_size(c.oid) AS size FROM pg_class c "
                "WHERE c.relkind = 'r' AND c.relname = ANY(:names)"
            ),
            {"names": list(SEARCH_TABLES)},
        )
        return {row.name: int(row.size) for row in rows}
    # dbstat names tables and indexes; FTS5 keeps its data in shadow tables named after its
    # table (post_search_text_data, ...). One name at a time: dbstat then reads only its pages.
    schema = connection.execute(
        text("SELECT name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index')")
    ).all()
    sizes: dict[str, int] = {}
    for row in schema:
        owner = search_table_of(row.tbl_name)
        if owner is None:
            continue
        size = connection.execute(
            text("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = :name"),
            {"name": row.name},
        ).scalar_one()
        sizes[owner] = sizes.get(owner, 0) + int(size)
    return sizes


def search_table_of(table: str) -> str | None:
    """The search table that ``table`` is or belongs to (an FTS5 shadow table), if any."""
    owners = [name for name in SEARCH_TABLES if table == name or table.startswith(f"{name}_")]
    return max(owners, key=len, default=None)
