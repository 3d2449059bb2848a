"""Posts: listing, reading, writing and liking."""

from collections.abc import Hashable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, Executable, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.auth.service import Viewer
from app.core.db import insert_ignoring_duplicates, on_conflict_do_nothing
from app.core.errors import Conflict, InvalidInput, NotFound, Unauthorized
from app.core.html import make_excerpt, render_markdown
from app.core.pagination import PageParams
from app.core.preconditions import UNCONDITIONAL, Precondition, Versioned, check_version
from app.core.slugs import lock_slug, unique_slug
from app.core.types import as_aware, utcnow
from app.derived.versions import FIRST_VERSION, keep_versions
from app.events import posts as post_events
from app.events.record import Entry, record_all
from app.posts import cursor as post_cursor
from app.posts import documents, queries, tag_refs, written
from app.posts.listing import listed_page
from app.posts.models import Post, PostLike, PostStatus
from app.posts.schemas import (
    PostCreate,
    PostCreated,
    PostFilters,
    PostPage,
    PostPublic,
    PostUpdate,
)
from app.posts.tags import set_tags
from app.posts.visibility import is_published, public_total, published
from app.posts.workflow import check_author_may_change, check_status_asked, decide
from app.revisions.keeping import keep_first
from app.search.matching import COUNTED, matches, newest_matches, sources_in_index
from app.search.query import parse
from app.sources.matching import SourceMatch, match_source
from app.sources.models import Source
from app.sources.schemas import SourceMatchPublic

# Attempts at a post's slug when writers running at the same time take the one it was given.
SLUG_ATTEMPTS = 10
_POSTS = Post.metadata.tables["posts"]


def list_posts(
    session: Session,
    *,
    viewer: Viewer | None,
    filters: PostFilters,
    paging: PageParams,
    zone: ZoneInfo,
    languages: Sequence[str],
    cursor: str | None = None,
    cursor_key: bytes = b"",
) -> PostPage:
    """A page of posts by number, or with ``cursor`` the page after it; every page with the
    cursor of the next, sealed with ``cursor_key`` (without one, as a feed reads its posts,
    none)."""
    after = post_cursor.starting_after(cursor, filters.sort, cursor_key, paging)
    statuses = statuses_asked(viewer, filters, doing="Listing")
    sources = queries.source_ids(session, filters.source) if filters.source else None
    # Whatever narrows the list beyond visibility and sources: a public total of the kept
    # per-source counts holds only without any of it.
    narrowing = narrowed_by(filters, zone)
    after_time = as_aware(filters.after, zone) if filters.after else None
    before_time = as_aware(filters.before, zone) if filters.before else None
    where = [queries.listed_for(viewer, statuses)]
    if sources is not None:
        where.append(queries.in_sources(sources))
    where += narrowing
    may_include_drafts = statuses != {PostStatus.published}
    order = queries.sort_order(filters.sort, may_include_drafts=may_include_drafts)
    public_key = total_statement = None
    total: int | None = None
    if viewer is None:
        public_key = public_list_key(
            sources=filters.source, tag=filters.tag, day=filters.date, after=after_time,
            before=before_time, q=filters.q,
        )  # fmt: skip
        if not narrowing and not filters.q:
            total_statement = public_total(sources)
    if filters.q:
        # Narrowed by a search, the list holds the newest COUNTED matches, as search
        # counts them: a word in every post costs the same at a million posts as at a
        # thousand. One more is counted, to tell whether there are more.
        # The sources' tokens narrow the matches in the index; the posts' source_id decides.
        dialect = session.get_bind().dialect.name
        found = matches(parse(filters.q, languages), dialect, sources or ())
        # More than visibility asked of the posts: a tag, times, sources not in the index.
        narrowed = bool(narrowing) or (sources is not None and not sources_in_index(sources))
        newest = newest_matches(session, found, where, counting=COUNTED, narrowed=narrowed)
        # Counted already when the matches were read (PostgreSQL): not found again.
        total = newest.counted(COUNTED + 1)
        if total is None:
            total_statement = queries.count_statement([*where, newest.first(COUNTED + 1)])
        where.append(newest.first(COUNTED))
    counted = queries.total_of(
        session, where, public_key=public_key, total_statement=total_statement, total=total
    )
    page = listed_page(
        session, where=where, order=order, sort=filters.sort, paging=paging, after=after,
        may_include_drafts=may_include_drafts, total=min(counted, COUNTED), zone=zone,
    )  # fmt: skip
    return PostPage(
        items=page.items,
        total=min(counted, COUNTED),
        total_exact=counted <= COUNTED,
        page=None if after is not None else paging.page,
        per_page=paging.per_page,
        next_cursor=None
        if page.following is None or not cursor_key
        else post_cursor.encode(page.following, cursor_key),
    )


