"""GET (and HEAD) /feeds/posts.rss, .atom and .json: HTTP only; app.feeds.service reads and
renders. Responses are sized, public and uncached here, so the response cache and its
validators (ETag, 304, Last-Modified) treat them as every other read."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from app.core.config import Settings
from app.core.deps import DatabaseDep, SettingsDep
from app.core.errors import error_responses
from app.core.links import LINK_PLACEHOLDERS, PostLinks
from app.feeds.schemas import MEDIA_TYPES, FeedFilters, FeedFormat, FeedSize
from app.feeds.service import FeedSite, render_feed

router = APIRouter(prefix="/feeds", tags=["feeds"])

_ABOUT = (
    "The newest published posts (per_page of them, 20 by default), newest first by "
    "published_at, for the whole site or for any filter /posts takes, checked as there (a "
    "bad one is the same 422). Published posts only, whatever token is sent. Each item has "
    "the post's full HTML (with a closing line naming its source, linked to the original "
    "article, and its credit), its summary, author, tags as categories, and an absolute "
    "link made from PRESSESCHAU_POST_LINK_TEMPLATE ("
    + ", ".join("{" + name + "}: " + meaning for name, meaning in LINK_PLACEHOLDERS.items())
    + ") with {public_url} from PRESSESCHAU_PUBLIC_URL, or the base URL of the request when "
    "that is unset. Item ids are tag URIs of the post's id, unchanged by a new slug. The "
    "feed's date is its newest item's (1970-01-01 when empty). ETag, Last-Modified and 304 "
    "as on every read."
)


def _responses(format: FeedFormat) -> dict[int | str, dict[str, Any]]:
    media_type = MEDIA_TYPES[format].split(";")[0]
    schema = {"type": "object"} if format is FeedFormat.json else {"type": "string"}
    return {
        200: {"description": "The feed.", "content": {media_type: {"schema": schema}}},
        **error_responses(401, 422),
    }


async def _feed(
    format: FeedFormat,
    request: Request,
    database: DatabaseDep,
    settings: Settings,
    filters: FeedFilters,
    size: FeedSize,
) -> Response:
    public_url = settings.public_url or str(request.base_url).rstrip("/")
    site = FeedSite(
        title=settings.site_title,
        # A BCP 47 tag, as feeds write it: de_AT (a locale, which the setting may be) as de-AT.
        language=settings.language.replace("_", "-"),
        links=PostLinks(settings.post_link_template, public_url),
        self_url=str(request.url),
    )
    body = await database.read(
        render_feed,
        format=format,
        filters=filters,
        per_page=size.per_page,
        site=site,
        zone=settings.zone,
        languages=settings.search_languages,
    )
    return Response(body, media_type=MEDIA_TYPES[format])


# Each format's summary and what its items carry beyond the common description.
_FORMATS = {
    FeedFormat.rss: (
        "RSS 2.0 feed of posts",
        " RSS 2.0 with content:encoded, dc:creator and the source.",
    ),
    FeedFormat.atom: (
        "Atom 1.0 feed of posts",
        " Atom 1.0 (RFC 4287) with content of type html and the original article as the link "
        "rel=via.",
    ),
    FeedFormat.json: (
        "JSON Feed 1.1 of posts",
        " JSON Feed 1.1 with content_html, the original article as external_url, and the "
        "source and credit in the _presseschau extension.",
    ),
}


def _add_route(format: FeedFormat, summary: str, about: str) -> None:
    """GET (and HEAD) /posts.<format>: one route per format, so each has its own media
    type and operation in the spec."""

    async def feed(
        request: Request,
        database: DatabaseDep,
        settings: SettingsDep,
        filters: Annotated[FeedFilters, Query()],
        size: Annotated[FeedSize, Query()],
    ) -> Response:
        return await _feed(format, request, database, settings, filters, size)

    router.add_api_route(
        f"/posts.{format.value}",
        feed,
        methods=["GET"],
        name=f"{format.value}_feed",
        response_class=Response,
        summary=summary,
        responses=_responses(format),
        description=_ABOUT + about,
    )


for _format, (_summary, _about) in _FORMATS.items():
    _add_route(_format, _summary, _about)
