from enum import StrEnum

from pydantic import BaseModel, Field

from app.archives.schemas import MonthCount
from app.posts.schemas import PostFilters, PostPublic
from app.search.terms import QUERY_HELP, QueryText


class SearchSort(StrEnum):
    relevance = "relevance"
    newest = "-published_at"


class Ranking(StrEnum):
    relevance = "relevance"
    recent_window = "recent-window"
    recency = "recency"


class SearchFilters(PostFilters):
    """What /posts filters by, with a query that is required and a relevance order."""

    q: QueryText = Field(description=QUERY_HELP)
    sort: SearchSort = Field(  # type: ignore[assignment]
        SearchSort.relevance,
        description="relevance (the best matches first, then the newest) or -published_at.",
    )


class Highlights(BaseModel):
    title: str = Field(description="The title, HTML-escaped, matched words in <mark>.")
    body: str = Field(
        description="A fragment of the body's text around its first match (its start when "
        "the match is elsewhere), HTML-escaped, matched words in <mark>."
    )


class SearchHit(PostPublic):
    score: int = Field(description="Higher is better; equal scores are ordered newest first.")
    highlights: Highlights


class SourceFacet(BaseModel):
    slug: str
    name: str
    count: int


class Facets(BaseModel):
    sources: list[SourceFacet] = Field(description="Matches per source, most first.")
    months: list[MonthCount] = Field(description="Matches per month, newest first.")


class SearchPage(BaseModel):
    items: list[SearchHit]
    total: int = Field(description="Matching posts, counted up to 10,000.")
    total_exact: bool = Field(
        description="false when more posts match than are counted: total is then the limit, "
        "the facets count the newest matches, and pages reach that far."
    )
    page: int | None = Field(description="The page's number; null on a page reached by cursor.")
    per_page: int
    next_cursor: str | None = Field(
        description="The next page's cursor: the same request with cursor=this (and without "
        "page) gives the matches after this page, however many posts are added or removed "
        "meanwhile. Null on the last page."
    )
    ranking: Ranking = Field(
        description="relevance: every match ranked; recent-window: more match than are "
        "ranked, so the newest ones are ranked and the rest follow newest first; recency: "
        "sorted by date as asked."
    )
    facets: Facets
    suggestion: str | None = Field(
        description="When little or nothing matches: the query with a misspelt word "
        "replaced by the nearest indexed one ('Kasachstn' → 'Kasachstan'), else null."
    )