def statuses_asked(viewer: Viewer | None, filters: PostFilters, *, doing: str) -> set[PostStatus]:
    """The statuses ``filters`` ask for (published by default); 401 for anything else
    without a token."""
    statuses = set(filters.status) or {PostStatus.published}
    if statuses != {PostStatus.published} and viewer is None:
        raise Unauthorized(f"{doing} posts that are not published needs an API token.")
    return statuses


def narrowed_by(filters: PostFilters, zone: ZoneInfo) -> list[ColumnElement[bool]]:
    """What ``filters`` ask of posts beyond their status, their sources and a search: a tag,
    a day, times."""
    where: list[ColumnElement[bool]] = []
    if filters.tag:
        where.append(queries.has_tag(filters.tag))
    if filters.date:
        where.append(col(Post.published_date) == filters.date)
    if filters.after:
        where.append(col(Post.published_at) > as_aware(filters.after, zone))
    if filters.before:
        where.append(col(Post.published_at) < as_aware(filters.before, zone))
    return where


def public_list_key(
    *,
    sources: Sequence[str] = (),
    tag: str | None = None,
    day: date | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
    q: str | None = None,
) -> Hashable:
    """What identifies a public list's filters: its total is kept under this key."""
    return ("posts", tuple(sources), tag, day, after, before, q)


def get_post(
    session: Session, *, viewer: Viewer | None, id_or_slug: str, zone: ZoneInfo
) -> PostPublic:
    found = queries.fetch_posts(
        session,
        where=[queries.by_id_or_slug(id_or_slug), queries.readable_by(viewer)],
        order=[],
        zone=zone,
        limit=1,
    )
    if not found:
        raise NotFound(f"There is no post {id_or_slug!r}.")
    return found[0]


def get_versioned_post(
    session: Session, *, viewer: Viewer, id_or_slug: str, zone: ZoneInfo
) -> Versioned[PostPublic]:
    """One post as a writer reads it, with its version for the ETag. The version is read
    first: on PostgreSQL a write may commit between the two statements, and an ETag older
    than the body costs a needless 412 at worst, where a newer one would let a write made
    from the older body through."""
    version = session.scalar(
        select(col(Post.version)).where(
            queries.by_id_or_slug(id_or_slug), queries.readable_by(viewer)
        )
    )
    if version is None:
        raise NotFound(f"There is no post {id_or_slug!r}.")
    return Versioned(get_post(session, viewer=viewer, id_or_slug=id_or_slug, zone=zone), version)


def writable_post(session: Session, viewer: Viewer, id_or_slug: str) -> Post:
    """The post a write names, locked for this write (PostgreSQL: FOR UPDATE; SQLite's write
    transaction holds the whole database), if this caller may see it: any post for editors;
    for an author, their own (in any status) or a published one. Another author's
    unpublished post is not theirs to know of: 404."""
    post = session.scalars(
        select(Post).where(queries.by_id_or_slug(id_or_slug)).with_for_update()
    ).one_or_none()
    if post is None or not may_see(viewer, post):
        raise NotFound(f"There is no post {id_or_slug!r}.")
    return post


def may_see(viewer: Viewer, post: Post) -> bool:
    """Whether a writer knows of ``post``: editors of every post, authors of their own (in
    any status) and the published ones."""
    return viewer.is_editor or post.author_id == viewer.user_id or is_published(post.status)


def _editable_post(session: Session, viewer: Viewer, id_or_slug: str) -> Post:
    post = writable_post(session, viewer, id_or_slug)
    check_may_change(viewer, post)
    return post


