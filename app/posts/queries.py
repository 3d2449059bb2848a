"""Reading posts: one count, one page query and one tag query per list, whatever its size."""

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col

from app.auth.service import Viewer
from app.core.json_sql import json_text
from app.core.pagination import Page, PageParams
from app.core.text import parse_id
from app.derived.memo import memo_for
from app.posts.models import Post, PostStatus, PostTag, Tag
from app.posts.schemas import AuthorRef, PostPublic, PostSort, TagRef
from app.posts.tag_refs import TagJson, tags_by_post
from app.posts.visibility import published
from app.sources.models import Source
from app.sources.schemas import SourceRef


def by_id_or_slug(id_or_slug: str) -> ColumnElement[bool]:
    """The post a path's ``{id_or_slug}`` names."""
    post_id = parse_id(id_or_slug)
    if post_id is not None:
        return col(Post.id) == post_id
    return col(Post.slug) == id_or_slug


def readable_by(viewer: Viewer | None) -> ColumnElement[bool]:
    """Posts this caller may read one by one: the published ones, own posts (in any status,
    the trash too), or all for editors; a preview token never the trash (it previews what
    may go out)."""
    if viewer is None:
        return published()
    readable = (
        true() if viewer.is_editor else or_(published(), col(Post.author_id) == viewer.user_id)
    )
    if viewer.is_preview:
        return and_(readable, col(Post.status) != PostStatus.trashed.value)
    return readable


def listed_for(viewer: Viewer | None, statuses: Collection[PostStatus]) -> ColumnElement[bool]:
    """The posts a list of these statuses shows this caller: published posts to anyone, the
    others to editors, or to an author of their own. The published list alone is a plain
    equality, the one the status indexes serve for every public read."""
    public = PostStatus.published in statuses
    # A preview token previews what may go out, never the trash.
    hidden = {PostStatus.published, *([PostStatus.trashed] if viewer and viewer.is_preview else [])}
    others = sorted(status.value for status in statuses if status not in hidden)
    if viewer is None or not others:
        return published() if public else false()
    if len(others) == 1:
        unpublished = col(Post.status) == others[0]
    else:
        unpublished = col(Post.status).in_(others)
    if not viewer.is_editor:
        unpublished = and_(unpublished, col(Post.author_id) == viewer.user_id)
    return or_(published(), unpublished) if public else unpublished


def is_listed_for(
    viewer: Viewer | None, statuses: Collection[PostStatus], status: str, author_id: int
) -> bool:
    """``listed_for`` for one post at hand, of this ``status`` and author: for a read that
    fetched posts by id and must show only those the list would."""
    stored = PostStatus(status)
    if stored not in statuses:
        return False
    if stored is PostStatus.published:
        return True
    if viewer is None or (viewer.is_preview and stored is PostStatus.trashed):
        return False
    return viewer.is_editor or author_id == viewer.user_id


def sort_order(sort: PostSort, *, may_include_drafts: bool) -> list[ColumnElement[object]]:
    # Mapped is covariant, so these widen to the ColumnElement[object] the caller expects.
    title: Mapped[object] = col(Post.title_sort)
    published_at: Mapped[object] = col(Post.published_at)
    post_id: Mapped[object] = col(Post.id)
    if sort is PostSort.by_title:
        return [title.asc(), post_id.asc()]
    # Drafts may have no date; NULLS LAST keeps them at the end on both databases (SQLite
    # puts NULL first ascending, PostgreSQL last). Public lists never hold such rows, and a
    # plain order lets PostgreSQL walk the index either way.
    if sort is PostSort.oldest:
        oldest = published_at.asc().nulls_last() if may_include_drafts else published_at.asc()
        return [oldest, post_id.asc()]
    newest = published_at.desc().nulls_last() if may_include_drafts else published_at.desc()
    return [newest, post_id.desc()]


