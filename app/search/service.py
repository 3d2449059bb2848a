"""Search: the matches of a query, counted, faceted, ranked and highlighted.

One statement counts the newest ``COUNTED`` matches per source and month, in the database:
that gives the total and the facets, a few hundred rows however much is found. One more
reads the newest ``RANKED`` matches with their stored title, lead and keywords, which are
ranked here (app.search.ranking). Then the page's posts are read and only they are
highlighted. So a search costs the same few statements whatever it finds, and its ranking
is the same on both databases: computed here, from the same rows, never by a database's
own ranker.
"""

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, Row, func, select
from sqlmodel import Session

from app.archives.service import month_count
from app.auth.service import Viewer
from app.core.db import one_of
from app.core.html import plain_text
from app.core.pagination import PageParams
from app.core.types import as_aware
from app.posts import queries
from app.posts.fields import Fields
from app.posts.models import PostStatus
from app.posts.schemas import PostFilters
from app.posts.service import narrowed_by, statuses_asked
from app.search import cursor as search_cursor
from app.search import hits, pages, suggestions
from app.search.analyzer import query_forms
from app.search.highlights import highlight, snippet
from app.search.matching import (
    COUNTED,
    Newest,
    matches,
    month_of,
    newest_matches,
    sources_in_index,
)
from app.search.query import parse
from app.search.schemas import (
    Facets,
    Highlights,
    Ranking,
    SearchFilters,
    SearchPage,
    SearchSort,
    SourceFacet,
)
from app.search.terms import POST_ID_BITS, POST_ID_MASK, Query, Term, key_floor

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


class Counted(NamedTuple):
    """A query's matches as counted: how many (at most ``COUNTED``), whether that is all of
    them, and how many per source and per month."""

    total: int
    exact: bool
    per_source: Counter[int]
    per_month: Counter[str]
    # The slug and name of counted sources, when read with the counts.
    named: dict[int, "_Named"]
    # The newest match's search key (None when nothing matches): where a walk by cursor
    # pins its ranked window.
    newest: int | None
    # When more match than are counted, the key of the first match not counted: pages by
    # cursor, as pages by number, reach the counted matches only.
    floor: int | None


class _Named(NamedTuple):
    """A source's slug and name, as its facet shows them."""

    slug: str
    name: str


class Found(NamedTuple):
    """A page of hits: its JSON (a SearchPage's), and what the response's headers need."""

    items: list[hits.Hit]
    total: int
    page: int | None  # None on a page reached by cursor
    per_page: int
    next_cursor: str | None
    body: bytes


class _Group(NamedTuple):
    """The matches of one source in one month, as the counting statement gives them."""

    source_id: int | None
    month: str | None
    found: int
    oldest: int  # the smallest search key among them
    newest: int  # the largest
    # The source's slug and name, when counted with them.
    slug: str | None = None
    name: str | None = None


class _Match(NamedTuple):
    """A match as read with what it is counted by (``_grouping``)."""

    key: int
    source_id: int | None
    month: str | None


