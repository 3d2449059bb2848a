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

from app.archives.service import month_count
from app.auth.service import Viewer
from app.core.html import plain_text
from app.core.pagination import PageParams
from app.core.types import as_aware
from app.posts import queries
from app.posts.models import Post, PostStatus
from app.posts.schemas import PostFilters, PostPublic
from app.posts.service import narrowed_by, statuses_asked
from app.search import ranking, suggestions
from app.search.analyzer import query_forms
from app.search.highlights import highlight, snippet
from app.search.matching import Match, matches, month_of, newest_first
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
from app.search.terms import POST_ID_BITS, Query, Term, key_floor

# Matches counted (and faceted) at most; pages reach this far.
COUNTED = 10_000
# Matches ranked at most: the newest of them when more match.
RANKED = 1_000
# Characters of a body's text a snippet is looked for in.
SNIPPET_SOURCE = 50_000
# A second, and a day and an hour, in search keys (app.search.terms.search_key).
_SECOND = 1 << POST_ID_BITS
_DAY_AND_AN_HOUR = 25 * 3600 * _SECOND
_KEY_MIN, _KEY_MAX = -(2**63), 2**63 - 1  # what a 64-bit integer column holds
# Fewer matches than this, and a suggestion is looked for.
SUGGEST_BELOW = 3


def _key_range(
    key: ColumnElement[int], filters: PostFilters, zone: ZoneInfo
) -> list[ColumnElement[bool]]:
    """The keys the date filters allow, a second wider at each end (keys are whole seconds):
    the index skips what lies outside, the exact conditions on posts decide the rest.
    Reckoned in keys, not times: a day at the calendar's end has no day after it."""
    lows: list[int] = []
    highs: list[int] = []
    if filters.date:
        start = key_floor(dt.datetime.combine(filters.date, dt.time(), zone))
        lows.append(start)
        highs.append(start + _DAY_AND_AN_HOUR)  # a local day lasts 23 to 25 hours
    if filters.after:
        lows.append(key_floor(as_aware(filters.after, zone)))
    if filters.before:
        highs.append(key_floor(as_aware(filters.before, zone)) + _SECOND)
    where: list[ColumnElement[bool]] = []
    if lows:
        where.append(key >= max(max(lows) - _SECOND, _KEY_MIN))
    if highs:
        where.append(key < min(min(highs) + _SECOND, _KEY_MAX))
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
    # Read by id, then held to the visibility rule again: on PostgreSQL a post unpublished
    # since the matches were read would otherwise be shown as it is now. (In the statement,
    # the rule would have SQLite walk the status index rather than look up 20 ids.)
    posts = queries.fetch_posts(
        session, where=[col(Post.id).in_([match.post_id for match in page])], order=[], zone=zone
    )
    visible = {post.id: post for post in posts if queries.is_listed_for(viewer, statuses, post)}
    items = [
        _hit(visible[match.post_id], scores.get(match.post_id, 0), query)
        for match in page
        if match.post_id in visible
    ]
    suggestion = None
    if len(found) < SUGGEST_BELOW:

        def shown(word: str) -> bool:
            """Whether ``word`` finds a post this caller may see."""
            alone = Query((Term(word, query_forms(word, languages)),))
            hit = matches(alone, session.get_bind().dialect.name)
            statement = (
                select(hit.key)
                .select_from(hit.source.join(queries.POSTS, queries.POSTS.c.id == hit.post_id))
                .where(hit.condition, queries.listed_for(viewer, statuses))
                .limit(1)
            )
            return connection.execute(statement).first() is not None

        suggestion = suggestions.suggest(connection, filters.q, query, shown)
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
    in_range = _key_range(found.key, filters, zone)
    where += in_range
    month = month_of(posts.c.published_date, session.get_bind().dialect.name)
    order = newest_first(session, found, [found.condition, *in_range], COUNTED)
    statement = (
        select(found.key, posts.c.source_id, month)
        .select_from(found.source.join(posts, posts.c.id == found.post_id))
        .where(*where)
        .order_by(order.desc())
        .limit(COUNTED + 1)
    )
    # Fetched at once and made into named rows by map: this is up to 10,001 rows, where a
    # row-by-row fetch costs more than the statement itself.
    return list(map(Match._make, session.connection().execute(statement).all()))


def _facets(connection: Connection, found: Sequence[Match], language: str) -> Facets:
    per_source = Counter(match.source_id for match in found if match.source_id is not None)
    per_month = Counter(match.month for match in found if match.month is not None)
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
            month_count(int(month[:4]), int(month[5:7]), count, language)
            for month, count in sorted(per_month.items(), reverse=True)
        ],
    )  # fmt: skip


def _hit(post: PostPublic, score: int, query: Query) -> SearchHit:
    return SearchHit(
        **post.model_dump(),
        score=score,
        highlights=Highlights(
            title=highlight(post.title, query, post.language),
            body=snippet(plain_text(post.body_html, SNIPPET_SOURCE), query, post.language),
        ),
    )
