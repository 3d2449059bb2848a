"""Sources: the outside publications posts come from."""

from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.caching.memo import memo_for
from app.core.errors import Conflict, NotFound
from app.core.pagination import Page, PageParams
from app.core.slugs import unique_slug
from app.core.text import parse_id
from app.core.types import utcnow
from app.posts.models import Post, PublishedCount
from app.posts.visibility import scheduled
from app.sources.models import Source, SourceDomain
from app.sources.schemas import SourceCreate, SourcePublic, SourceUpdate


def _lookup_clause(id_or_slug: str) -> ColumnElement[bool]:
    source_id = parse_id(id_or_slug)
    if source_id is not None:
        return col(Source.id) == source_id
    return col(Source.slug) == id_or_slug


def get_source_model(session: Session, id_or_slug: str) -> Source:
    source = session.scalars(select(Source).where(_lookup_clause(id_or_slug))).one_or_none()
    if source is None:
        raise NotFound(f"There is no source {id_or_slug!r}.")
    return source


def _post_counts(session: Session) -> dict[int | None, int]:
    """Public posts per source: the published posts the triggers count, less those scheduled
    for later (a short range of the source's index)."""
    later = (
        select(func.count())
        .select_from(Post)
        .where(col(Post.source_id) == col(PublishedCount.source_key), scheduled(utcnow()))
        .scalar_subquery()
    )
    query = select(col(PublishedCount.source_key), col(PublishedCount.posts) - later)
    return {source_key: count for source_key, count in session.execute(query)}  # noqa: C416


def _to_public(session: Session, sources: Sequence[Source]) -> list[SourcePublic]:
    ids = [source.id for source in sources]
    domains: dict[int | None, list[str]] = defaultdict(list)
    for row in session.execute(
        select(col(SourceDomain.source_id), col(SourceDomain.domain))
        .where(col(SourceDomain.source_id).in_(ids))
        .order_by(col(SourceDomain.domain))
    ):
        domains[row.source_id].append(row.domain)
    # Reads share every source's counts, kept per content version.
    counts = memo_for(session).get(session, "source_post_counts", partial(_post_counts, session))
    return [
        SourcePublic(
            id=source.id,
            slug=source.slug,
            name=source.name,
            homepage_url=source.homepage_url,
            domains=domains.get(source.id, []),
            language=source.language,
            description=source.description,
            post_count=counts.get(source.id, 0),
            created_at=source.created_at,
            updated_at=source.updated_at,
        )
        for source in sources
    ]


def list_sources(session: Session, *, paging: PageParams) -> Page[SourcePublic]:
    total = session.scalar(select(func.count()).select_from(Source)) or 0
    sources = session.scalars(
        select(Source)
        .order_by(col(Source.name), col(Source.id))
        .offset(paging.offset)
        .limit(paging.per_page)
    ).all()
    return Page(
        items=_to_public(session, sources), total=total, page=paging.page, per_page=paging.per_page
    )


def get_source(session: Session, *, id_or_slug: str) -> SourcePublic:
    return _to_public(session, [get_source_model(session, id_or_slug)])[0]


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
    fields: dict[str, Any] = data.model_dump(exclude={"domains", "slug"}, mode="json")
    slug = data.slug or unique_slug(session, col(Source.slug), data.name, fallback="quelle")
    source = Source(**fields, slug=slug)
    session.add(source)
    _flush(session, data.name)
    _set_domains(session, source, data.domains)
    _flush(session, data.name)
    return get_source(session, id_or_slug=str(source.id))


def update_source(session: Session, *, id_or_slug: str, data: SourceUpdate) -> SourcePublic:
    source = get_source_model(session, id_or_slug)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"domains"}, mode="json")
    for field in ("name", "slug", "description"):
        if field in changes and changes[field] is None:
            del changes[field]
    for field, value in changes.items():
        setattr(source, field, value)
    source.updated_at = utcnow()
    if data.domains is not None:
        _set_domains(session, source, data.domains)
    _flush(session, source.name)
    return get_source(session, id_or_slug=str(source.id))


def delete_source(session: Session, *, id_or_slug: str) -> None:
    source = get_source_model(session, id_or_slug)
    posts = session.scalar(select(func.count()).where(col(Post.source_id) == source.id)) or 0
    if posts:
        raise Conflict(
            f"The source {source.slug!r} still has {posts} post(s); move or delete them first."
        )
    session.delete(source)
