"""Reading sources: the statements and the document both read paths make a source from.

The framework path runs them on a session, the direct reads compile them once (with bound
parameters where values go) and run them on a driver cursor; both build each source with
``source_document``, so the two give the same JSON by construction."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, func, select
from sqlmodel import col

from app.core.prepared import AnySelect
from app.posts.models import PublishedCount
from app.sources.models import Source, SourceDomain


class SourceRow(NamedTuple):
    """A source as ``rows_statement`` reads it: the one declaration of those columns (the
    statement selects the source's columns of these names, in this order)."""

    id: int
    slug: str
    name: str
    homepage_url: str | None
    language: str | None
    description: str
    created_at: datetime
    updated_at: datetime


_SOURCES = Source.metadata.tables["sources"]
_ROWS = select(*(_SOURCES.c[name] for name in SourceRow._fields))


def rows_statement(
    where: Sequence[ColumnElement[bool]] = (),
    *,
    limit: int | ColumnElement[int] | None = None,
    offset: int | ColumnElement[int] = 0,
) -> AnySelect:
    """The sources ``where`` selects, by name."""
    statement = _ROWS.where(*where).order_by(col(Source.name), col(Source.id)).offset(offset)
    return statement if limit is None else statement.limit(limit)


def count_statement() -> Select[int]:
    return select(func.count()).select_from(Source)


def domains_statement(source_ids: Sequence[int | ColumnElement[int]]) -> Select[int, str]:
    """The domains of these sources, by source and domain."""
    return (
        select(col(SourceDomain.source_id), col(SourceDomain.domain))
        .where(col(SourceDomain.source_id).in_(source_ids))
        .order_by(col(SourceDomain.source_id), col(SourceDomain.domain))
    )


def post_counts_statement() -> Select[int, int]:
    """Public posts per source key: the published posts the triggers count (see
    PublishedCount)."""
    return select(col(PublishedCount.source_key), col(PublishedCount.posts))


# Under this key the memo keeps ``post_counts`` per content version, for both read paths.
POST_COUNTS_KEY = "source_post_counts"


def post_counts(rows: Sequence[Sequence[Any]]) -> dict[int, int]:
    return {int(source_key): int(count) for source_key, count in rows}


def domains_by_source(rows: Sequence[Sequence[Any]]) -> dict[int, list[str]]:
    domains: dict[int, list[str]] = defaultdict(list)
    for source_id, domain in rows:
        domains[source_id].append(domain)
    return domains


def source_rows(rows: Iterable[Sequence[Any]]) -> list[SourceRow]:
    """Rows of ``rows_statement`` (from a session or a driver cursor) as SourceRows."""
    return [SourceRow._make(row) for row in rows]


def source_document(
    row: SourceRow, domains: dict[int, list[str]], counts: dict[int, int]
) -> dict[str, Any]:
    """A source's row as SourcePublic's fields, in their order."""
    return {
        "id": row.id,
        "slug": row.slug,
        "name": row.name,
        "homepage_url": row.homepage_url,
        "domains": domains.get(row.id, []),
        "language": row.language,
        "description": row.description,
        "post_count": counts.get(row.id, 0),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }
