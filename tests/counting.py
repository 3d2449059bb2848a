"""Counting the statements a request sends to the database."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from app.core.db import Database
from app.core.prepared import Prepared


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


def queries_for(client: TestClient, db: Database, url: str, **params: object) -> int:
    return len(_statements_for(client, db, url, params))


def _statements_for(
    client: TestClient, db: Database, url: str, params: dict[str, object]
) -> list[str]:
    with count_queries(db) as statements:
        response = client.get(url, params=params)
        assert response.status_code == 200
    return [s for s in statements if not s.lstrip().upper().startswith(("PRAGMA", "BEGIN"))]


def kept_response_queries(db: Database) -> int:
    """What a response from the cache costs when nothing has committed since the request
    before: SQLite tells that from its wal-index alone, PostgreSQL is asked for the version."""
    return 0 if db.engine.dialect.name == "sqlite" else 1


# The response cache's version check: whether it runs depends on what committed before the
# request, not on the read itself.
_VERSION_CHECK = ("FROM content_state",)


def reads_of(statements: list[str]) -> list[str]:
    """The statements of a request's own reads: no PRAGMA, BEGIN or version check."""
    return [
        s for s in statements
        if not s.lstrip().upper().startswith(("PRAGMA", "BEGIN"))
        and not any(part in s for part in _VERSION_CHECK)
    ]  # fmt: skip


def read_queries_for(client: TestClient, db: Database, url: str, **params: object) -> int:
    """As ``queries_for``, without the response cache's version check."""
    return len(reads_of(_statements_for(client, db, url, params)))
