"""A revision's snapshot: the post's content fields, stored as compressed JSON.

A snapshot is a plain dict of the fields in ``FIELDS`` with JSON values (a time as RFC 3339
text in UTC, tags as the list of names in the order reads give them), so that two states
compare field by field and the export carries one as it is. It is stored as zlib-compressed
JSON, at zlib's fastest level: it runs in the write's hook, while the write holds SQLite's
write lock. German prose compresses to about 43 % there (37 % at the default level, at four
times the cost: 1.3 against 5 ms for a 27 kB article on the benchmark machine; a short post
costs some tens of microseconds).
"""

import zlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import RowMapping

# The content a revision keeps, in the order snapshots and their differences list them:
# what an editor writes, and where and when it is shown. Not likes, not the rendered HTML
# (made from the body), not who wrote it.
FIELDS: tuple[str, ...] = (
    "title",
    "slug",
    "status",
    "published_at",
    "source_id",
    "original_url",
    "credit",
    "language",
    "tags",
    "excerpt",
    "body",
)
# The posts columns among them (the tags are rows of post_tags): what the triggers watch.
POST_COLUMNS: tuple[str, ...] = tuple(name for name in FIELDS if name != "tags")
# The fields a restore puts back: not the status or the publication time, so restoring an
# old text never unpublishes, publishes or reschedules a post.
RESTORED_FIELDS: tuple[str, ...] = tuple(
    name for name in FIELDS if name not in ("status", "published_at")
)
# What a field holds before anything was written: the base the first revision differs from.
EMPTY: dict[str, Any] = {
    name: [] if name == "tags" else "" if name in ("excerpt", "body") else None for name in FIELDS
}
# The fastest: most of the saving of the best level at a quarter of its cost.
_LEVEL = 1

Snapshot = dict[str, Any]


def moment(value: datetime | None) -> str | None:
    """A time as a snapshot holds it: RFC 3339 in UTC, as the API writes times."""
    if value is None:
        return None
    text: str = orjson.loads(orjson.dumps(value, option=orjson.OPT_UTC_Z))
    return text


def of_row(row: RowMapping | Mapping[str, Any], tags: Sequence[str]) -> Snapshot:
    """The snapshot of a post's row (its ``POST_COLUMNS``) with its tags."""
    snapshot = {name: row[name] for name in POST_COLUMNS}
    snapshot["published_at"] = moment(row["published_at"])
    snapshot["tags"] = list(tags)
    return {name: snapshot[name] for name in FIELDS}


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    """The fields whose values differ, in ``FIELDS`` order. Tags are a set: their order is
    the database's collation, which another database (a restore's) may not share."""
    return [
        name
        for name in FIELDS
        if (
            sorted(before[name]) != sorted(after[name])
            if name == "tags"
            else before[name] != after[name]
        )
    ]


def encode(snapshot: Snapshot) -> bytes:
    return zlib.compress(orjson.dumps(snapshot), _LEVEL)


def decode(stored: bytes) -> Snapshot:
    decoded: Snapshot = orjson.loads(zlib.decompress(stored))
    return decoded
