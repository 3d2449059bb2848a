"""Reading posts: one count, one page query and one tag query per list, whatever its size."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col

from app.auth.models import User
from app.auth.service import Viewer
from app.core.pagination import Page, PageParams
from app.posts.models import Post, PostStatus, PostTag, Tag
from app.posts.schemas import AuthorRef, PostPublic, PostSort
from app.posts.visibility import publicly_visible
from app.sources.models import Source
from app.sources.schemas import SourceRef


def readable_by(viewer: Viewer | None, now: datetime) -> ColumnElement[bool]:
    """Posts this caller may read one by one: the public ones, own posts, or all for editors."""
    if viewer is None:
        return publicly_visible(now)
    if viewer.is_editor:
        return true()
    return or_(publicly_visible(now), col(Post.author_id) == viewer.user_id)


def listed_for(viewer: Viewer | None, status: PostStatus, now: datetime) -> ColumnElement[bool]:
    """The posts a list with ``status`` shows this caller."""
    if status is PostStatus.published:
        if viewer is not None and viewer.is_editor:
            return col(Post.status) == PostStatus.published.value
        return publicly_visible(now)
    if viewer is None:
        return false()
    drafts = col(Post.status) == PostStatus.draft.value
    if viewer.is_editor:
        return drafts
    return and_(drafts, col(Post.author_id) == viewer.user_id)


def sort_order(sort: PostSort, *, may_include_drafts: bool) -> list[ColumnElement[object]]:
    # Mapped is covariant, so these widen to the ColumnElement[object] the caller expects.
    title: Mapped[object] = col(Post.title)
    published_at: Mapped[object] = col(Post.published_at)
    post_id: Mapped[object] = col(Post.id)
    if sort is PostSort.by_title:
        return [title.asc(), post_id.asc()]
    if sort is PostSort.oldest:
        return [published_at.asc(), post_id.asc()]
    # Drafts may have no date; NULLS LAST keeps them in one place on both databases. Public
    # lists never hold such rows, and a plain DESC lets PostgreSQL walk the index backwards.
    newest = published_at.desc().nulls_last() if may_include_drafts else published_at.desc()
    return [newest, post_id.desc()]


def _rows_query() -> Select[Post, int | None, str | None, str | None, str]:
    # The source is outer-joined, so its columns may be NULL.
    source_slug: Mapped[str | None] = col(Source.slug)
    source_name: Mapped[str | None] = col(Source.name)
    return (
        select(Post, col(Source.id), source_slug, source_name, col(User.name))
        .outerjoin(Source, col(Source.id) == col(Post.source_id))
        .join(User, col(User.id) == col(Post.author_id))
    )


def _tags_by_post(session: Session, post_ids: Sequence[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = defaultdict(list)
    if not post_ids:
        return tags
    rows = session.execute(
        select(col(PostTag.post_id), col(Tag.name))
        .join(Tag, col(Tag.id) == col(PostTag.tag_id))
        .where(col(PostTag.post_id).in_(post_ids))
        .order_by(col(PostTag.post_id), col(Tag.name))
    )
    for post_id, name in rows:
        tags[post_id].append(name)
    return tags


def _to_public(
    row: tuple[Post, int | None, str | None, str | None, str], tags: list[str], zone: ZoneInfo
) -> PostPublic:
    post, source_id, source_slug, source_name, author_name = row
    source = None
    if source_id is not None:
        source = SourceRef(id=source_id, slug=source_slug or "", name=source_name or "")
    return PostPublic(
        id=post.id,
        slug=post.slug,
        title=post.title,
        status=PostStatus(post.status),
        published_at=post.published_at.astimezone(zone) if post.published_at else None,
        date=post.published_date,
        source=source,
        original_url=post.original_url,
        credit=post.credit,
        language=post.language,
        tags=tags,
        body=post.body,
        body_html=post.body_html,
        excerpt=post.excerpt,
        likes=post.likes,
        author=AuthorRef(id=post.author_id, name=author_name),
        created_at=post.created_at,
        updated_at=post.updated_at,
    )


def fetch_posts(
    session: Session,
    *,
    where: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[object]],
    zone: ZoneInfo,
    limit: int | None = None,
    offset: int = 0,
) -> list[PostPublic]:
    query = _rows_query().where(*where).order_by(*order).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    rows = [tuple(row) for row in session.execute(query)]
    tags = _tags_by_post(session, [row[0].id for row in rows])
    return [_to_public(row, tags.get(row[0].id, []), zone) for row in rows]


def page_of_posts(
    session: Session,
    *,
    where: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[object]],
    paging: PageParams,
    zone: ZoneInfo,
) -> Page[PostPublic]:
    total = session.scalar(select(func.count()).select_from(Post).where(*where)) or 0
    items: list[PostPublic] = []
    if paging.offset < total:
        items = fetch_posts(
            session,
            where=where,
            order=order,
            zone=zone,
            limit=paging.per_page,
            offset=paging.offset,
        )
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


def in_sources(slugs: Sequence[str]) -> ColumnElement[bool]:
    return col(Post.source_id).in_(select(col(Source.id)).where(col(Source.slug).in_(slugs)))


def has_tag(slug: str) -> ColumnElement[bool]:
    return col(Post.id).in_(
        select(col(PostTag.post_id))
        .join(Tag, col(Tag.id) == col(PostTag.tag_id))
        .where(col(Tag.slug) == slug)
    )
