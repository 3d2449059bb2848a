"""Cursors of post lists: where a list's next page starts, as a keyset on (sort key, id).

A cursor holds the sort it was made for, the last post's sort key (its published_at, or
its title's sort key) and its id, sealed (app.core.cursors). The next page is the posts after
that point in the sort's order, whatever was added or removed meanwhile: posts added newer
than a walk's start, or removed, shift no page after it, and no post is shown twice.
"""

from datetime import UTC, datetime, timedelta
from typing import Annotated, NamedTuple

from fastapi import Query, Request
from sqlalchemy import ColumnElement, and_, literal, or_, tuple_

from app.core import cursors
from app.core.pagination import PageParams
from app.core.text import MAX_ID
from app.posts.queries import POSTS
from app.posts.schemas import PostSort

_PURPOSE = b"presseschau post list cursor"
# A cursor is at most this long (the title sort's key of the longest title, in four-byte
# characters): anything longer is refused before it is decoded.
CURSOR_MAX = 4096
_SORTS = tuple(PostSort)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_ID_BYTES = 4
_TIME_BYTES = 8
# The byte before a time: whether the post has one (drafts may have none).
_NO_TIME, _TIME = b"\x00", b"\x01"

SortKey = datetime | str | None
CursorQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=CURSOR_MAX,
        description="Where the page starts: a previous page's next_cursor, as it is, with the "
        "same sort (and without page). Unlike page numbers, a walk by cursor shows every post "
        "once while posts are added or removed.",
    ),
]


class PostCursor(NamedTuple):
    """The last post a page showed, as its sort orders it."""

    sort: PostSort
    key: SortKey
    id: int


def cursor_key(instance_key: bytes) -> bytes:
    """A key of its own for the post lists' cursors."""
    return cursors.cursor_key(instance_key, _PURPOSE)


def sort_column(sort: PostSort) -> ColumnElement[object]:
    """What ``sort`` orders posts by, before their id: the value a cursor keeps."""
    column: ColumnElement[object] = (
        POSTS.c.title_sort if sort is PostSort.by_title else POSTS.c.published_at
    )
    return column


def encode(cursor: PostCursor, key: bytes) -> str:
    head = bytes((_SORTS.index(cursor.sort),)) + cursor.id.to_bytes(_ID_BYTES, "big")
    if isinstance(cursor.key, str):
        return cursors.seal(head + cursor.key.encode(), key)
    if cursor.key is None:
        return cursors.seal(head + _NO_TIME, key)
    micros = (cursor.key - _EPOCH) // _MICROSECOND
    return cursors.seal(head + _TIME + micros.to_bytes(_TIME_BYTES, "big", signed=True), key)


def starting_after(
    text: str | None, sort: PostSort, key: bytes, paging: PageParams
) -> PostCursor | None:
    """Where a page asked for with ``text`` (a cursor, or None: by number) starts; a cursor
    with a page number is refused, as is one this server did not make for ``sort``."""
    if text is None:
        return None
    cursors.check_without_page(paging)
    return decode(text, sort, key)


def decode(text: str, sort: PostSort, key: bytes) -> PostCursor:
    """The post a cursor this server made for ``sort`` stops at; InvalidInput for anything
    else (a cursor changed by hand, or made for another sort)."""
    payload = cursors.unseal(text, key)
    if len(payload) <= _ID_BYTES or payload[0] >= len(_SORTS):
        raise cursors.refused()
    made_for = _SORTS[payload[0]]
    if made_for is not sort:
        raise cursors.other_sort(made_for.value, sort.value)
    post_id = int.from_bytes(payload[1 : 1 + _ID_BYTES], "big")
    rest = payload[1 + _ID_BYTES :]
    if not 1 <= post_id <= MAX_ID:
        raise cursors.refused()
    return PostCursor(sort, _sort_key(sort, rest), post_id)


def _sort_key(sort: PostSort, raw: bytes) -> SortKey:
    if sort is PostSort.by_title:
        try:
            return raw.decode()
        except UnicodeDecodeError:
            raise cursors.refused() from None
    if raw == _NO_TIME:
        return None
    if len(raw) != 1 + _TIME_BYTES or raw[:1] != _TIME:
        raise cursors.refused()
    try:
        return _EPOCH + int.from_bytes(raw[1:], "big", signed=True) * _MICROSECOND
    except OverflowError:
        raise cursors.refused() from None


def following(cursor: PostCursor, *, may_include_drafts: bool) -> ColumnElement[bool]:
    """The posts after ``cursor`` in its sort's order (app.posts.queries.sort_order): a row
    comparison on (sort key, id), which the (status, key, id) indexes serve as a range."""
    column = sort_column(cursor.sort)
    post_id = POSTS.c.id
    if cursor.key is None:
        # Posts without a time come last, among themselves by id.
        later_id = post_id < cursor.id if cursor.sort is PostSort.newest else post_id > cursor.id
        return and_(column.is_(None), later_id)
    at = tuple_(column, post_id)
    point = tuple_(literal(cursor.key, column.type), literal(cursor.id, post_id.type))
    after = at < point if cursor.sort is PostSort.newest else at > point
    if may_include_drafts and cursor.sort is not PostSort.by_title:
        return or_(after, column.is_(None))
    return after


async def post_cursor_key(request: Request) -> bytes:
    """The key of the post lists' cursors in the app ``request`` is for."""
    return await cursors.request_key(request, _PURPOSE)
