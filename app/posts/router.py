from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from app.auth.dependencies import CurrentViewer, OptionalViewer
from app.core.clients import client_key
from app.core.deps import ETAG_HEADER, DatabaseDep, IfMatch, SettingsDep, set_etag
from app.core.errors import BulkProblem, error_responses
from app.core.pagination import PageQuery, set_cursor_headers, set_page_headers
from app.core.text import SlugRef
from app.derived.versions import FIRST_VERSION
from app.posts import bulk, service, trash
from app.posts.cursor import CursorQuery, post_cursor_key
from app.posts.fields import FieldsQuery, Narrowable
from app.posts.schemas import (
    BulkRequest,
    BulkResult,
    Likes,
    PostCreate,
    PostCreated,
    PostFilters,
    PostPage,
    PostPublic,
    PostUpdate,
)

router = APIRouter(prefix="/posts", tags=["posts"])
IdOrSlug = Annotated[SlugRef, Path(description="A post's id or slug.")]
PAGE_HEADERS = {
    "X-Total-Count": {"description": "Items over all pages.", "schema": {"type": "integer"}},
    "Link": {
        "description": "RFC 8288 links: first, prev, next, last; on a page reached by "
        "cursor, first and the next page's cursor as next.",
        "schema": {"type": "string"},
    },
}


@router.get(
    "",
    response_model=PostPage,
    responses={200: {"headers": PAGE_HEADERS}, **error_responses(401, 422)},
)
async def list_posts(
    request: Request,
    response: Response,
    database: DatabaseDep,
    settings: SettingsDep,
    viewer: OptionalViewer,
    paging: PageQuery,
    filters: Annotated[PostFilters, Query()],
    fields: FieldsQuery,
    cursor: CursorQuery = None,
) -> Narrowable:
    """Posts, newest first; published ones unless status asks for others (which needs a
    token: authors see their own, editors all). Page by number (page), or by cursor: each
    page's next_cursor (null on the last page) is where the next one starts; a cursor
    changed by hand, made for another sort, or given with page is refused (422). fields
    narrows each post to the fields it names."""
    page = await database.read(
        service.list_posts,
        viewer=viewer,
        filters=filters,
        paging=paging,
        zone=settings.zone,
        languages=settings.search_languages,
        cursor=cursor,
        cursor_key=await post_cursor_key(request),
    )
    # A narrowed page is written here, and its headers set on what is sent.
    narrowed = None if fields is None else fields.narrow_items(page)
    sent = response if narrowed is None else narrowed
    if page.page is None:
        set_cursor_headers(request, sent, total=page.total, next_cursor=page.next_cursor)
    else:
        set_page_headers(request, sent, total=page.total, page=page.page, per_page=page.per_page)
    return page if narrowed is None else narrowed


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PostCreated,
    responses={201: {"headers": ETAG_HEADER}, **error_responses(401, 403, 409, 422)},
)
async def create_post(
    response: Response,
    database: DatabaseDep,
    settings: SettingsDep,
    viewer: CurrentViewer,
    data: PostCreate,
) -> PostCreated:
    """Write a post; authors write drafts and pending posts (403 for any other status),
    editors may publish or schedule (published with a future published_at is stored as
    scheduled). Without a source_id the source is recognised from the title and
    original_url, as imports do. Without a language, it is detected from the title and
    body among the site's search languages (the site language when too short to tell). A
    slug taken, even by a trashed post: 409. The ETag is the new post's version."""
    set_etag(response, FIRST_VERSION)
    return await database.write(
        service.create_post,
        viewer=viewer,
        data=data.detecting(settings.search_languages),
        zone=settings.zone,
        language=settings.language,
    )


@router.post(
    "/bulk",
    response_model=BulkResult,
    responses={
        **error_responses(401, 403, 422, 428),
        409: {
            "description": "Posts named cannot be done as asked, each listed in refused with "
            "the status its own request would get (403, 404, 409, 412, 422) and why: nothing "
            "was changed.",
            "model": BulkProblem,
        },
    },
)
async def bulk_change(
    database: DatabaseDep, settings: SettingsDep, viewer: CurrentViewer, request: BulkRequest
) -> BulkResult:
    """One action on up to 100 posts, all or nothing: publish, unpublish, schedule (with
    published_at), trash, restore, retag (add_tags, remove_tags). Each post is checked as
    its own request would be (it exists for the caller, the caller may do this, its ETag
    in if_match still holds); one refusal refuses all (409, every refused post named) and
    changes nothing. An action the caller may not take at all (an author publishing) is
    403. Each post changed is in the audit log."""
    return await database.write(
        bulk.bulk_change,
        viewer=viewer,
        request=request,
        zone=settings.zone,
        require_if_match=settings.require_if_match,
    )


