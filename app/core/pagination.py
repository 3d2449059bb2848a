"""One page type for every list, and the headers that go with it."""

from math import ceil
from typing import Annotated, Generic, TypeVar
from urllib.parse import parse_qsl, urlencode

from fastapi import Query, Request, Response
from pydantic import BaseModel, Field
from starlette.datastructures import URL

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_PAGE = 1_000_000


class PageParams(BaseModel):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    per_page: int = Field(
        DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE, description=f"Items per page, 1 to {MAX_PER_PAGE}."
    )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


PageQuery = Annotated[PageParams, Query()]


ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int = Field(description="Number of items over all pages.")
    page: int
    per_page: int


def set_page_headers(
    request: Request, response: Response, *, total: int, page: int, per_page: int
) -> None:
    response.headers.update(page_headers(request.url, total=total, page=page, per_page=per_page))


def page_headers(url: URL, *, total: int, page: int, per_page: int) -> dict[str, str]:
    """``X-Total-Count`` and an RFC 8288 ``Link`` header with first, prev, next and last.

    Each link is ``url`` with ``page`` and ``per_page`` moved to the end of its query, as
    ``URL.include_query_params`` would make it; the query is parsed once for all four."""
    last = max(1, ceil(total / per_page))
    links = {"first": 1, "last": last}
    if page > 1:
        links["prev"] = min(page - 1, last)
    if page < last:
        links["next"] = page + 1
    kept = urlencode(
        [
            (name, value)
            for name, value in parse_qsl(url.query, keep_blank_values=True)
            if name not in ("page", "per_page")
        ]
    )
    base = f"{url.replace(query='')}?{kept}&" if kept else f"{url.replace(query='')}?"
    parts = [
        f'<{base}page={links[rel]}&per_page={per_page}>; rel="{rel}"'
        for rel in ("first", "prev", "next", "last")
        if rel in links
    ]
    return {"X-Total-Count": str(total), "Link": ", ".join(parts)}


def set_cursor_headers(
    request: Request, response: Response, *, total: int, next_cursor: str | None
) -> None:
    """``X-Total-Count`` and a ``Link`` header for a page reached by cursor: the first page
    (the same request without a cursor) and, unless this is the last, the next one."""
    url = request.url
    kept = [
        (name, value)
        for name, value in parse_qsl(url.query, keep_blank_values=True)
        if name not in ("cursor", "page")
    ]
    base = str(url.replace(query=""))
    links = [f'<{base}?{urlencode(kept)}>; rel="first"' if kept else f'<{base}>; rel="first"']
    if next_cursor is not None:
        following = urlencode([*kept, ("cursor", next_cursor)])
        links.append(f'<{base}?{following}>; rel="next"')
    response.headers["X-Total-Count"] = str(total)
    response.headers["Link"] = ", ".join(links)
