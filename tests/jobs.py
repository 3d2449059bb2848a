"""Helpers for the worker's tests: reading the jobs table, and waiting for what a worker
thread or process does."""

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, text

from app.core.db import Database
from app.posts.documents import FORMAT
from app.worker.models import JOBS

# A generous bound on what a worker does "at once" on a shared, busy test machine: what is
# tested is that it happens, never how fast.
PATIENCE_SECONDS = 30.0


def jobs(db: Database) -> list[dict[str, Any]]:
    with db.engine.connect() as connection:
        rows = connection.execute(select(JOBS).order_by(JOBS.c.id)).mappings().all()
    return [dict(row) for row in rows]


def eventually(condition: Callable[[], bool], what: str) -> None:
    """Wait (polling) until ``condition`` holds; fail naming ``what`` if it never does."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


def make_documents_stale(db: Database) -> None:
    """Every stored document of a format no release makes: as after an upgrade."""
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE post_documents SET format = ''"))


def document_formats(db: Database) -> set[str]:
    with db.engine.connect() as connection:
        return set(connection.execute(text("SELECT format FROM post_documents")).scalars())


def documents_are_current(db: Database) -> bool:
    return document_formats(db) == {FORMAT}