def search(
    session: Session,
    *,
    viewer: Viewer | None,
    filters: SearchFilters,
    paging: PageParams,
    zone: ZoneInfo,
    languages: Sequence[str],
    site_language: str,
    cursor: str | None = None,
    cursor_key: bytes = b"",
    fields: Fields | None = None,
) -> Found:
    """A page of hits by number, or with ``cursor`` the page after it; every page with the
    cursor of the next, sealed with ``cursor_key``."""
    statuses = statuses_asked(viewer, filters, doing="Searching")
    after = search_cursor.starting_after(cursor, filters, cursor_key, paging)
    query = parse(filters.q, languages)
    connection = session.connection()
    newest = _newest_first(session, query, filters, viewer, statuses, zone)
    counted = _count(connection, newest)
    ranked = 0  # the newest this many are ranked, and come first
    how = Ranking.recency
    if filters.sort is SearchSort.relevance:
        ranked = min(counted.total, RANKED)
        everything = counted.exact and ranked == counted.total
        how = Ranking.relevance if everything else Ranking.recent_window
    if after is None:
        # The window pinned for a walk by cursor: the newest RANKED matches up to the
        # newest now (none when nothing matches).
        paged = pages.numbered(
            connection, newest, query, ranked=ranked, total=counted.total, paging=paging,
            window=counted.newest,
        )  # fmt: skip
    else:
        paged = pages.following(
            connection, newest, query, after, paging.per_page, RANKED, counted.floor
        )
    scores = {hit.key & POST_ID_MASK: hit.score for hit in paged.hits}
    # Read by id, then held to the visibility rule again: on PostgreSQL a post unpublished
    # since the matches were read would otherwise be shown as it is now. (In the statement,
    # the rule would have SQLite walk the status index rather than look up 20 ids.)
    posts = hits.page_rows(connection, list(scores), zone)
    visible = {
        post.id: post
        for post in posts
        if queries.is_listed_for(viewer, statuses, post.status, post.author_id)
    }
    made = hits.made_documents(connection, list(visible.values()), zone)
    # Made only for posts that have none stored; a post deleted since it was read has no
    # document made, and is left out.
    found = {post_id: post.document or made.get(post_id) for post_id, post in visible.items()}
    if fields is not None:
        # Narrowed before score and highlights are spliced in: those are always kept.
        found = {
            post_id: None if document is None else fields.narrow_json(document)
            for post_id, document in found.items()
        }
    items = [
        _hit(visible[post_id], document, points, query)
        for post_id, points in scores.items()
        if (document := found.get(post_id)) is not None
    ]
    suggestion = None
    if counted.total < SUGGEST_BELOW:

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
    next_cursor = None
    if paged.last is not None and cursor_key:
        next_cursor = search_cursor.encode(paged.last, filters, cursor_key)
    page_number = paging.page if after is None else None
    page_without_items = SearchPage(
        items=[],
        total=counted.total,
        total_exact=counted.exact,
        page=page_number,
        per_page=paging.per_page,
        next_cursor=next_cursor,
        ranking=how,
        facets=_facets(connection, counted, site_language),
        suggestion=suggestion,
    )
    return Found(
        items=items,
        total=counted.total,
        page=page_number,
        per_page=paging.per_page,
        next_cursor=next_cursor,
        body=hits.page_json(items, page_without_items),
    )


def _newest_first(
    session: Session,
    query: Query,
    filters: SearchFilters,
    viewer: Viewer | None,
    statuses: set[PostStatus],
    zone: ZoneInfo,
) -> Newest:
    """The query's matches this caller may see within the filters, newest first."""
    among = [queries.listed_for(viewer, statuses)]
    sources: list[int] = []
    if filters.source:
        sources = queries.source_ids(session, filters.source)
        among.append(queries.in_sources(sources))
    # The sources' tokens narrow the matches in the index; the posts' source_id decides.
    found = matches(query, session.get_bind().dialect.name, sources)
    among += narrowed_by(filters, zone)
    in_range = _key_range(found.key, filters, zone)
    # What counting asks of each match, read with them where they are read first.
    grouping = _grouping(session.get_bind().dialect.name)
    # Times are ranges of keys (in_range): the walk of the index skips what lies outside.
    narrowed = bool(filters.tag) or (bool(filters.source) and not sources_in_index(sources))
    return newest_matches(
        session, found, among, on_index=in_range, counting=COUNTED, columns=grouping,
        narrowed=narrowed,
    )  # fmt: skip


def _grouping(dialect: str) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """A match's source and month, which it is counted by."""
    posts = queries.POSTS
    return posts.c.source_id, month_of(posts.c.published_date, dialect).label("month")


