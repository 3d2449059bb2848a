from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.inputs import TextInput
from app.posts.models import TAG_MAX
from app.posts.schemas import TagName

# A tag's slug as stored: made from its name (app.posts.tags.slug_of), so not always a slug
# of the posts' kind (a year's tag is all digits).
TAG_SLUG_MAX = TAG_MAX * 2
# No control characters: no tag's slug holds one, and PostgreSQL refuses a NUL in a query.
TAG_SLUG_PATTERN = r"^[^\x00-\x1f\x7f]+$"
TagSlug = Annotated[
    str, StringConstraints(min_length=1, max_length=TAG_SLUG_MAX, pattern=TAG_SLUG_PATTERN)
]


class TagSort(StrEnum):
    """``-count``: most published posts first, ties by name; ``name``: by name, in German
    dictionary order."""

    by_count = "-count"
    by_name = "name"


class TagPublic(BaseModel):
    slug: str
    name: str
    count: int = Field(description="Published posts carrying the tag.")


class TagUpdate(TextInput):
    """A new name; the slug follows it, since posts name their tags and are matched to them
    by the name's slug."""

    model_config = ConfigDict(extra="forbid")

    name: TagName


class TagMerge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: TagSlug = Field(description="The slug of the tag the posts get instead.")
