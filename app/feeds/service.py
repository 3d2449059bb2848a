"""A feed: the newest published posts a filter of /posts selects, read as /posts reads them,
and rendered in the same database thread, off the event loop."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from app.core.links import PostLinks
from app.core.pagination import PageParams
from app.feeds import json_feed, xml_feeds
from app.feeds.schemas import FeedFilters, FeedFormat
from app.feeds.shape import Feed, FeedEntry
from app.posts import service as posts
from app.posts.schemas import PostPublic
from app.sources.models import Source

# The date of an empty feed: Atom and JSON Feed need one, and a fixed one keeps the bytes,
# and with them the ETag, the same until a post appears.
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)


class FeedSite(NamedTuple):
    """Where the feed is and what it belongs to."""

    title: str
    language: str
    links: PostLinks
    self_url: str  # the feed's own address, as requested


def render_feed(
    session: Session,
    *,
    format: FeedFormat,
    filters: FeedFilters,
    per_page: int,
    site: FeedSite,
    zone: ZoneInfo,
    languages: Sequence[str],
) -> bytes:
    """The feed's bytes in ``format``: the newest ``per_page`` published posts ``filters``
    select. Anonymous whatever the caller: a feed is public (a token does not widen it).
    The statements are those of a page of /posts (and its filters' checks, so a bad filter
    is the same 422), and one for the sources' home pages."""
    page = posts.list_posts(
        session,
        viewer=None,
        filters=filters.as_list_filters(),
        paging=PageParams(page=1, per_page=per_page),
        zone=zone,
        languages=languages,
    )
    homepages = _homepages(session, page.items)
    feed = _feed(page.items, homepages, filters=filters, site=site, zone=zone)
    if format is FeedFormat.json:
        return json_feed.render(feed)
    if format is FeedFormat.atom:
        return xml_feeds.atom(feed)
    return xml_feeds.rss(feed)


def _homepages(session: Session, items: Sequence[PostPublic]) -> dict[int, str | None]:
    ids = sorted({item.source.id for item in items if item.source is not None})
    if not ids:
        return {}
    rows = session.execute(
        select(col(Source.id), col(Source.homepage_url)).where(col(Source.id).in_(ids))
    )
    return {row.id: row.homepage_url for row in rows}


def _feed(
    items: Sequence[PostPublic],
    homepages: dict[int, str | None],
    *,
    filters: FeedFilters,
    site: FeedSite,
    zone: ZoneInfo,
) -> Feed:
    host = urlsplit(site.links.public_url).hostname or "localhost"
    entries = [_entry(item, homepages, site.links, host, zone) for item in items]
    label = filters.label()
    return Feed(
        title=f"{site.title} ({label})" if label else site.title,
        description=f"The newest posts of {site.title}" + (f": {label}" if label else ""),
        language=site.language,
        home_url=site.links.home,
        self_url=site.self_url,
        # The newest change of any item: a post edited after its publication counts too.
        updated=max((entry.updated for entry in entries), default=EMPTY_FEED_UPDATED),
        entries=entries,
    )


def _entry(
    item: PostPublic,
    homepages: dict[int, str | None],
    links: PostLinks,
    host: str,
    zone: ZoneInfo,
) -> FeedEntry:
    published = (item.published_at or item.created_at).astimezone(zone)
    updated = max(item.updated_at.astimezone(zone), published)
    source = item.source
    return FeedEntry(
        post=item,
        # A tag URI (RFC 4151) of the post's id: it stays when its slug or the link
        # template change, so readers do not see the post again as a new one.
        id=f"tag:{host},{item.created_at.astimezone(UTC).date().isoformat()}:posts/{item.id}",
        link=links.link(item.id, item.slug, item.date),
        published=published,
        updated=updated,
        source_url=homepages.get(source.id) if source is not None else None,
    )
