"""A feed as its three formats share it: made once, written by each renderer."""

from datetime import datetime
from typing import NamedTuple

from app.posts.schemas import PostPublic


class FeedEntry(NamedTuple):
    post: PostPublic
    id: str  # permanent: a tag URI of the post's id
    link: str  # absolute: the post's page on the site
    published: datetime  # in the site's zone
    updated: datetime
    source_url: str | None  # the home page of the post's source


class Feed(NamedTuple):
    title: str
    description: str
    language: str
    home_url: str
    self_url: str
    updated: datetime
    entries: list[FeedEntry]