def check_may_change(viewer: Viewer, post: Post) -> None:
    """Whether ``viewer`` may change a post they can see: not in the trash, and for authors
    their own drafts and pending posts only; a domain error if not."""
    if post.status == PostStatus.trashed.value:
        raise Conflict(
            f"The post {post.id} is in the trash; restore it (POST /posts/{post.id}/restore) "
            "to change it."
        )
    check_author_may_change(viewer, post)


def _check_source(session: Session, source_id: int | None) -> Source | None:
    if source_id is None:
        return None
    source = session.get(Source, source_id)
    if source is None:
        raise InvalidInput(f"source_id: there is no source {source_id}.")
    return source


def _publication(
    status: str, published_at: datetime | None, zone: ZoneInfo
) -> tuple[str, datetime | None, date | None]:
    """A post's stored status and publication time as the workflow decides them from those
    asked for (``app.posts.workflow``), and the time's local day."""
    decided = decide(PostStatus(status), published_at, utcnow())
    at = decided.published_at
    return decided.status.value, at, at.astimezone(zone).date() if at else None


def apply_publication(post: Post, zone: ZoneInfo) -> None:
    post.status, post.published_at, post.published_date = _publication(
        post.status, post.published_at, zone
    )


def _rendered(body: str, excerpt: str | None, body_html: str | None = None) -> tuple[str, str]:
    """A body's HTML and its excerpt; ``excerpt``: one written by hand instead;
    ``body_html``: ``render_markdown(body)``, when it was rendered ahead."""
    body_html = render_markdown(body) if body_html is None else body_html
    return body_html, excerpt or make_excerpt(body, rendered=body_html)


def _render(post: Post, *, excerpt: str | None = None, body_html: str | None = None) -> None:
    post.body_html, post.excerpt = _rendered(post.body, excerpt, body_html)


def written_columns(data: PostCreate, zone: ZoneInfo) -> dict[str, Any]:
    """The columns a post's content sets, as they are stored."""
    return {
        "title": data.title,
        "body": data.body,
        "status": data.status.value,
        "published_at": as_aware(data.published_at, zone) if data.published_at else None,
        "source_id": data.source_id,
        "original_url": str(data.original_url) if data.original_url else None,
        "credit": data.credit or None,
    }


def store_changed(
    session: Session,
    post: Post,
    zone: ZoneInfo,
    *,
    body_changed: bool,
    excerpt: str | None = None,
    body_html: str | None = None,
    tags: list[str] | None,
) -> None:
    """What follows a change to a stored post's columns: its status and time as the workflow
    decides them, its local day, its HTML and excerpt (when the body may have changed;
    ``body_html``: rendered ahead), the row itself with its version one up, and its tags
    (when given)."""
    apply_publication(post, zone)
    if body_changed:
        _render(post, excerpt=excerpt, body_html=body_html)
    # The ORM writes the version one up with the row, so its triggers leave it alone.
    _flush(session, post.slug)
    if tags is not None:
        assert post.id is not None
        set_tags(session, post.id, tags, replace=True)
        keep_versions(session.connection(), _POSTS, {post.id: post.version})


def _flush(session: Session, slug: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"A post with the slug {slug!r} exists already.") from exc


def new_columns(
    data: PostCreate,
    *,
    slug: str,
    author_id: int,
    zone: ZoneInfo,
    language: str,
    excerpt: str | None = None,
    body_html: str | None = None,
    **stored: Any,
) -> dict[str, Any]:
    """A new post's columns as they are stored, rendered and dated (``body_html``: the body
    rendered ahead)."""
    columns = {
        "slug": slug,
        "author_id": author_id,
        "language": data.language or language,
        **written_columns(data, zone),
        **stored,
    }
    columns["status"], columns["published_at"], columns["published_date"] = _publication(
        columns["status"], columns["published_at"], zone
    )
    columns["body_html"], columns["excerpt"] = _rendered(data.body, excerpt, body_html)
    return columns