POSTS = Post.metadata.tables["posts"]
SOURCES = Post.metadata.tables["sources"]
USERS = Post.metadata.tables["users"]
TAGS = Post.metadata.tables["tags"]
POST_TAGS = Post.metadata.tables["post_tags"]
DOCUMENTS = Post.metadata.tables["post_documents"]
DOCUMENT_QUEUE = Post.metadata.tables["post_document_queue"]
_LONG_TEXT = ("body", "body_html", "excerpt")


class PostRow(NamedTuple):
    """A post as ``rows_statement`` reads it, with its source and author: the one declaration
    of those columns (the statement selects them by these names, in this order), so adding
    one is a single edit here and every reader gets it by name."""

    id: int
    slug: str
    title: str
    status: str
    published_at: datetime | None
    published_date: date | None
    original_url: str | None
    credit: str | None
    language: str
    # Text, or with ``long_text_as_json`` an ``orjson.Fragment`` of the JSON the database made.
    body: Any
    body_html: Any
    excerpt: Any
    likes: int
    author_id: int
    created_at: datetime
    updated_at: datetime
    source_id: int | None
    source_slug: str | None
    source_name: str | None
    author_name: str


# The fields of a PostRow that come from the joined tables; every other one is the post's
# column of the same name.
_JOINED: dict[str, ColumnElement[Any]] = {
    "source_id": SOURCES.c.id,
    "source_slug": SOURCES.c.slug,
    "source_name": SOURCES.c.name,
    "author_name": USERS.c.name,
}
_POST_COLUMNS = tuple(name for name in PostRow._fields if name not in _JOINED)


def _rows(*, long_text_as_json: bool) -> Select[Any]:
    def column(name: str) -> ColumnElement[Any]:
        if name in _JOINED:
            return _JOINED[name].label(name)
        if long_text_as_json and name in _LONG_TEXT:
            return json_text(POSTS.c[name]).label(name)
        return POSTS.c[name]

    return select(*(column(name) for name in PostRow._fields)).select_from(
        POSTS.outerjoin(SOURCES, SOURCES.c.id == POSTS.c.source_id).join(
            USERS, USERS.c.id == POSTS.c.author_id
        )
    )


# Plain table columns, not ORM entities: rows come back as tuples and go straight into the
# response models, which is several times cheaper than loading Post objects first.
_ROWS = _rows(long_text_as_json=False)
# For JSON made without the models: the long texts come as JSON the database wrote.
_JSON_ROWS = _rows(long_text_as_json=True)


def post_rows(rows: Iterable[Sequence[Any]]) -> list[PostRow]:
    """Rows of ``rows_statement`` (from a session or a driver cursor) as PostRows."""
    return [PostRow._make(row) for row in rows]


