"""One action on many posts, all or nothing: every post is checked (it exists for the caller,
the caller may do this to it, its version is the one asked for) before any is changed, and
one refusal refuses the whole request, naming every refused post.

The posts are read and locked in one query (in id order, so two bulk requests over the same
posts lock them in the same order and never deadlock); each is changed in memory by the same
steps its single-post request takes (``service.check_may_change``, ``trash.move_to_trash``,
``trash.bring_back``, the workflow's ``decide``), and written in one flush, their tags in a
few statements and their events in one insert: a fixed number of statements for up to 100
posts. Revisions and stored documents follow from the write hooks, as for any write.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import defer
from sqlmodel import Session, col

from app.auth.service import Viewer
from app.core.errors import (
    BulkRefused,
    DomainError,
    InvalidInput,
    NotFound,
    PreconditionRequired,
    RefusedItem,
)
from app.core.preconditions import etag_matches, version_etag
from app.core.types import as_aware, utcnow
from app.derived.versions import keep_versions
from app.events.record import Entry, record_all
from app.posts import service, tags, trash
from app.posts.models import TAGS_PER_POST_MAX, Post, PostStatus
from app.posts.schemas import BulkAction, BulkItem, BulkRequest, BulkResult
from app.posts.visibility import is_published
from app.posts.workflow import check_status_asked

_POSTS = Post.metadata.tables["posts"]
# What a step may change of a post (the rows are locked: nobody else changes them meanwhile).
_WRITTEN = ("status", "published_at", "published_date", "trashed_at", "trashed_from", "updated_at")
# The status each status-changing action asks for, as PATCH with that status would.
_STATUS_OF = {
    BulkAction.publish: PostStatus.published,
    BulkAction.unpublish: PostStatus.draft,
    BulkAction.schedule: PostStatus.scheduled,
}

Step = Callable[[Post], list[Entry]]


def bulk_change(
    session: Session,
    *,
    viewer: Viewer,
    request: BulkRequest,
    zone: ZoneInfo,
    require_if_match: bool = False,
) -> BulkResult:
    """Do ``request``'s action to every post it names, or to none; ``require_if_match``:
    each post must have its ETag in ``if_match`` (428 otherwise), as a server that
    requires If-Match asks of a single write."""
    if require_if_match and (missing := [i for i in request.ids if str(i) not in request.if_match]):
        raise PreconditionRequired(
            "if_match: this server requires each post's ETag from a read; missing for "
            f"{', '.join(map(str, missing))}. Nothing was changed."
        )
    posts = _locked(session, viewer, request.ids)
    step = _step(session, viewer, request, zone, posts)
    refused: list[RefusedItem] = []
    entries: list[Entry] = []
    for post_id in request.ids:
        post = posts.get(post_id)
        try:
            if post is None:
                raise NotFound(f"There is no post {post_id}.")
            etag = request.if_match.get(str(post_id))
            # The caller's rights before the version, as for one post: a 412 tells of a
            # post's version only to someone who may change it.
            done = step(post)
            if etag is not None and not etag_matches(etag, post.version):
                raise _Stale(post.version)
        except DomainError as error:
            refused.append(RefusedItem(id=post_id, status=error.status, detail=error.detail))
            continue
        entries += done
    if refused:
        raise BulkRefused(refused)
    versions = _write(session, [posts[post_id] for post_id in request.ids])
    if request.action is BulkAction.retag:
        tags.retag(session, request.ids, add=request.add_tags, remove=request.remove_tags)
        # The links' triggers stepped the versions once per link; this write steps each by one.
        keep_versions(session.connection(), _POSTS, versions)
    record_all(session, entries)
    items = [
        BulkItem(id=post_id, status=PostStatus(posts[post_id].status),
                 etag=version_etag(versions[post_id]))
        for post_id in request.ids
    ]  # fmt: skip
    return BulkResult(action=request.action, items=items)


def _write(session: Session, posts: list[Post]) -> dict[int, int]:
    """Write what the steps changed of ``posts`` in one statement (executed for each row),
    each version one up; their new versions by id. The ORM would send an UPDATE per post."""
    rows = []
    for post in posts:
        assert post.id is not None
        rows.append(
            {"row_id": post.id, **{f"new_{name}": getattr(post, name) for name in _WRITTEN}}
        )
        session.expunge(post)  # its changes are written here, not by a flush
    statement = (
        update(_POSTS)
        .where(_POSTS.c.id == bindparam("row_id"))
        .values(
            version=_POSTS.c.version + 1, **{name: bindparam(f"new_{name}") for name in _WRITTEN}
        )
    )
    session.connection().execute(statement, rows)
    return {post.id: post.version + 1 for post in posts if post.id is not None}


class _Stale(DomainError):
    status = 412

    def __init__(self, version: int) -> None:
        super().__init__(f"The post is at {version_etag(version)} now; nothing was changed.")


def _locked(session: Session, viewer: Viewer, ids: Sequence[int]) -> dict[int, Post]:
    """The posts the caller may see (as ``service.writable_post`` decides for one), locked
    for this write, by id."""
    # Without their texts: up to 100 bodies and their HTML are not needed to change a status.
    texts = [defer(getattr(Post, name)) for name in ("body", "body_html", "excerpt")]
    found = session.scalars(
        select(Post)
        .where(col(Post.id).in_(ids))
        .order_by(col(Post.id))
        .options(*texts)
        .with_for_update()
    ).all()
    return {
        post.id: post for post in found if post.id is not None and service.may_see(viewer, post)
    }


def _step(
    session: Session,
    viewer: Viewer,
    request: BulkRequest,
    zone: ZoneInfo,
    posts: dict[int, Post],
) -> Step:
    """What the action does to one post: checks (a domain error refuses it) and changes in
    memory, returning the post's events."""
    now = utcnow()
    if request.action is BulkAction.trash:
        return lambda post: trash.move_to_trash(viewer, post)
    if request.action is BulkAction.restore:
        return lambda post: trash.bring_back(viewer, post, zone)
    if request.action is BulkAction.retag:
        # Slugged once, not for each post: this runs while SQLite's write lock is held.
        change = _Retagging(tags.tag_slugs(session, list(posts)), tags.slugs_of(request.add_tags),
                            tags.slugs_of(request.remove_tags))  # fmt: skip
        return lambda post: _retag(viewer, post, change, now)
    status = _STATUS_OF[request.action]
    check_status_asked(viewer, status)
    published_at = as_aware(request.published_at, zone) if request.published_at else None
    return lambda post: _change_status(viewer, post, status, published_at, zone, now)


