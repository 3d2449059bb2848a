"""Fills an empty database with the sample content of app.demo.content."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session

from app.auth.models import Role
from app.auth.service import Viewer, user_named
from app.demo.content import POSTS, SOURCES
from app.posts import service as posts
from app.posts.models import Post, PostStatus
from app.posts.schemas import PostCreate
from app.sources import service as sources
from app.sources.models import Source
from app.sources.schemas import SourceCreate

DEMO_USER = "Redaktion"


def is_empty(session: Session) -> bool:
    return not any(
        session.scalar(select(func.count()).select_from(table)) for table in (Post, Source)
    )


def load_demo(session: Session, *, zone: ZoneInfo, language: str) -> tuple[int, int]:
    """Create the demo sources and posts; returns how many of each."""
    user = user_named(session, DEMO_USER, role=Role.editor)
    assert user.id is not None
    editor = Viewer(user_id=user.id, name=user.name, role=Role.editor, token_id=0)
    source_ids: dict[str, int] = {}
    for demo_source in SOURCES:
        created = sources.create_source(
            session,
            data=SourceCreate.model_validate(
                {
                    "name": demo_source.name,
                    "homepage_url": demo_source.homepage_url,
                    "domains": list(demo_source.domains),
                    "language": demo_source.language,
                    "description": demo_source.description,
                }
            ),
        )
        source_ids[demo_source.name] = created.id
    for demo_post in POSTS:
        posts.create_post(
            session,
            viewer=editor,
            data=PostCreate.model_validate(
                {
                    "title": demo_post.title,
                    "body": demo_post.body,
                    "source_id": source_ids[demo_post.source] if demo_post.source else None,
                    # The demo names each post's source itself, or none.
                    "recognize_source": False,
                    "original_url": demo_post.original_url,
                    "credit": demo_post.credit,
                    "language": demo_post.language,
                    "tags": list(demo_post.tags),
                    "status": PostStatus.published,
                    "published_at": datetime.fromisoformat(demo_post.local_time).replace(
                        tzinfo=zone
                    ),
                }
            ),
            zone=zone,
            language=language,
        )
    return len(SOURCES), len(POSTS)
