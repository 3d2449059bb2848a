"""One page type for every list, and the headers that go with it."""

from math import ceil
from typing import Annotated, Generic, TypeVar

from fastapi import Query, Request, Response
from pydantic import BaseModel, Field

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
    """``X-Total-Count`` and an RFC 8288 ``Link`` header with first, prev, next and last."""
    response.headers["X-Total-Count"] = str(total)
    last = max(1, ceil(total / per_page))
    links = {"first": 1, "last": last}
    if page > 1:
        links["prev"] = min(page - 1, last)
    if page < last:
        links["next"] = page + 1
    parts = []
    for rel in ("first", "prev", "next", "last"):
        if rel in links:
            url = request.url.include_query_params(page=links[rel], per_page=per_page)
            parts.append(f'<{url}>; rel="{rel}"')
    response.headers["Link"] = ", ".join(parts)
