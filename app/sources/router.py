from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from app.auth.dependencies import EditorViewer, OptionalViewer
from app.core.deps import ETAG_HEADER, DatabaseDep, IfMatch, set_etag
from app.core.errors import error_responses
from app.core.pagination import Page, PageQuery, set_page_headers
from app.core.text import SlugRef
from app.derived.versions import FIRST_VERSION
from app.sources import service
from app.sources.schemas import (
    SourceCreate,
    SourceMatchPublic,
    SourceMatchRequest,
    SourcePublic,
    SourceUpdate,
)

router = APIRouter(prefix="/sources", tags=["sources"])
IdOrSlug = Annotated[SlugRef, Path(description="A source's id or slug.")]


@router.get("", response_model=Page[SourcePublic], responses=error_responses(422))
async def list_sources(
    request: Request, response: Response, database: DatabaseDep, paging: PageQuery
) -> Page[SourcePublic]:
    """All sources, by name."""
    page = await database.read(service.list_sources, paging=paging)
    set_page_headers(request, response, total=page.total, page=page.page, per_page=page.per_page)
    return page


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SourcePublic,
    responses={201: {"headers": ETAG_HEADER}, **error_responses(401, 403, 409, 422)},
)
async def create_source(
    response: Response, database: DatabaseDep, _viewer: EditorViewer, data: SourceCreate
) -> SourcePublic:
    """Add a source (editors). The ETag is the new source's version."""
    set_etag(response, FIRST_VERSION)
    return await database.write(service.create_source, data=data)


@router.post("/match", response_model=SourceMatchPublic, responses=error_responses(401, 403, 422))
async def match_source(
    database: DatabaseDep, _viewer: EditorViewer, data: SourceMatchRequest
) -> SourceMatchPublic:
    """Recognise the source a post's title or original URL names (editors)."""
    match = await database.read(service.match_source, data=data)
    return SourceMatchPublic.model_validate(match, from_attributes=True)


@router.get(
    "/{id_or_slug}",
    response_model=SourcePublic,
    responses={200: {"headers": ETAG_HEADER}, **error_responses(401, 404)},
)
async def get_source(
    response: Response, database: DatabaseDep, viewer: OptionalViewer, id_or_slug: IdOrSlug
) -> SourcePublic:
    """One source by id or slug. With a token, the ETag is the source's version, for
    If-Match."""
    if viewer is None:
        return await database.read(service.get_source, id_or_slug=id_or_slug)
    source, version = await database.read(service.get_versioned_source, id_or_slug=id_or_slug)
    set_etag(response, version)
    return source


@router.patch(
    "/{id_or_slug}",
    response_model=SourcePublic,
    responses={
        200: {"headers": ETAG_HEADER},
        **error_responses(401, 403, 404, 409, 412, 422, 428),
    },
)
async def update_source(
    response: Response,
    database: DatabaseDep,
    _viewer: EditorViewer,
    id_or_slug: IdOrSlug,
    data: SourceUpdate,
    precondition: IfMatch,
) -> SourcePublic:
    """Change some fields of a source (editors); domains replace the whole list. With
    If-Match, only if the source is still at that version (else 412 with the current one);
    the ETag is the new version."""
    source, version = await database.write(
        service.update_source, id_or_slug=id_or_slug, data=data, precondition=precondition
    )
    set_etag(response, version)
    return source


@router.delete(
    "/{id_or_slug}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409, 412, 428),
)
async def delete_source(
    database: DatabaseDep, _viewer: EditorViewer, id_or_slug: IdOrSlug, precondition: IfMatch
) -> None:
    """Delete a source that has no posts (editors). With If-Match, only if the source is
    still at that version (else 412 with the current one)."""
    await database.write(service.delete_source, id_or_slug=id_or_slug, precondition=precondition)
