"""Sources: the outside publications posts come from."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.core.errors import Conflict, NotFound
from app.core.pagination import Page, PageParams
from app.core.preconditions import UNCONDITIONAL, Precondition, Versioned, check_version
from app.core.slugs import unique_slug
from app.core.text import parse_id
from app.core.types import utcnow
from app.derived.memo import memo_for
from app.derived.versions import FIRST_VERSION, keep_versions
from app.events.record import Action, Ref, record
from app.posts.models import Post, PostStatus
from app.sources import matching, queries
from app.sources.models import Source, SourceDomain
from app.sources.schemas import SourceCreate, SourceMatchRequest, SourcePublic, SourceUpdate

_SOURCES = Source.metadata.tables["sources"]


def _lookup_clause(id_or_slug: str) -> ColumnElement[bool]:
    source_id = parse_id(id_or_slug)
    if source_id is not None:
        return col(Source.id) == source_id
    return col(Source.slug) == id_or_slug


def get_source_model(session: Session, id_or_slug: str, *, lock: bool = False) -> Source:
    """The source (``lock``: locked for this write; PostgreSQL: FOR UPDATE, SQLite's write
    transaction holds the whole database)."""
    query = select(Source).where(_lookup_clause(id_or_slug))
    source = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if source is None:
        raise NotFound(f"There is no source {id_or_slug!r}.")
    return source


def _to_public(session: Session, rows: Sequence[queries.SourceRow]) -> list[SourcePublic]:
    connection = session.connection()
    ids = [row.id for row in rows]
    domains = queries.domains_by_source(
        connection.execute(queries.domains_statement(ids)).all() if ids else []
    )
    # Reads share every source's counts, kept per content version.
    counts = memo_for(session).get(
        session,
        queries.POST_COUNTS_KEY,
        lambda: queries.post_counts(connection.execute(queries.post_counts_statement()).all()),
    )
    # Built without validation: every value comes from a row the write path validated.
    return [
        SourcePublic.model_construct(**queries.source_document(row, domains, counts))
        for row in rows
    ]


def list_sources(session: Session, *, paging: PageParams) -> Page[SourcePublic]:
    total = session.scalar(queries.count_statement()) or 0
    rows = session.connection().execute(
        queries.rows_statement(limit=paging.per_page, offset=paging.offset)
    )
    return Page(
        items=_to_public(session, queries.source_rows(rows)),
        total=total,
        page=paging.page,
        per_page=paging.per_page,
    )


def get_source(session: Session, *, id_or_slug: str) -> SourcePublic:
    # Statements on the connection skip the ORM's autoflush: a write that reads back what it
    # has just changed needs its pending rows in the database first.
    session.flush()
    rows = session.connection().execute(queries.rows_statement([_lookup_clause(id_or_slug)]))
    found = _to_public(session, queries.source_rows(rows))
    if not found:
        raise NotFound(f"There is no source {id_or_slug!r}.")
    return found[0]


def get_versioned_source(session: Session, *, id_or_slug: str) -> Versioned[SourcePublic]:
    """One source as a writer reads it, with its version for the ETag, read first: an ETag
    older than the body costs a needless 412 at worst, a newer one would let a write made
    from the older body through."""
    version = session.scalar(select(col(Source.version)).where(_lookup_clause(id_or_slug)))
    if version is None:
        raise NotFound(f"There is no source {id_or_slug!r}.")
    return Versioned(get_source(session, id_or_slug=id_or_slug), version)


def _check_version(session: Session, source: Source, precondition: Precondition) -> None:
    """The write's If-Match against the locked source; a 412 shows the source as it is."""
    check_version(
        precondition,
        source.version,
        current=lambda: get_source(session, id_or_slug=str(source.id)),
    )