def post_document(row: PostRow, tags: list[TagJson], zone: ZoneInfo) -> dict[str, Any]:
    """A post's row as PostPublic's fields, in their order, with plain values: what its JSON
    is made of."""
    published_at = row.published_at
    return {
        "id": row.id,
        "slug": row.slug,
        "title": row.title,
        "status": row.status,
        "published_at": published_at.astimezone(zone) if published_at else None,
        "date": row.published_date,
        "source": None
        if row.source_id is None
        else {"id": row.source_id, "slug": row.source_slug, "name": row.source_name},
        "original_url": row.original_url,
        "credit": row.credit,
        "language": row.language,
        "tags": tags,
        "body": row.body,
        "body_html": row.body_html,
        "excerpt": row.excerpt,
        "likes": row.likes,
        "author": {"id": row.author_id, "name": row.author_name},
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def to_public(row: PostRow, tags: list[TagJson], zone: ZoneInfo) -> PostPublic:
    """A post's row as the response model."""
    fields = post_document(row, tags, zone)
    source = fields["source"]
    # Built without validation: every value comes from a row the write path validated.
    return PostPublic.model_construct(
        **fields
        | {
            "status": PostStatus(fields["status"]),
            "source": None if source is None else SourceRef.model_construct(**source),
            "author": AuthorRef.model_construct(**fields["author"]),
            "tags": [TagRef.model_construct(**tag) for tag in tags],
        }
    )


def written_row(
    post_id: int, columns: Mapping[str, Any], *, source: Source | None, author_name: str
) -> PostRow:
    """A post just inserted with ``columns`` (as stored) as the row ``rows_statement`` would
    read, without reading it: every column it has came from this write, and its source and
    author are those it was given."""
    return PostRow(
        **{name: columns[name] for name in _POST_COLUMNS if name != "id"},
        id=post_id,
        source_id=source.id if source else None,
        source_slug=source.slug if source else None,
        source_name=source.name if source else None,
        author_name=author_name,
    )


def rows_statement(
    where: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[object]],
    *,
    limit: int | ColumnElement[int] | None = None,
    offset: int | ColumnElement[int] = 0,
    long_text_as_json: bool = False,
) -> Select[Any]:
    """The posts (with source and author) that ``where`` selects, in ``order``; with
    ``long_text_as_json``, body, HTML and excerpt come as ``orjson.Fragment``.

    The page is found on the ids alone, which the indexes cover, so rows skipped by OFFSET
    are never read in full; then only its own rows are joined and loaded."""
    rows = _JSON_ROWS if long_text_as_json else _ROWS
    return rows.where(_in_page(where, order, limit, offset)).order_by(*order)


def current_document(
    zone: str | ColumnElement[str], document_format: str | ColumnElement[str]
) -> ColumnElement[bool]:
    """A post's stored document, joined to ``POSTS``, that a read in ``zone`` may use: one of
    the format this process makes (see app.posts.documents), of a post not queued to have it
    stored again. Any other is treated as none."""
    return and_(
        DOCUMENTS.c.post_id == POSTS.c.id,
        DOCUMENTS.c.zone == zone,
        DOCUMENTS.c.format == document_format,
        # A rename leaves its posts' documents in place, queued (deleting 18,000 of them
        # held SQLite's write lock for seconds): the queue row says the document is stale.
        ~select(DOCUMENT_QUEUE.c.post_id)
        .where(DOCUMENT_QUEUE.c.post_id == DOCUMENTS.c.post_id)
        .exists(),
    )


class StoredDocument(NamedTuple):
    """A row of ``documents_statement``."""

    post_id: int
    document: bytes | None  # None: the post has no current document


# Where each field sits in a row: for the read path's hottest loop, which reads a page's rows
# as the driver gives them rather than making a StoredDocument of each (20 to 100 per page).
STORED_POST_ID = StoredDocument._fields.index("post_id")
STORED_DOCUMENT = StoredDocument._fields.index("document")


def documents_statement(
    where: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[object]],
    *,
    zone: str | ColumnElement[str],
    document_format: str | ColumnElement[str],
    limit: int | ColumnElement[int] | None = None,
    offset: int | ColumnElement[int] = 0,
) -> Select[int, bytes | None]:
    """The ids of the posts ``rows_statement`` gives, in its order, each with its stored
    document in ``zone`` and ``document_format`` (None when it has no current one: see
    app.posts.documents)."""
    return (
        select(POSTS.c.id.label("post_id"), DOCUMENTS.c.document)
        .select_from(POSTS.outerjoin(DOCUMENTS, current_document(zone, document_format)))
        .where(_in_page(where, order, limit, offset))
        .order_by(*order)
    )


def _in_page(
    where: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[object]],
    limit: int | ColumnElement[int] | None,
    offset: int | ColumnElement[int],
) -> ColumnElement[bool]:
    page = select(col(Post.id)).where(*where).order_by(*order).offset(offset)
    if limit is not None:
        page = page.limit(limit)
    return POSTS.c.id.in_(page.scalar_subquery())


def count_statement(where: Sequence[ColumnElement[bool]]) -> Select[int]:
    return select(func.count()).select_from(Post).where(*where)