@router.get(
    "/{id_or_slug}",
    response_model=PostPublic,
    responses={200: {"headers": ETAG_HEADER}, **error_responses(401, 404)},
)
async def get_post(
    response: Response,
    database: DatabaseDep,
    settings: SettingsDep,
    viewer: OptionalViewer,
    id_or_slug: IdOrSlug,
    fields: FieldsQuery,
) -> Narrowable:
    """One post by id or slug. Anonymous callers read published posts only (any other is
    404); authors also their own, editors every post. With a token, the ETag is the post's
    version, for If-Match. fields narrows the post to the fields it names; a narrowed read's
    ETag is of its bytes, for If-None-Match only (a write's If-Match needs a full read's)."""
    if viewer is None:
        post = await database.read(
            service.get_post, viewer=viewer, id_or_slug=id_or_slug, zone=settings.zone
        )
        return post if fields is None else fields.narrow_post(post)
    post, version = await database.read(
        service.get_versioned_post, viewer=viewer, id_or_slug=id_or_slug, zone=settings.zone
    )
    if fields is not None:
        # Another representation than the full one: the version is no ETag of it, or a
        # revalidation of the full post would be answered 304 for a narrowed one.
        return fields.narrow_post(post)
    set_etag(response, version)
    return post


@router.patch(
    "/{id_or_slug}",
    response_model=PostPublic,
    responses={
        200: {"headers": ETAG_HEADER},
        **error_responses(401, 403, 404, 409, 412, 422, 428),
    },
)
async def update_post(
    response: Response,
    database: DatabaseDep,
    settings: SettingsDep,
    viewer: CurrentViewer,
    id_or_slug: IdOrSlug,
    data: PostUpdate,
    precondition: IfMatch,
) -> PostPublic:
    """Change some fields of a post, found by id or slug; status changes it (publish,
    schedule, unpublish = draft). Authors change only their own drafts and pending posts,
    into drafts or pending (handing in for review); a scheduled or published post is 403 to
    them. A trashed post: 409 (restore it first). With If-Match, only if the post is still
    at that version (else 412 with the current one); the ETag is the new version."""
    post, version = await database.write(
        service.update_post,
        viewer=viewer,
        id_or_slug=id_or_slug,
        data=data,
        zone=settings.zone,
        precondition=precondition,
    )
    set_etag(response, version)
    return post


@router.delete(
    "/{id_or_slug}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        204: {"headers": ETAG_HEADER},
        **error_responses(401, 403, 404, 409, 412, 422, 428),
    },
)
async def delete_post(
    response: Response,
    database: DatabaseDep,
    settings: SettingsDep,
    viewer: CurrentViewer,
    id_or_slug: IdOrSlug,
    precondition: IfMatch,
    purge: Annotated[
        bool,
        Query(
            description="Delete the post for good, with its likes, tag links and revisions "
            "(editors and admins only; 403 for authors), instead of moving it to the trash."
        ),
    ] = False,
) -> None:
    """Move a post, found by id or slug, to the trash: it leaves every public view at once,
    keeps its slug, and comes back by POST /posts/{id}/restore; the ETag is its version in
    the trash. Authors trash their own drafts and pending posts. A post already in the
    trash: 409 (purge=true deletes it). The worker empties posts trashed longer than
    PRESSESCHAU_TRASH_DAYS. With If-Match, only if the post is still at that version (else
    412 with the current one)."""
    if purge:
        await database.write(
            trash.purge_post,
            viewer=viewer,
            id_or_slug=id_or_slug,
            zone=settings.zone,
            precondition=precondition,
        )
        return
    version = await database.write(
        trash.trash_post,
        viewer=viewer,
        id_or_slug=id_or_slug,
        zone=settings.zone,
        precondition=precondition,
    )
    set_etag(response, version)


@router.post(
    "/{id_or_slug}/restore",
    response_model=PostPublic,
    responses={
        200: {"headers": ETAG_HEADER},
        **error_responses(401, 403, 404, 409, 412, 428),
    },
)
async def restore_post(
    response: Response,
    database: DatabaseDep,
    settings: SettingsDep,
    viewer: CurrentViewer,
    id_or_slug: IdOrSlug,
    precondition: IfMatch,
) -> PostPublic:
    """Bring a post back from the trash to the status it had: a scheduled post whose time
    has passed meanwhile comes back published. Authors restore their own drafts and pending
    posts. A post not in the trash: 409. With If-Match, only if the post is still at that
    version (else 412 with the current one); the ETag is the new version."""
    post, version = await database.write(
        trash.restore_post,
        viewer=viewer,
        id_or_slug=id_or_slug,
        zone=settings.zone,
        precondition=precondition,
    )
    set_etag(response, version)
    return post


@router.post("/{id_or_slug}/likes", response_model=Likes, responses=error_responses(404, 422))
async def like_post(
    request: Request, database: DatabaseDep, settings: SettingsDep, id_or_slug: IdOrSlug
) -> Likes:
    """Like a published post, found by id or slug; anyone may, and one like per client and
    day counts."""
    likes = await database.write(
        service.like_post,
        id_or_slug=id_or_slug,
        client=await client_key(request),
        zone=settings.zone,
    )
    return Likes(likes=likes)