def _change_status(
    viewer: Viewer,
    post: Post,
    status: PostStatus,
    published_at: datetime | None,
    zone: ZoneInfo,
    now: datetime,
) -> list[Entry]:
    """As PATCH with ``status`` (and ``published_at``) does."""
    service.check_may_change(viewer, post)
    was_visible, status_before = is_published(post.status), post.status
    fields = ["status"]
    post.status = status.value
    if published_at is not None:
        post.published_at = published_at
        fields.append("published_at")
    post.updated_at = now
    service.apply_publication(post, zone)
    return service.edit_entries(
        post, was_visible=was_visible, status_before=status_before, fields=fields
    )


class _Retagging(NamedTuple):
    current: dict[int, set[str]]  # each post's tag slugs now
    adding: set[str]
    removing: set[str]


def _retag(viewer: Viewer, post: Post, change: _Retagging, now: datetime) -> list[Entry]:
    service.check_may_change(viewer, post)
    assert post.id is not None
    after = (change.current.get(post.id, set()) - change.removing) | change.adding
    if len(after) > TAGS_PER_POST_MAX:
        raise InvalidInput(
            f"tags: the post would have {len(after)} tags; at most {TAGS_PER_POST_MAX}."
        )
    # The row is written, so its version steps with the links (see keep_versions above).
    post.updated_at = now
    return service.edit_entries(
        post, was_visible=is_published(post.status), status_before=post.status, fields=["tags"]
    )
