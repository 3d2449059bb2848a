"""Search: the matches of a query, counted, faceted, ranked and highlighted.

One statement finds the matches newest first, at most ``COUNTED`` of them, each with its
source and day: that gives the total, the facets and the candidates. The newest ``RANKED``
candidates are ranked (app.search.ranking) from their stored title, lead and keywords: one
more statement. Then the page's posts are read and only they are highlighted. So a search
costs the same few statements whatever it finds, and its ranking is the same on both
databases: computed here, from the same rows, never by a database's own ranker.
"""

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, select
from sqlmodel import Session, col

from app.archives.schemas import MonthCount
from app.archives.service import month_label
from app.auth.service import Viewer
from app.core.html import plain_text
from app.core.pagination import PageParams
from app.core.types import as_aware
from app.posts import queries
from app.posts.models import Post, PostStatus
from app.posts.schemas import PostFilters, PostPublic
from app.posts.service import narrowed_by, statuses_asked
from app.search import ranking, suggestions
from app.search.highlights import highlight, snippet
from app.search.matching import Match, matches
from app.search.query import parse
from app.search.schemas import (
    Facets,
    Highlights,
    Ranking,
    SearchFilters,
    SearchHit,
    SearchPage,
    SearchSort,
    SourceFacet,
)
from app.search.terms import Query, key_floor

# Matches counted (and faceted) at most; pages reach this far.
COUNTED = 10_000
# Matches ranked at most: the newest of them when more match.
RANKED = 1_000
# Characters of a body's text a snippet is looked for in.
SNIPPET_SOURCE = 50_000
# Fewer matches than this, and a suggestion is looked for.
SUGGEST_BELOW = 3


def _key_range(
    key: ColumnElement[int], filters: PostFilters, zone: ZoneInfo
) -> list[ColumnElement[bool]]:
    """The keys the date filters allow, a little wide (keys are whole seconds): the index
    skips what lies outside, the exact conditions on posts decide the rest."""
    low: dt.datetime | None = None
    high: dt.datetime | None = None
    if filters.date:
        start = dt.datetime.combine(filters.date, dt.time(), zone)
        low, high = start, start + dt.timedelta(days=1, hours=1)
    if filters.after:
        after = as_aware(filters.after, zone)
        low = max(low, after) if low else after
    if filters.before:
        before = as_aware(filters.before, zone) + dt.timedelta(seconds=1)
        high = min(high, before) if high else before
    where: list[ColumnElement[bool]] = []
    if low is not None:
        where.append(key >= key_floor(low - dt.timedelta(seconds=1)))
    if high is not None:
        where.append(key < key_floor(high))
    return where


def search(
    session: Session,
    *,
    viewer: Viewer | None,
    filters: SearchFilters,
    paging: PageParams,
    zone: ZoneInfo,
    languages: Sequence[str],
    site_language: str,
) -> SearchPage:
    statuses = statuses_asked(viewer, filters, doing="Searching")
    query = parse(filters.q, languages)
    connection = session.connection()
    found = _matches(session, query, filters, viewer, statuses, zone)
    exact = len(found) <= COUNTED
    found = found[:COUNTED]
    scores: dict[int, int] = {}
    if filters.sort is SearchSort.newest:
        order, how = found, Ranking.recency
    else:
        best, scores = ranking.rank(connection, query, found[:RANKED])
        order = best + found[RANKED:]
        how = Ranking.relevance if len(found) <= RANKED and exact else Ranking.recent_window
    page = order[paging.offset : paging.offset + paging.per_page]
    unscored = [match.post_id for match in page if match.post_id not in scores]
    if unscored:
        scores |= ranking.scores(connection, query, unscored)
    items = _hits(session, query, [match.post_id for match in page], scores, zone)
    suggestion = None
    if len(found) < SUGGEST_BELOW:
        suggestion = suggestions.suggest(connection, filters.q, query)
    return SearchPage(
        items=items,
        total=len(found),
        total_exact=exact,
        page=paging.page,
        per_page=paging.per_page,
        ranking=how,
        facets=_facets(connection, found, site_language),
        suggestion=suggestion,
    )


def _matches(
    session: Session,
    query: Query,
    filters: SearchFilters,
    viewer: Viewer | None,
    statuses: set[PostStatus],
    zone: ZoneInfo,
) -> list[Match]:
    found = matches(query, session.get_bind().dialect.name)
    posts = queries.POSTS
    where = [found.condition, queries.listed_for(viewer, statuses)]
    if filters.source:
        where.append(queries.in_sources(queries.source_ids(session, filters.source)))
    where += narrowed_by(filters, zone)
    where += _key_range(found.key, filters, zone)
    statement = (
        select(found.key, posts.c.source_id, posts.c.published_date)
        .select_from(found.source.join(posts, posts.c.id == found.post_id))
        .where(*where)
        .order_by(found.key.desc())
        .limit(COUNTED + 1)
    )
    return [Match(*row) for row in session.connection().execute(statement)]


def _facets(connection: Connection, found: Sequence[Match], language: str) -> Facets:
    per_source = Counter(match.source_id for match in found if match.source_id is not None)
    per_month = Counter(
        (match.published_date.year, match.published_date.month)
        for match in found
        if match.published_date is not None
    )
    sources = queries.SOURCES
    named = (
        connection.execute(
            select(sources.c.id, sources.c.slug, sources.c.name).where(
                sources.c.id.in_(list(per_source))
            )
        ).all()
        if per_source
        else []
    )
    return Facets(
        sources=sorted(
            (SourceFacet(slug=slug, name=name, count=per_source[source_id])
             for source_id, slug, name in named),
            key=lambda facet: (-facet.count, facet.name),
        ),
        months=[
            MonthCount(year=year, month=month, label=month_label(year, month, language), count=n)
            for (year, month), n in sorted(per_month.items(), reverse=True)
        ],
    )  # fmt: skip


def _hits(
    session: Session,
    query: Query,
    ids: Sequence[int],
    scores: dict[int, int],
    zone: ZoneInfo,
) -> list[SearchHit]:
    """The posts ``ids``, in that order, scored and highlighted."""
    if not ids:
        return []
    posts = {
        post.id: post
        for post in queries.fetch_posts(
            session, where=[col(Post.id).in_(list(ids))], order=[], zone=zone
        )
    }
    return [
        _hit(posts[post_id], scores.get(post_id, 0), query) for post_id in ids if post_id in posts
    ]


def _hit(post: PostPublic, score: int, query: Query) -> SearchHit:
    return SearchHit(
        **post.model_dump(),
        score=score,
        highlights=Highlights(
            title=highlight(post.title, query, post.language),
            body=snippet(plain_text(post.body_html, SNIPPET_SOURCE), query, post.language),
        ),
    )
