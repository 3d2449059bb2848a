"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""

from typing import Any

import orjson

from app.feeds.shape import Feed, FeedEntry
from app.feeds.text import content_html

VERSION = "https://jsonfeed.org/version/1.1"


def render(feed: Feed) -> bytes:
    document: dict[str, Any] = {
        "version": VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.self_url,
        "description": feed.description,
        "language": feed.language,
        "items": [_item(entry) for entry in feed.entries],
    }
    return orjson.dumps(document)


def _item(entry: FeedEntry) -> dict[str, Any]:
    post = entry.post
    item: dict[str, Any] = {
        "id": entry.id,
        "url": entry.link,
        "title": post.title,
        "content_html": content_html(entry),
        "summary": post.excerpt,
        "date_published": entry.published.isoformat(timespec="seconds"),
        "date_modified": entry.updated.isoformat(timespec="seconds"),
        "authors": [{"name": post.author.name}],
        "tags": [tag.name for tag in post.tags],
        "language": post.language,
    }
    if post.original_url:
        # JSON Feed's own field for the article a post is about.
        item["external_url"] = post.original_url
    source = post.source
    # An extension (JSON Feed § "Extensions": a key starting with an underscore) for what
    # the format has no field for.
    item["_presseschau"] = {
        "source": None
        if source is None
        else {"slug": source.slug, "name": source.name, "url": entry.source_url},
        "credit": post.credit,
    }
    return item
