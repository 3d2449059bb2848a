from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.auth.dependencies import EditorViewer, OptionalViewer
from app.core.deps import DatabaseDep
from app.core.errors import error_responses
from app.core.pagination import Page, PageQuery, set_page_headers
from app.tags import service
from app.tags.schemas import TAG_SLUG_MAX, TAG_SLUG_PATTERN, TagMerge, TagPublic, TagSort, TagUpdate

router = APIRouter(prefix="/tags", tags=["tags"])
TagSlugPath = Annotated[
    str,
    Path(
        min_length=1, max_length=TAG_SLUG_MAX, pattern=TAG_SLUG_PATTERN, description="A tag's slug."
    ),
]
SortQuery = Annotated[
    TagSort,
    Query(description="-count: most published posts first, ties by name; name: by name."),
]


@router.get("", response_model=Page[TagPublic], responses=error_responses(422))
async def list_tags(
    request: Request,
    response: Response,
    database: DatabaseDep,
    viewer: OptionalViewer,
    paging: PageQuery,
    sort: SortQuery = TagSort.by_count,
) -> Page[TagPublic]:
    """Tags with the number of published posts carrying each: those some published post
    carries, or (editors) every tag."""
    everyone = viewer is not None and viewer.is_editor
    page = await database.read(service.list_tags, paging=paging, sort=sort, everyone=everyone)
    set_page_headers(request, response, total=page.total, page=page.page, per_page=page.per_page)
    return page


@router.get("/{slug}", response_model=TagPublic, responses=error_responses(401, 404))
async def get_tag(database: DatabaseDep, viewer: OptionalViewer, slug: TagSlugPath) -> TagPublic:
    """One tag with its count; one no published post carries only for editors."""
    everyone = viewer is not None and viewer.is_editor
    return await database.read(service.get_tag, slug=slug, everyone=everyone)


@router.patch(
    "/{slug}", response_model=TagPublic, responses=error_responses(401, 403, 404, 409, 422)
)
async def rename_tag(
    database: DatabaseDep, _viewer: EditorViewer, slug: TagSlugPath, data: TagUpdate
) -> TagPublic:
    """Rename a tag (editors); its slug follows the name. Every post carrying it shows the new
    name, with a revision and a post.updated event. A name whose slug another tag has is
    409: merge the tag into that one instead."""
    return await database.write(service.rename_tag, slug=slug, data=data)


@router.post(
    "/{slug}/merge", response_model=TagPublic, responses=error_responses(401, 403, 404, 422)
)
async def merge_tag(
    database: DatabaseDep, _viewer: EditorViewer, slug: TagSlugPath, data: TagMerge
) -> TagPublic:
    """Merge a tag into another (editors): its posts carry that one instead, and it is
    deleted. Answers the tag merged into."""
    return await database.write(service.merge_tag, slug=slug, data=data)
