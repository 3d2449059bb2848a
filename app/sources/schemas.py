import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from app.core.inputs import TextInput
from app.core.text import Line, PlainText, Slug
from app.posts.models import TITLE_MAX
from app.sources.models import DESCRIPTION_MAX, LANGUAGE_MAX, SOURCE_NAME_MAX, URL_MAX

DOMAINS_PER_SOURCE_MAX = 20
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_domain(value: str) -> str:
    """``WWW.Example.com.`` → ``example.com``; international names in their ASCII form."""
    host = value.strip().lower().rstrip(".")
    host = host.removeprefix("www.")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"{value!r} is not a valid host name") from exc
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        raise ValueError(f"{value!r} is not a valid host name, such as example.com")
    return host


Domain = Annotated[str, StringConstraints(max_length=253), AfterValidator(normalize_domain)]
SourceName = Annotated[Line, StringConstraints(min_length=1, max_length=SOURCE_NAME_MAX)]
HttpUrl = Annotated[AnyHttpUrl, Field(max_length=URL_MAX)]
Language = Annotated[
    str,
    StringConstraints(
        min_length=2, max_length=LANGUAGE_MAX, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
    ),
]
Description = Annotated[PlainText, StringConstraints(max_length=DESCRIPTION_MAX)]
Domains = Annotated[list[Domain], Field(max_length=DOMAINS_PER_SOURCE_MAX)]
# A title as published still carries its source: "Title (Source)".
PublishedTitle = Annotated[Line, StringConstraints(max_length=TITLE_MAX + SOURCE_NAME_MAX + 3)]


class SourceCreate(TextInput):
    model_config = ConfigDict(extra="forbid")

    name: SourceName
    slug: Slug | None = Field(None, description="Generated from the name when left out.")
    homepage_url: HttpUrl | None = None
    domains: Domains = Field(
        default_factory=list, description="Host names of the source's links, e.g. tass.ru."
    )
    language: Language | None = None
    description: Description = ""


class SourceUpdate(TextInput):
    model_config = ConfigDict(extra="forbid")

    name: SourceName | None = None
    slug: Slug | None = None
    homepage_url: HttpUrl | None = None
    domains: Domains | None = Field(None, description="Replaces the whole list.")
    language: Language | None = None
    description: Description | None = None


class SourceRef(BaseModel):
    id: int
    slug: str
    name: str


class SourcePublic(SourceRef):
    homepage_url: str | None
    domains: list[str]
    language: str | None
    description: str
    post_count: int = Field(description="Published posts from this source.")
    created_at: datetime
    updated_at: datetime


class SourceMatchRequest(TextInput):
    """A post's title as published, its original URL, or both: at least one."""

    model_config = ConfigDict(extra="forbid")

    title: PublishedTitle | None = Field(
        None, description="The title as published, e.g. 'Title (Global Times China)'."
    )
    url: HttpUrl | None = Field(None, description="The original article's URL.")

    @model_validator(mode="after")
    def _title_or_url(self) -> Self:
        if not self.title and self.url is None:
            raise ValueError("send a title, a url or both")
        return self


class MatchReason(StrEnum):
    """How a source was recognised (or why none was)."""

    title_suffix = "title_suffix"
    title_trailing_name = "title_trailing_name"
    url_domain = "url_domain"
    new_source_from_title = "new_source_from_title"
    none = "none"


class SourceMatchPublic(BaseModel):
    source: SourceRef | None = Field(description="The known source, or null.")
    title: str | None = Field(
        description="The title without its source; null when no title was sent."
    )
    reason: MatchReason = Field(
        description="title_suffix: '(Name)' names a known source; title_trailing_name: a "
        "trailing bare name or domain does; url_domain: the URL's host is a source's domain; "
        "new_source_from_title: the title names a publication that is no source yet; none."
    )
    detail: str = Field(description="How the source was found, or why none was, for a human.")
    suggested_name: str | None = Field(
        description="The publication the title names, when it is no known source yet."
    )
