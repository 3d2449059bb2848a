from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from app.auth.dependencies import EditorViewer
from app.core.deps import DatabaseDep
from app.core.errors import error_responses
from app.core.pagination import Page, PageQuery, set_page_headers
from app.core.text import SlugRef
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
    responses=error_responses(401, 403, 409, 422),
)
async def create_source(
    database: DatabaseDep, _viewer: EditorViewer, data: SourceCreate
) -> SourcePublic:
    """Add a source (editors)."""
    return await database.write(service.create_source, data=data)


@router.post("/match", response_model=SourceMatchPublic, responses=error_responses(401, 403, 422))
async def match_source(
    database: DatabaseDep, _viewer: EditorViewer, data: SourceMatchRequest
) -> SourceMatchPublic:
    """Recognise the source a post's title or original URL names (editors)."""
    match = await database.read(service.match_source, data=data)
    return SourceMatchPublic.model_validate(match, from_attributes=True)


@router.get("/{id_or_slug}", response_model=SourcePublic, responses=error_responses(404))
async def get_source(database: DatabaseDep, id_or_slug: IdOrSlug) -> SourcePublic:
    """One source by id or slug."""
    return await database.read(service.get_source, id_or_slug=id_or_slug)


@router.patch(
    "/{id_or_slug}",
    response_model=SourcePublic,
    responses=error_responses(401, 403, 404, 409, 422),
)
async def update_source(
    database: DatabaseDep, _viewer: EditorViewer, id_or_slug: IdOrSlug, data: SourceUpdate
) -> SourcePublic:
    """Change some fields of a source (editors); domains replace the whole list."""
    return await database.write(service.update_source, id_or_slug=id_or_slug, data=data)


@router.delete(
    "/{id_or_slug}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409),
)
async def delete_source(database: DatabaseDep, _viewer: EditorViewer, id_or_slug: IdOrSlug) -> None:
    """Delete a source that has no posts (editors)."""
    await database.write(service.delete_source, id_or_slug=id_or_slug)
