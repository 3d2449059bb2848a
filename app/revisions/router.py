from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.auth.dependencies import CurrentViewer
from app.core.deps import ETAG_HEADER, DatabaseDep, IfMatch, SettingsDep, set_etag
from app.core.errors import error_responses
from app.core.pagination import Page, PageQuery, set_page_headers
from app.core.text import MAX_ID, SlugRef
from app.posts.router import PAGE_HEADERS
from app.posts.schemas import PostPublic
from app.revisions import service
from app.revisions.schemas import RevisionDetail, RevisionSummary

router = APIRouter(prefix="/posts/{id_or_slug}/revisions", tags=["revisions"])
IdOrSlug = Annotated[SlugRef, Path(description="A post's id or slug.")]
Number = Annotated[int, Path(ge=1, le=MAX_ID, description="The revision's number, from 1.")]


@router.get(
    "",
    response_model=Page[RevisionSummary],
    responses={200: {"headers": PAGE_HEADERS}, **error_responses(401, 403, 404, 422)},
)
async def list_revisions(
    request: Request,
    response: Response,
    database: DatabaseDep,
    viewer: CurrentViewer,
    id_or_slug: IdOrSlug,
    paging: PageQuery,
) -> Page[RevisionSummary]:
    """A post's revisions, newest first: who changed which fields when, without the
    content. Editors read any post's, authors their own posts'."""
    page = await database.read(
        service.list_revisions, viewer=viewer, id_or_slug=id_or_slug, paging=paging
    )
    set_page_headers(request, response, total=page.total, page=page.page, per_page=page.per_page)
    return page


@router.get(
    "/{number}", response_model=RevisionDetail, responses=error_responses(401, 403, 404, 422)
)
async def get_revision(
    database: DatabaseDep, viewer: CurrentViewer, id_or_slug: IdOrSlug, number: Number
) -> RevisionDetail:
    """One revision: the post's content then, the fields that changed from the revision
    before with both values, and the body's line diff as hunks of kept, removed and added
    lines. The diff's cost is bounded: bodies shaped to make an exact diff costly get part
    of it shown as replaced whole (``minimal: false``)."""
    return await database.read(
        service.get_revision, viewer=viewer, id_or_slug=id_or_slug, number=number
    )


@router.post(
    "/{number}/restore",
    response_model=PostPublic,
    responses={
        200: {"headers": ETAG_HEADER},
        **error_responses(401, 403, 404, 409, 412, 422, 428),
    },
)
async def restore_revision(
    response: Response,
    database: DatabaseDep,
    settings: SettingsDep,
    viewer: CurrentViewer,
    id_or_slug: IdOrSlug,
    number: Number,
    precondition: IfMatch,
) -> PostPublic:
    """Put a revision's content back: title, body, excerpt, slug, source, original URL,
    credit, language and tags. Not its status or publication time: restoring old text never
    publishes, unpublishes or reschedules a post. It is an edit like a PATCH (authors only
    their own drafts) and so itself a new revision; answers the post. 409 when the slug is
    another post's now, or the source is gone; with If-Match, only if the post is still at
    that version (else 412)."""
    restoring = await database.read(
        service.restoration, viewer=viewer, id_or_slug=id_or_slug, number=number
    )
    post, version = await database.write(
        service.restore_revision,
        viewer=viewer,
        restoring=restoring,
        data=restoring.data,
        zone=settings.zone,
        precondition=precondition,
    )
    set_etag(response, version)
    return post
