from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.archives import service
from app.archives.schemas import ArchiveIndex, DayArchive, MonthArchive
from app.core.config import Settings
from app.core.deps import DatabaseDep, SettingsDep
from app.core.errors import error_responses
from app.core.pagination import PageQuery, set_cursor_headers, set_page_headers
from app.core.text import SlugRef
from app.posts.cursor import CursorQuery, post_cursor_key
from app.posts.fields import FieldsQuery, Narrowable
from app.search.terms import QUERY_HELP, QueryText

router = APIRouter(prefix="/archives", tags=["archives"])
Year = Annotated[int, Path(ge=1, le=9999, description="Four-digit year.")]
Month = Annotated[int, Path(ge=1, le=12)]
Day = Annotated[int, Path(ge=1, le=31)]
SourceFilter = Annotated[
    SlugRef | None, Query(description="Narrow counts and posts to one source (slug).")
]
SearchFilter = Annotated[
    QueryText | None,
    Query(description=f"Narrow counts and posts to those a search matches. {QUERY_HELP}"),
]


def _search(q: str | None, settings: Settings) -> service.Search | None:
    return service.Search(q, settings.search_languages) if q else None


@router.get("", response_model=ArchiveIndex, responses=error_responses(422))
async def archive_index(
    database: DatabaseDep, settings: SettingsDep, source: SourceFilter = None
) -> ArchiveIndex:
    """Years and months that have posts, with counts, newest first."""
    return await database.read(service.archive_index, source=source, language=settings.language)


@router.get("/{year}/{month}", response_model=MonthArchive, responses=error_responses(422))
async def month_archive(
    database: DatabaseDep,
    settings: SettingsDep,
    year: Year,
    month: Month,
    source: SourceFilter = None,
    q: SearchFilter = None,
) -> MonthArchive:
    """One month: its days with posts, and the neighbouring months that have posts."""
    return await database.read(
        service.month_archive,
        year=year,
        month=month,
        source=source,
        language=settings.language,
        search=_search(q, settings),
    )


@router.get("/{year}/{month}/{day}", response_model=DayArchive, responses=error_responses(422))
async def day_archive(
    request: Request,
    response: Response,
    database: DatabaseDep,
    settings: SettingsDep,
    year: Year,
    month: Month,
    day: Day,
    paging: PageQuery,
    fields: FieldsQuery,
    source: SourceFilter = None,
    q: SearchFilter = None,
    cursor: CursorQuery = None,
) -> Narrowable:
    """One site-local day's published posts, newest first, with the nearest days around it.
    Page by number (page), or by cursor: each page's next_cursor (null on the last page) is
    where the next one starts; a cursor changed by hand, or given with page, is refused
    (422). fields narrows each post to the fields it names."""
    archive = await database.read(
        service.day_archive,
        day=service.parse_day(year, month, day),
        source=source,
        paging=paging,
        zone=settings.zone,
        language=settings.language,
        search=_search(q, settings),
        cursor=cursor,
        cursor_key=await post_cursor_key(request),
    )
    # A narrowed day is written here, and its headers set on what is sent.
    narrowed = None if fields is None else fields.narrow_items(archive)
    sent = response if narrowed is None else narrowed
    if archive.page is None:
        set_cursor_headers(request, sent, total=archive.count, next_cursor=archive.next_cursor)
    else:
        set_page_headers(
            request, sent, total=archive.count, page=archive.page, per_page=archive.per_page
        )
    return archive if narrowed is None else narrowed