def recognise_source(session: Session, data: PostCreate) -> tuple[PostCreate, SourceMatch | None]:
    """A new post's source as imports recognise it (see ``sources.matching``), unless it
    names one or asks not to: with the source found, the post gets it and the title without
    the suffix that named it."""
    if data.source_id is not None or not data.recognize_source:
        return data, None
    url = str(data.original_url) if data.original_url is not None else None
    match = match_source(session, title=data.title, url=url)
    if match.source is None:
        return data, match  # nothing to attach: the title stays as it was sent
    return data.model_copy(
        update={"source_id": match.source.id, "title": match.title or data.title}
    ), match


def create_post(
    session: Session, *, viewer: Viewer, data: PostCreate, zone: ZoneInfo, language: str
) -> PostCreated:
    check_status_asked(viewer, data.status)
    data = data.prepared()  # done before the transaction began, unless the caller skipped it
    rendered = data.rendered
    assert rendered is not None
    data, match = recognise_source(session, data)
    source = _check_source(session, data.source_id)
    now = utcnow()
    columns = new_columns(
        data,
        slug=data.slug or _free_slug(session, data.title),
        author_id=viewer.user_id,
        zone=zone,
        language=language,
        excerpt=rendered.excerpt,
        body_html=rendered.html,
        created_at=now,
        updated_at=now,
        likes=0,
    )
    post_id = _insert_post(session, columns, slug_given=data.slug is not None)
    set_tags(session, post_id, data.tags, replace=False)
    if data.tags:
        keep_versions(session.connection(), _POSTS, {post_id: FIRST_VERSION})
    # The tags are read back: an existing tag keeps its own spelling, and their order is the
    # database's collation, as every read gives it.
    tags = written.tags_of(session, post_id) if data.tags else []
    row = queries.written_row(post_id, columns, source=source, author_name=viewer.name)
    # Its document and its first revision, from the same values, so the commit need not read
    # the post back for them.
    documents.put(session.connection(), row, tags, zone)
    keep_first(session.connection(), post_id, row._asdict(), tag_refs.tag_names(tags))
    status = columns["status"]
    about = post_events.post_data(title=row.title, slug=row.slug, status=status)
    record_all(session, post_events.created(post_id, visible=is_published(status), data=about))
    public = queries.to_public(row, tags, zone)
    found = SourceMatchPublic.model_validate(match, from_attributes=True) if match else None
    return PostCreated(**dict(public), source_match=found)


def _free_slug(session: Session, title: str) -> str:
    return unique_slug(session, col(Post.slug), title, fallback="beitrag")


# A new post goes in as a row, its id returned, as an import's batch does: an ORM object
# (validated on construction, then flushed by the unit of work) cost a quarter of a
# creation's time in its transaction, and nothing reads it again. Its sort key comes from
# the column's default, its version from the server's. One statement per database, built once.
_INSERT_POST: dict[str, Executable] = {}


def _insert_statement(connection: Connection) -> Executable:
    name = connection.dialect.name
    if name not in _INSERT_POST:
        inserting = on_conflict_do_nothing(connection, _POSTS, ["slug"])
        _INSERT_POST[name] = inserting.returning(_POSTS.c.id)
    return _INSERT_POST[name]


def _insert_post(session: Session, columns: dict[str, Any], *, slug_given: bool) -> int:
    """Insert a new post's ``columns``, returning its id; a slug it was not given is chosen
    again (in ``columns``) while other writers take it.

    On PostgreSQL writers run side by side: two creates with one title both find its slug
    free, and the second one's insert waits for the first to end. Rather than failing then
    (which would take a savepoint around every insert, two more statements, to survive),
    the insert skips a slug that is taken by then and returns no id; the next free slug is
    looked up again (the other writer's row is committed by then), holding the title's slug
    lock from then on: writers that collided once choose one after the other, or twenty at
    once would collide up to twenty times. On SQLite, whose writers take turns, the slug
    this transaction found free under its write lock stays free. A slug the client chose
    stays theirs to change: 409."""
    connection = session.connection()
    statement = _insert_statement(connection)
    for attempt in range(1, SLUG_ATTEMPTS + 1):
        post_id = connection.execute(statement, columns).scalar()
        if post_id is not None:
            return int(post_id)
        if slug_given or attempt == SLUG_ATTEMPTS:
            raise Conflict(f"A post with the slug {columns['slug']!r} exists already.")
        lock_slug(session, columns["title"], fallback="beitrag")
        columns["slug"] = _free_slug(session, columns["title"])
    raise AssertionError("unreachable: the last attempt returns or raises")


