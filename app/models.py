"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from sqlmodel import SQLModel

from app.auth.models import ApiToken, User
from app.posts.models import Post, PostTag, Tag
from app.sources.models import Source, SourceDomain

metadata = SQLModel.metadata

__all__ = ["ApiToken", "Post", "PostTag", "Source", "SourceDomain", "Tag", "User", "metadata"]
