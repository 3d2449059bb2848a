from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.auth.dependencies import OptionalViewer
from app.core.deps import DatabaseDep, SettingsDep
from app.core.errors import error_responses
from app.core.pagination import PageQuery, set_cursor_headers, set_page_headers
from app.posts.fields import FieldsQuery
from app.posts.router import PAGE_HEADERS
from app.search import service
from app.search.cursor import SearchCursorQuery, search_cursor_key
from app.search.schemas import SearchFilters, SearchPage

router = APIRouter(prefix="/search", tags=["search"])


@router.get(
    "",
    response_model=SearchPage,
    responses={200: {"headers": PAGE_HEADERS}, **error_responses(401, 422)},
)
async def search(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    viewer: OptionalViewer,
    paging: PageQuery,
    filters: Annotated[SearchFilters, Query()],
    fields: FieldsQuery,
    cursor: SearchCursorQuery = None,
) -> Response:
    """Posts matching q, best first (or newest first with sort=-published_at), each with its
    score and highlights; with counts per source and per month for the whole result, and a
    corrected query when little is found. Takes every filter /posts takes; published posts
    only unless status asks for others (with a token). Words are matched in any form and
    language the site searches (PRESSESCHAU_SEARCH_LANGUAGES). Posts just written are found
    once the worker has indexed them, within a second or so; until then by nothing. Page by
    number (page), or by cursor: each page's next_cursor (null on the last page) is where
    the next one starts, however many posts are added or removed meanwhile; a cursor changed
    by hand, made for another q, filters or sort, or given with page is refused (422).
    fields narrows each post to the fields it names; score and highlights are always kept."""
    found = await database.read(
        service.search,
        viewer=viewer,
        filters=filters,
        paging=paging,
        zone=settings.zone,
        languages=settings.search_languages,
        site_language=settings.language,
        cursor=cursor,
        cursor_key=await search_cursor_key(request),
        fields=fields,
    )
    # The page's JSON was made where it was found, off the event loop (app.search.hits).
    answer = Response(found.body, media_type="application/json")
    if found.page is None:
        set_cursor_headers(request, answer, total=found.total, next_cursor=found.next_cursor)
    else:
        set_page_headers(
            request, answer, total=found.total, page=found.page, per_page=found.per_page
        )
    return answer
