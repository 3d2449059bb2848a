"""Preview links: issued to a post's writers, read by anyone holding one, without a token."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, Response

from app.auth.dependencies import CurrentViewer
from app.core.deps import DatabaseDep, SettingsDep
from app.core.errors import error_responses
from app.core.text import MAX_ID, SlugRef
from app.core.types import utcnow
from app.posts.schemas import PostPublic
from app.previews import links, service
from app.previews.links import MAX_EXPIRES, PreviewLinks
from app.previews.schemas import PreviewLink, PreviewLinkRequest

router = APIRouter(prefix="/posts", tags=["posts"])
IdOrSlug = Annotated[SlugRef, Path(description="A post's id or slug.")]
# A preview is for the frontend that asked for it: never kept by a cache (this API's own
# included, see app.caching), never indexed.
PREVIEW_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def _links(request: Request) -> PreviewLinks:
    found: PreviewLinks = request.app.state.preview_links
    return found


@router.post(
    "/{id_or_slug}/preview-link",
    response_model=PreviewLink,
    responses=error_responses(401, 403, 404, 422),
)
async def create_preview_link(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    viewer: CurrentViewer,
    id_or_slug: IdOrSlug,
    data: Annotated[PreviewLinkRequest | None, Body()] = None,
) -> PreviewLink:
    """A link that reads this post as it is, whatever its status, without a token, until it
    expires: for a frontend's draft mode, or to show a draft to someone without an account.

    Issued to whoever may read the post with a full token: its author, editors and admins.
    Preview tokens cannot issue links (403): a link outlives the token, so a leaked preview
    token revoked would leave its links working. A link cannot be revoked; it lives
    `expires_in` seconds (at most and by default PRESSESCHAU_PREVIEW_LINK_SECONDS). Each
    issue is recorded in the audit log (`post.preview_link_issued`)."""
    expires = links.expiry(
        utcnow(),
        asked=data.expires_in if data is not None else None,
        longest=settings.preview_link_seconds,
    )
    expires_at = links.expires_at(expires)
    post_id = await database.write(
        service.issue_link, viewer=viewer, id_or_slug=id_or_slug, expires_at=expires_at
    )
    signature = await _links(request).sign(post_id, expires)
    url = request.url_for("preview_post", post_id=post_id).include_query_params(
        expires=expires, signature=signature
    )
    return PreviewLink(url=str(url), expires_at=expires_at)


@router.get(
    "/{post_id}/preview",
    name="preview_post",
    response_model=PostPublic,
    responses={
        200: {
            "headers": {
                name: {"description": "Always this value.", "schema": {"type": "string"}}
                for name in PREVIEW_HEADERS
            }
        },
        **error_responses(403, 404, 410, 422),
    },
)
async def preview_post(
    request: Request,
    response: Response,
    database: DatabaseDep,
    settings: SettingsDep,
    post_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    expires: Annotated[int, Query(ge=0, le=MAX_EXPIRES, description="From the link.")],
    signature: Annotated[str, Query(max_length=128, description="From the link.")],
) -> PostPublic:
    """The post of a preview link, as it is now (its latest edits, its status shown), with no
    token needed: what POST /posts/{id_or_slug}/preview-link answered with.

    A link whose signature does not match its post and expiry is refused (403) before
    anything is read; an expired one is 410; a post deleted since is 404. The answer is
    never cached (`Cache-Control: no-store`) nor indexed (`X-Robots-Tag: noindex`)."""
    await _links(request).check(post_id=post_id, expires=expires, given=signature, now=utcnow())
    post = await database.read(service.preview_post, post_id=post_id, zone=settings.zone)
    response.headers.update(PREVIEW_HEADERS)
    return post
