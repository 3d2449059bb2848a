"""A page of a post list with the cursor of the page after it, by page number or by cursor."""

from collections.abc import Sequence
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement
from sqlmodel import Session

from app.core.pagination import PageParams
from app.posts import queries
from app.posts.cursor import PostCursor, following, sort_column
from app.posts.schemas import PostPublic, PostSort


class ListedPage(NamedTuple):
    items: list[PostPublic]
    # Where the page after this one starts; None on the last page.
    following: PostCursor | None


def listed_page(
    session: Session,
    *,
    where: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[object]],
    sort: PostSort,
    paging: PageParams,
    after: PostCursor | None,
    may_include_drafts: bool,
    total: int,
    zone: ZoneInfo,
) -> ListedPage:
    """The page ``paging`` numbers, or with ``after`` the ``paging.per_page`` posts after
    it; ``total`` is how many posts ``where`` selects, counted already."""
    per_page = paging.per_page
    key = sort_column(sort)
    if after is None:
        if paging.offset >= total:
            return ListedPage([], None)
        found = queries.fetch_keyed_posts(
            session, where=where, order=order, key=key, zone=zone, limit=per_page,
            offset=paging.offset,
        )  # fmt: skip
        # As the Link header's next page: one follows when the total goes beyond this one.
        more = paging.offset + per_page < total
    else:
        found = queries.fetch_keyed_posts(
            session,
            where=[*where, following(after, may_include_drafts=may_include_drafts)],
            order=order,
            key=key,
            zone=zone,
            # One beyond the page tells whether another follows.
            limit=per_page + 1,
        )
        more = len(found.items) > per_page
    items = found.items[:per_page]
    if not (more and items):
        return ListedPage(items, None)
    last = len(items) - 1
    return ListedPage(items, PostCursor(sort, found.keys[last], items[last].id))