def _set_domains(session: Session, source: Source, domains: list[str]) -> None:
    wanted = list(dict.fromkeys(domains))
    owners: dict[str, int] = dict(
        session.execute(
            select(col(SourceDomain.domain), col(SourceDomain.source_id)).where(
                col(SourceDomain.domain).in_(wanted)
            )
        ).all()
    )
    for domain, owner in owners.items():
        if owner != source.id:
            raise Conflict(f"The domain {domain} belongs to another source ({owner}).")
    # Callers pass a flushed or loaded source, so it has its id.
    assert source.id is not None
    session.execute(delete(SourceDomain).where(col(SourceDomain.source_id) == source.id))
    session.add_all(SourceDomain(domain=domain, source_id=source.id) for domain in wanted)


def _flush(session: Session, name: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"A source with this name or slug exists already ({name!r}).") from exc


def create_source(session: Session, *, data: SourceCreate) -> SourcePublic:
    data = data.cleaned()  # done before the transaction began, unless the caller skipped it
    fields: dict[str, Any] = data.model_dump(exclude={"domains", "slug"}, mode="json")
    slug = data.slug or unique_slug(session, col(Source.slug), data.name, fallback="quelle")
    source = Source(**fields, slug=slug)
    session.add(source)
    _flush(session, data.name)
    _set_domains(session, source, data.domains)
    _flush(session, data.name)
    # Each domain stepped the version: a new source starts at the first all the same.
    assert source.id is not None  # flushed
    keep_versions(session.connection(), _SOURCES, {source.id: FIRST_VERSION})
    _record(session, Action.source_created, source)
    return get_source(session, id_or_slug=str(source.id))


def _record(session: Session, action: str, source: Source, **more: Any) -> None:
    assert source.id is not None  # flushed or loaded
    record(
        session,
        action,
        Ref("source", source.id),
        {"name": source.name, "slug": source.slug, **more},
    )


def update_source(
    session: Session,
    *,
    id_or_slug: str,
    data: SourceUpdate,
    precondition: Precondition = UNCONDITIONAL,
) -> Versioned[SourcePublic]:
    source = get_source_model(session, id_or_slug, lock=True)
    _check_version(session, source, precondition)
    data = data.cleaned()
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"domains"}, mode="json")
    for field in ("name", "slug", "description"):
        if field in changes and changes[field] is None:
            del changes[field]
    for field, value in changes.items():
        setattr(source, field, value)
    source.updated_at = utcnow()
    if data.domains is not None:
        _set_domains(session, source, data.domains)
    # The ORM writes the version one up with the row; the domains' triggers step it again
    # for each domain, which is taken back: one write, one version.
    _flush(session, source.name)
    assert source.id is not None
    keep_versions(session.connection(), _SOURCES, {source.id: source.version})
    fields = sorted(data.model_dump(exclude_unset=True))
    _record(session, Action.source_updated, source, fields=fields)
    return Versioned(get_source(session, id_or_slug=str(source.id)), source.version)


def delete_source(
    session: Session, *, id_or_slug: str, precondition: Precondition = UNCONDITIONAL
) -> None:
    source = get_source_model(session, id_or_slug, lock=True)
    _check_version(session, source, precondition)
    trashed = col(Post.status) == PostStatus.trashed.value
    held = session.execute(
        select(func.count().filter(~trashed), func.count().filter(trashed)).where(
            col(Post.source_id) == source.id
        )
    ).one()
    posts, in_trash = int(held[0] or 0), int(held[1] or 0)
    if posts:
        raise Conflict(
            f"The source {source.slug!r} still has {posts} post(s)"
            + (f" and {in_trash} in the trash" if in_trash else "")
            + "; move them to another source or trash them, and purge them, first."
        )
    if in_trash:
        raise Conflict(
            f"The source {source.slug!r} still holds {in_trash} trashed post(s): purging them "
            "(DELETE /posts/{id}?purge=true, or the worker's emptying of the trash) frees it."
        )
    _record(session, Action.source_deleted, source)
    session.delete(source)


def match_source(session: Session, *, data: SourceMatchRequest) -> matching.SourceMatch:
    """The source a post's title or original URL names, from a request."""
    data = data.cleaned()
    url = str(data.url) if data.url is not None else None
    return matching.match_source(session, title=data.title, url=url)