def fetch_posts(
    session: Session,
    *,
    where: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[object]],
    zone: ZoneInfo,
    limit: int | None = None,
    offset: int = 0,
) -> list[PostPublic]:
    # Core statements on the connection skip the ORM's autoflush: a write path that reads back
    # what it has just added needs its pending rows in the database first.
    session.flush()
    query = rows_statement(where, order, limit=limit, offset=offset)
    return _public_posts(session, post_rows(session.connection().execute(query)), zone)


class KeyedPosts(NamedTuple):
    """Posts, each with its value of the column a list is sorted by (for its cursor)."""

    items: list[PostPublic]
    keys: list[Any]


def fetch_keyed_posts(
    session: Session,
    *,
    where: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[object]],
    key: ColumnElement[object],
    zone: ZoneInfo,
    limit: int,
    offset: int = 0,
) -> KeyedPosts:
    """As ``fetch_posts``, with each post's value of ``key``, read in the same query."""
    session.flush()
    query = rows_statement(where, order, limit=limit, offset=offset).add_columns(key)
    rows = session.connection().execute(query).all()
    posts = _public_posts(session, post_rows(row[:-1] for row in rows), zone)
    return KeyedPosts(items=posts, keys=[row[-1] for row in rows])


def _public_posts(session: Session, rows: list[PostRow], zone: ZoneInfo) -> list[PostPublic]:
    tags = tags_by_post(session.connection(), [row.id for row in rows])
    return [to_public(row, tags.get(row.id, []), zone) for row in rows]


def total_of(
    session: Session,
    where: Sequence[ColumnElement[bool]],
    *,
    public_key: Hashable | None = None,
    total_statement: Select[int] | None = None,
    total: int | None = None,
) -> int:
    """How many posts ``where`` selects. Give ``public_key`` (what identifies ``where``) only
    when ``where`` selects public posts alone: their total is then kept per content version.
    ``total_statement``, when given, counts the same posts faster than counting ``where``;
    ``total``, when given, is their count, known already."""

    def count() -> int:
        if total is not None:
            return total
        statement = count_statement(where) if total_statement is None else total_statement
        return session.scalar(statement) or 0

    return count() if public_key is None else memo_for(session).get(session, public_key, count)


def page_of_posts(
    session: Session,
    *,
    where: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[object]],
    paging: PageParams,
    zone: ZoneInfo,
    public_key: Hashable | None = None,
    total_statement: Select[int] | None = None,
    total: int | None = None,
) -> Page[PostPublic]:
    """One page and the total (see ``total_of`` for ``public_key``, ``total_statement`` and
    ``total``)."""
    found = total_of(
        session, where, public_key=public_key, total_statement=total_statement, total=total
    )
    items: list[PostPublic] = []
    if paging.offset < found:
        items = fetch_posts(
            session,
            where=where,
            order=order,
            zone=zone,
            limit=paging.per_page,
            offset=paging.offset,
        )
    return Page(items=items, total=found, page=paging.page, per_page=paging.per_page)


def source_ids(session: Session, slugs: Sequence[str]) -> list[int]:
    """The ids of the sources with these slugs (unknown slugs have none)."""
    return list(session.scalars(select(col(Source.id)).where(col(Source.slug).in_(slugs))))


def in_sources(ids: Sequence[int]) -> ColumnElement[bool]:
    """Posts of these sources (no ids match nothing).

    Ids, not slugs: given literal ids, both databases walk the (source_id, status,
    published_at) index in order, where a subquery left SQLite reading every newer post in
    full to test its source."""
    return col(Post.source_id).in_(ids) if ids else false()


def has_tag(slug: str | ColumnElement[str]) -> ColumnElement[bool]:
    return col(Post.id).in_(
        select(col(PostTag.post_id))
        .join(Tag, col(Tag.id) == col(PostTag.tag_id))
        .where(col(Tag.slug) == slug)
    )
