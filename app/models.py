"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from sqlmodel import SQLModel

from app.auth.models import ApiToken, AuthFailure, User
from app.core.keys import InstanceKey
from app.derived.models import ContentState
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
from app.revisions.models import PostRevision, PostRevisionQueue
from app.search.models import PostSearch, PostSearchQueue, SearchWord
from app.sources.models import Source, SourceDomain
from app.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookSubscription
from app.worker.models import Job

metadata = SQLModel.metadata

__all__ = [
    "ApiToken",
    "AuthFailure",
    "ContentState",
    "Event",
    "InstanceKey",
    "Job",
    "Post",
    "PostDocument",
    "PostDocumentQueue",
    "PostLike",
    "PostRevision",
    "PostRevisionQueue",
    "PostSearch",
    "PostSearchQueue",
    "PostTag",
    "PublishedCount",
    "SearchWord",
    "Source",
    "SourceDomain",
    "Tag",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookSubscription",
    "metadata",
]