_NOT_NULL = {"title", "body", "slug", "language", "tags", "status"}


def update_post(
    session: Session,
    *,
    viewer: Viewer,
    id_or_slug: str,
    data: PostUpdate,
    zone: ZoneInfo,
    precondition: Precondition = UNCONDITIONAL,
) -> Versioned[PostPublic]:
    post = _editable_post(session, viewer, id_or_slug)
    check_post_version(session, viewer, post, zone, precondition)
    was_visible = is_published(post.status)
    status_before = post.status
    data = data.prepared()  # done before the transaction began, unless the caller skipped it
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    fields = list(changes)
    for field in _NOT_NULL & changes.keys():
        if changes[field] is None:
            raise InvalidInput(f"{field}: may be left out, but not null.")
    if "status" in changes:
        check_status_asked(viewer, changes["status"])
    if "source_id" in changes:
        _check_source(session, changes["source_id"])
    tags = changes.pop("tags", None)
    for field, value in changes.items():
        if field == "status":
            value = value.value
        elif field == "published_at" and value is not None:
            value = as_aware(value, zone)
        elif field == "original_url" and value is not None:
            value = str(value)
        setattr(post, field, value)
    post.updated_at = utcnow()
    rendered = data.rendered
    store_changed(
        session, post, zone, body_changed="body" in changes, tags=tags,
        excerpt=rendered.excerpt if rendered else None,
        body_html=rendered.html if rendered else None,
    )  # fmt: skip
    entries = edit_entries(
        post, was_visible=was_visible, status_before=status_before, fields=fields
    )
    record_all(session, entries)
    assert post.id is not None
    # Read once for the response and the post's document (the writer may read what they just
    # changed: editors any post, authors their own).
    return Versioned(written.stored_and_public(session, post.id, zone), post.version)


def edit_entries(
    post: Post, *, was_visible: bool, status_before: str, fields: list[str]
) -> list[Entry]:
    """The events of an edit of ``post`` that set ``fields``: a status the workflow changed
    because of a time (moved past or ahead) counts as set."""
    assert post.id is not None
    if post.status != status_before and "status" not in fields:
        fields = [*fields, "status"]
    about = post_events.post_data(title=post.title, slug=post.slug, status=post.status)
    return post_events.updated(
        post.id, was_visible=was_visible, visible=is_published(post.status), fields=fields,
        data=about,
    )  # fmt: skip


def check_post_version(
    session: Session, viewer: Viewer, post: Post, zone: ZoneInfo, precondition: Precondition
) -> None:
    """The write's If-Match against the post, locked by this write (``writable_post``) and
    found changeable by the viewer: every write of an existing post calls it; a 412 shows
    the post as the viewer reads it now."""
    check_version(
        precondition,
        post.version,
        current=lambda: get_post(session, viewer=viewer, id_or_slug=str(post.id), zone=zone),
    )


def like_post(session: Session, *, id_or_slug: str, client: str, zone: ZoneInfo) -> int:
    """Count one like per client, post and day; returns the post's like count."""
    found = session.execute(
        select(col(Post.id), col(Post.likes)).where(queries.by_id_or_slug(id_or_slug), published())
    ).one_or_none()
    if found is None:
        raise NotFound(f"There is no post {id_or_slug!r}.")
    post_id: int = found.id
    likes: int = found.likes
    today = utcnow().astimezone(zone).date()
    if not insert_ignoring_duplicates(session, PostLike, post_id=post_id, client=client, day=today):
        return likes
    # Built apart from the call: inline, mypy picks scalar()'s overload before it has
    # inferred the statement's type and the result degrades to Any.
    increment = (
        update(Post)
        .where(col(Post.id) == post_id)
        .values(likes=col(Post.likes) + 1)
        .returning(col(Post.likes))
    )
    updated = session.scalar(increment)
    assert updated is not None  # the row was read in this same write transaction
    return updated
