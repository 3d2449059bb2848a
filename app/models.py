"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from sqlmodel import SQLModel

from app.auth.models import ApiToken, AuthFailure, User
from app.caching.models import ContentState
from app.core.keys import InstanceKey
from app.events.models import Event
from app.posts.models import (
    Post,
    PostDocument,
    PostDocumentQueue,
    PostLike,
    PostTag,
    PublishedCount,
    Tag,
)
from app.sources.models import Source, SourceDomain

metadata = SQLModel.metadata

__all__ = [
    "ApiToken",
    "AuthFailure",
    "ContentState",
    "Event",
    "InstanceKey",
    "Post",
    "PostDocument",
    "PostDocumentQueue",
    "PostLike",
    "PostTag",
    "PublishedCount",
    "Source",
    "SourceDomain",
    "Tag",
    "User",
    "metadata",
]
