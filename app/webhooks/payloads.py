"""What a delivery says: small, ``{type, timestamp, data: {id, slug, status, url, version}}``,
made when it is first sent and kept, so every retry sends the same bytes."""

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from app.core.links import PostLinks
from app.posts.models import Post, PostStatus
from app.sources.models import Source
from app.webhooks.types import type_of

_POSTS = Post.metadata.tables["posts"]
_SOURCES = Source.metadata.tables["sources"]


class Told(NamedTuple):
    """What a payload is made from: the event's row, and the delivery's subject."""

    action: str
    occurred_at: datetime
    subject_type: str | None
    subject_id: int | None
    event_data: Mapping[str, Any]


def timestamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def body(payload: Mapping[str, Any]) -> bytes:
    """The bytes sent: compact JSON (what is signed is exactly these bytes)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def payloads(
    connection: Connection, told: Iterable[Told], *, links: PostLinks | None, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """One payload per item of ``told``, in order: two queries however many there are. The
    subject as it is now (its slug, status, version), or as the event recorded it when it is
    gone (a post deleted for good)."""
    items = list(told)
    post_ids = {item.subject_id for item in items if item.subject_type == "post"}
    source_ids = {item.subject_id for item in items if item.subject_type == "source"}
    posts = (
        {
            row.id: row
            for row in connection.execute(
                select(
                    _POSTS.c.id,
                    _POSTS.c.slug,
                    _POSTS.c.status,
                    _POSTS.c.version,
                    _POSTS.c.published_at,
                ).where(_POSTS.c.id.in_(post_ids))
            )
        }
        if post_ids
        else {}
    )
    sources = (
        {
            row.id: row
            for row in connection.execute(
                select(_SOURCES.c.id, _SOURCES.c.slug, _SOURCES.c.version).where(
                    _SOURCES.c.id.in_(source_ids)
                )
            )
        }
        if source_ids
        else {}
    )
    made: list[dict[str, Any]] = []
    for item in items:
        data: dict[str, Any] = {
            "id": item.subject_id,
            "slug": item.event_data.get("slug"),
        }
        if item.subject_type == "post":
            data |= {"status": item.event_data.get("status"), "url": None, "version": None}
            post = posts.get(item.subject_id)
            if post is not None:
                data |= {"slug": post.slug, "status": post.status, "version": post.version}
                if links is not None and post.status == PostStatus.published:
                    day = post.published_at.astimezone(zone).date() if post.published_at else None
                    data["url"] = links.link(post.id, post.slug, day)
        elif item.subject_type == "source":
            data["version"] = None
            source = sources.get(item.subject_id)
            if source is not None:
                data |= {"slug": source.slug, "version": source.version}
        made.append(
            {"type": type_of(item.action), "timestamp": timestamp(item.occurred_at), "data": data}
        )
    return made
