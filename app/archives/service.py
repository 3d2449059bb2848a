"""Day, month and year archives, by the site's local days."""

import calendar
import datetime as dt
from collections.abc import Hashable, Sequence
from functools import lru_cache, partial
from typing import NamedTuple
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton
from sqlalchemy import ColumnElement, Select, extract, func, select
from sqlmodel import Session, col

from app.archives.schemas import (
    ArchiveIndex,
    DayArchive,
    DayCount,
    MonthArchive,
    MonthCount,
    YearArchive,
)
from app.core.errors import InvalidInput
from app.core.pagination import PageParams
from app.derived.memo import memo_for
from app.posts import cursor as post_cursor
from app.posts import queries
from app.posts.listing import listed_page
from app.posts.models import Post
from app.posts.schemas import PostSort
from app.posts.service import public_list_key
from app.posts.visibility import published
from app.search.matching import matching_posts

DAY = col(Post.published_date)


class Search(NamedTuple):
    """A query that narrows an archive to the posts it matches, and the languages it is
    read in."""

    q: str
    languages: Sequence[str]


def _scope(
    session: Session, source: str | None, search: Search | None = None
) -> list[ColumnElement[bool]]:
    where = [published()]
    sources: list[int] = []
    if source:
        sources = queries.source_ids(session, [source])
        where.append(queries.in_sources(sources))
    if search is not None:
        # The source's token narrows the matches in the index; the posts' source_id decides.
        where.append(matching_posts(session, search.q, search.languages, sources))
    return where


@lru_cache(maxsize=4096)
def month_label(year: int, month: int, language: str) -> str:
    return format_skeleton("yMMMM", dt.date(year, month, 1), locale=language)


def month_count(year: int, month: int, count: int, language: str) -> MonthCount:
    """A month with its label in ``language`` and its count (of posts, or of matches)."""
    return MonthCount(year=year, month=month, label=month_label(year, month, language), count=count)


@lru_cache(maxsize=4096)
def day_label(day: dt.date, language: str) -> str:
    return format_date(day, format="long", locale=language)


def _last_of_month(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def archive_index(session: Session, *, source: str | None, language: str) -> ArchiveIndex:
    # Grouping every public post by month reads them all: kept per content version.
    return memo_for(session).get(
        session,
        ("archive_index", source, language),
        partial(_archive_index, session, source=source, language=language),
    )


def _archive_index(session: Session, *, source: str | None, language: str) -> ArchiveIndex:
    year, month = extract("year", DAY), extract("month", DAY)
    rows = session.execute(
        select(year, month, func.count())
        .where(*_scope(session, source))
        .group_by(year, month)
        .order_by(year.desc(), month.desc())
    ).all()
    years: list[YearArchive] = []
    for raw_year, raw_month, count in rows:
        # PostgreSQL's EXTRACT returns numerics; SQLite's strftime cast returns integers.
        row_year, row_month = int(raw_year), int(raw_month)
        if not years or years[-1].year != row_year:
            years.append(YearArchive(year=row_year, count=0, months=[]))
        years[-1].count += count
        years[-1].months.append(month_count(row_year, row_month, count, language))
    return ArchiveIndex(years=years)


def _month_count(
    session: Session, where: Sequence[ColumnElement[bool]], day: dt.date | None, language: str
) -> MonthCount | None:
    if day is None:
        return None
    first = day.replace(day=1)
    count = session.scalar(
        select(func.count())
        .select_from(Post)
        .where(*where, first <= DAY, _last_of_month(first) >= DAY)
    )
    return month_count(first.year, first.month, count or 0, language)


def month_archive(
    session: Session,
    *,
    year: int,
    month: int,
    source: str | None,
    language: str,
    search: Search | None = None,
) -> MonthArchive:
    first = dt.date(year, month, 1)
    last = _last_of_month(first)
    where = _scope(session, source, search)
    days = [
        DayCount(date=day, count=count)
        for day, count in session.execute(
            select(DAY, func.count())
            .where(*where, first <= DAY, last >= DAY)
            .group_by(DAY)
            .order_by(DAY)
        )
    ]
    before_day = session.scalar(select(func.max(DAY)).where(*where, first > DAY))
    after_day = session.scalar(select(func.min(DAY)).where(*where, last < DAY))
    return MonthArchive(
        year=year,
        month=month,
        label=month_label(year, month, language),
        count=sum(day.count for day in days),
        days=days,
        previous=_month_count(session, where, before_day, language),
        next=_month_count(session, where, after_day, language),
    )


class NeighbourDay(NamedTuple):
    """A row of ``neighbour_statement``: a day with posts and how many."""

    day: dt.date
    posts: int


def neighbour_statement(
    where: Sequence[ColumnElement[bool]], day: dt.date | ColumnElement[dt.date], *, later: bool
) -> Select[dt.date | None, int]:
    """The nearest later (or earlier) day than ``day`` with posts, and its count."""
    nearest = (
        select(func.min(DAY)).where(*where, day < DAY)
        if later
        else select(func.max(DAY)).where(*where, day > DAY)
    ).scalar_subquery()
    return (
        select(DAY.label("day"), func.count().label("posts"))
        .where(*where, nearest == DAY)
        .group_by(DAY)
    )


def _neighbour(
    session: Session, where: Sequence[ColumnElement[bool]], day: dt.date, *, later: bool
) -> DayCount | None:
    row = session.execute(neighbour_statement(where, day, later=later)).first()
    if row is None:
        return None
    neighbour = NeighbourDay._make(row)
    return DayCount(date=neighbour.day, count=neighbour.posts)


def day_count_key(source: str | None, day: dt.date, q: str | None = None) -> Hashable:
    """What identifies a day's public posts (those ``q`` matches): their count is kept under
    this key, the same as a list of that day's posts."""
    return public_list_key(sources=() if source is None else (source,), day=day, q=q)


def parse_day(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise InvalidInput(f"{year:04d}-{month:02d}-{day:02d} is not a date: {exc}.") from exc


def day_archive(
    session: Session,
    *,
    day: dt.date,
    source: str | None,
    paging: PageParams,
    zone: ZoneInfo,
    language: str,
    search: Search | None = None,
    cursor: str | None = None,
    cursor_key: bytes,
) -> DayArchive:
    """A page of the day's posts by number, or with ``cursor`` the page after it; every page
    with the cursor of the next, sealed with ``cursor_key``."""
    after = post_cursor.starting_after(cursor, PostSort.newest, cursor_key, paging)
    where = _scope(session, source, search)
    on_day = [*where, col(Post.published_date) == day]
    public_key = day_count_key(source, day, search.q if search else None)
    total = queries.total_of(session, on_day, public_key=public_key)
    page = listed_page(
        session, where=on_day, order=queries.sort_order(PostSort.newest, may_include_drafts=False),
        sort=PostSort.newest, paging=paging, after=after, may_include_drafts=False, total=total,
        zone=zone,
    )  # fmt: skip
    return DayArchive(
        date=day,
        label=day_label(day, language),
        count=total,
        items=page.items,
        page=None if after is not None else paging.page,
        per_page=paging.per_page,
        next_cursor=None
        if page.following is None
        else post_cursor.encode(page.following, cursor_key),
        previous=_neighbour(session, where, day, later=False),
        next=_neighbour(session, where, day, later=True),
    )
