"""What a feed request asks for: the filters of /posts (without status and sort) and a size."""

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field

from app.core.pagination import DEFAULT_PER_PAGE, MAX_PER_PAGE
from app.core.text import Moment, SlugRef
from app.posts.models import PostStatus
from app.posts.schemas import PostFilters, PostSort
from app.search.terms import QUERY_HELP, QueryText


class FeedFormat(StrEnum):
    rss = "rss"
    atom = "atom"
    json = "json"


# The media type each format is served as.
MEDIA_TYPES = {
    FeedFormat.rss: "application/rss+xml; charset=utf-8",
    FeedFormat.atom: "application/atom+xml; charset=utf-8",
    FeedFormat.json: "application/feed+json; charset=utf-8",
}


class FeedFilters(BaseModel):
    """The filters of /posts, validated as there: a feed is a list of published posts,
    newest first, so it takes no status and no sort."""

    source: list[SlugRef] = Field(
        default_factory=list, description="Source slugs; repeat for several."
    )
    tag: SlugRef | None = Field(None, description="A tag's slug.")
    date: dt.date | None = Field(None, description="A site-local day, YYYY-MM-DD.")
    after: Moment | None = Field(
        None, description="Published after this time (with before: a month, a week)."
    )
    before: Moment | None = Field(None, description="Published before this time.")
    q: QueryText | None = Field(None, description=f"Search: only matching posts. {QUERY_HELP}")

    def as_list_filters(self) -> PostFilters:
        """The /posts filters of the same posts: published ones, newest first."""
        return PostFilters.model_construct(
            **self.model_dump(), sort=PostSort.newest, status=[PostStatus.published]
        )

    def label(self) -> str:
        """What narrows the feed, for its title: "" for the whole site."""
        parts = [f"source: {slug}" for slug in self.source]
        if self.tag:
            parts.append(f"tag: {self.tag}")
        if self.date:
            parts.append(f"day: {self.date.isoformat()}")
        if self.after:
            parts.append(f"after: {self.after.isoformat()}")
        if self.before:
            parts.append(f"before: {self.before.isoformat()}")
        if self.q:
            parts.append(f"search: {self.q}")
        return ", ".join(parts)


class FeedSize(BaseModel):
    per_page: int = Field(
        DEFAULT_PER_PAGE,
        ge=1,
        le=MAX_PER_PAGE,
        description=f"Items: the newest this many posts, 1 to {MAX_PER_PAGE}.",
    )