def _count(connection: Connection, newest: Newest) -> Counted:
    """The newest ``COUNTED`` matches counted per source and month by the database, in one
    statement: a search that finds ten thousand posts hands over a few hundred rows, not
    ten thousand. One more is counted, to tell whether there are more; it is the oldest,
    and is taken off its group again. Matches read already with their source and month
    (PostgreSQL, ``newest_matches``) are counted as read, not read again."""
    if newest.read is not None:
        groups = _groups(newest.read[: COUNTED + 1])
    else:
        grouping = _grouping(connection.dialect.name)
        counted = newest.select(*grouping).limit(COUNTED + 1).subquery()
        grouped = (
            select(
                counted.c.source_id,
                counted.c.month,
                func.count().label("found"),
                func.min(counted.c.key).label("oldest"),
                func.max(counted.c.key).label("newest"),
            )
            .group_by(counted.c.source_id, counted.c.month)
            .subquery()
        )
        # The facets' names come with the counts: a few hundred groups, each looked up.
        sources = queries.SOURCES
        statement = select(*grouped.c, sources.c.slug, sources.c.name).select_from(
            grouped.outerjoin(sources, sources.c.id == grouped.c.source_id)
        )
        groups = list(map(_Group._make, connection.execute(statement).all()))
    total = sum(group.found for group in groups)
    floor = None
    if total > COUNTED:
        last = min(groups, key=lambda group: group.oldest)
        floor = last.oldest
        groups[groups.index(last)] = last._replace(found=last.found - 1)
    per_source: Counter[int] = Counter()
    per_month: Counter[str] = Counter()
    named: dict[int, _Named] = {}
    for group in groups:
        if group.source_id is not None:
            per_source[group.source_id] += group.found
            if group.slug is not None and group.name is not None:
                named[group.source_id] = _Named(group.slug, group.name)
        if group.month is not None:
            per_month[group.month] += group.found
    newest_key = max((group.newest for group in groups), default=None)
    return Counted(
        min(total, COUNTED), total <= COUNTED, +per_source, +per_month, named, newest_key, floor
    )


def _groups(rows: Sequence[Row[Any]]) -> list[_Group]:
    """Rows of (key, source, month), newest first, as the counting statement groups them."""
    found: Counter[tuple[int | None, str | None]] = Counter()
    oldest: dict[tuple[int | None, str | None], int] = {}
    newest: dict[tuple[int | None, str | None], int] = {}
    for match in map(_Match._make, rows):
        group = match.source_id, match.month
        found[group] += 1
        oldest[group] = match.key  # the last is the oldest
        newest.setdefault(group, match.key)  # the first the newest
    return [_Group(source_id, month, count, oldest[source_id, month], newest[source_id, month])
            for (source_id, month), count in found.items()]  # fmt: skip


def _facets(connection: Connection, counted: Counted, language: str) -> Facets:
    per_source, per_month = counted.per_source, counted.per_month
    named = counted.named
    unnamed = [source_id for source_id in per_source if source_id not in named]
    if unnamed:  # counted without their names (PostgreSQL: as read with the matches)
        sources = queries.SOURCES
        statement = select(sources.c.id, sources.c.slug, sources.c.name).where(
            one_of(sources.c.id, unnamed, connection.dialect.name)
        )
        named = {
            **named,
            **{row.id: _Named(row.slug, row.name) for row in connection.execute(statement)},
        }
    return Facets(
        sources=sorted(
            (SourceFacet(slug=found.slug, name=found.name, count=per_source[source_id])
             for source_id, found in named.items() if source_id in per_source),
            key=lambda facet: (-facet.count, facet.name),
        ),
        months=[
            month_count(int(month[:4]), int(month[5:7]), count, language)
            for month, count in sorted(per_month.items(), reverse=True)
        ],
    )  # fmt: skip


def _hit(post: hits.PageRow, document: bytes, score: int, query: Query) -> hits.Hit:
    highlights = Highlights(
        title=highlight(post.title, query, post.language),
        body=snippet(plain_text(post.body_html, SNIPPET_SOURCE), query, post.language),
    )
    return hits.hit(document, post, score, highlights)
