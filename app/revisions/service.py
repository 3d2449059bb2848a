"""Revisions: listing a post's, reading one with its differences, restoring one."""

from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import Row, func, select
from sqlmodel import Session, col

from app.auth.service import Viewer
from app.core.errors import Conflict, Forbidden, NotFound, first_error
from app.core.pagination import Page, PageParams
from app.core.preconditions import UNCONDITIONAL, Precondition, Versioned
from app.events import posts as post_events
from app.events.actor import ActorKind
from app.events.record import Action, Ref, record
from app.posts import service as posts
from app.posts.models import Post
from app.posts.queries import by_id_or_slug
from app.posts.schemas import PostPublic, PostUpdate
from app.posts.visibility import published
from app.revisions import diff, snapshots
from app.revisions.keeping import REVISIONS
from app.revisions.schemas import (
    BodyDiff,
    FieldChange,
    HunkPublic,
    RevisionActor,
    RevisionDetail,
    RevisionSnapshot,
    RevisionSummary,
)
from app.sources.models import Source

_SUMMARY = (
    REVISIONS.c.number,
    REVISIONS.c.created_at,
    REVISIONS.c.actor_kind,
    REVISIONS.c.actor_user_id,
    REVISIONS.c.actor_name,
    REVISIONS.c.changed,
)


def revised_post(session: Session, viewer: Viewer, id_or_slug: str) -> int:
    """The id of the post whose revisions ``viewer`` may read: editors any post's, authors
    their own posts' (what a post was before is not public, even when the post is)."""
    found = session.execute(
        select(col(Post.id), col(Post.author_id), published().label("public")).where(
            by_id_or_slug(id_or_slug)
        )
    ).one_or_none()
    if found is None:
        raise NotFound(f"There is no post {id_or_slug!r}.")
    if viewer.is_editor or found.author_id == viewer.user_id:
        post_id: int = found.id
        return post_id
    if found.public:
        raise Forbidden("Only editors and the post's author read its revisions.")
    # Another author's draft or scheduled post is invisible to them: say nothing of it.
    raise NotFound(f"There is no post {id_or_slug!r}.")


def _summary(row: Row[Any]) -> RevisionSummary:
    return RevisionSummary(
        number=row.number,
        created_at=row.created_at,
        actor=RevisionActor(
            kind=ActorKind(row.actor_kind), user_id=row.actor_user_id, name=row.actor_name
        ),
        changed=list(row.changed),
    )


def list_revisions(
    session: Session, *, viewer: Viewer, id_or_slug: str, paging: PageParams
) -> Page[RevisionSummary]:
    """A post's revisions, newest first, without their snapshots."""
    post_id = revised_post(session, viewer, id_or_slug)
    of_post = REVISIONS.c.post_id == post_id
    total = session.scalar(select(func.count()).select_from(REVISIONS).where(of_post)) or 0
    rows = session.execute(
        select(*_SUMMARY)
        .where(of_post)
        .order_by(REVISIONS.c.number.desc())
        .offset(paging.offset)
        .limit(paging.per_page)
    ).all()
    return Page(
        items=[_summary(row) for row in rows],
        total=total,
        page=paging.page,
        per_page=paging.per_page,
    )


class _Found(NamedTuple):
    post_id: int
    row: Row[Any]
    snapshot: snapshots.Snapshot
    previous: snapshots.Snapshot | None


def _revision(session: Session, viewer: Viewer, id_or_slug: str, number: int) -> _Found:
    """The revision ``number`` of a post and the one before it, in one query."""
    post_id = revised_post(session, viewer, id_or_slug)
    rows = {
        row.number: row
        for row in session.execute(
            select(*_SUMMARY, REVISIONS.c.snapshot).where(
                REVISIONS.c.post_id == post_id, REVISIONS.c.number.in_([number - 1, number])
            )
        )
    }
    if number not in rows:
        raise NotFound(f"The post {id_or_slug!r} has no revision {number}.")
    before = rows.get(number - 1)
    return _Found(
        post_id,
        rows[number],
        snapshots.decode(rows[number].snapshot),
        snapshots.decode(before.snapshot) if before is not None else None,
    )


def get_revision(
    session: Session, *, viewer: Viewer, id_or_slug: str, number: int
) -> RevisionDetail:
    """A revision's snapshot and its differences from the one before: the changed fields
    with both values, and the body's line diff (its cost bounded, see app.revisions.diff)."""
    found = _revision(session, viewer, id_or_slug, number)
    snapshot, base = found.snapshot, found.previous or snapshots.EMPTY
    changed = snapshots.changed(base, snapshot)
    body_diff = None
    if "body" in changed:
        body_diff = _body_diff(diff.line_diff(base["body"], snapshot["body"]))
    return RevisionDetail(
        **dict(_summary(found.row)),
        previous=number - 1 if found.previous is not None else None,
        snapshot=RevisionSnapshot.model_validate(snapshot),
        changes=[
            FieldChange(field=name, old=base[name], new=snapshot[name])
            for name in changed
            if name != "body"
        ],
        body_diff=body_diff,
    )


_MARKS: dict[diff.LineKind, str] = {"context": " ", "removed": "-", "added": "+"}


def _body_diff(lines: diff.LineDiff) -> BodyDiff:
    return BodyDiff(
        hunks=[
            HunkPublic(
                old_start=hunk.old_start,
                old_lines=hunk.old_lines,
                new_start=hunk.new_start,
                new_lines=hunk.new_lines,
                lines=[_MARKS[line.kind] + line.text for line in hunk.lines],
            )
            for hunk in lines.hunks
        ],
        minimal=lines.minimal,
    )


class Restoration(NamedTuple):
    """What restoring a revision writes: the post, its content as an edit, and its excerpt."""

    post_id: int
    number: int
    data: PostUpdate
    excerpt: str
    source_id: int | None


def restoration(session: Session, *, viewer: Viewer, id_or_slug: str, number: int) -> Restoration:
    """A revision's content fields as an edit of its post (read first, so that the body is
    rendered before the write begins)."""
    found = _revision(session, viewer, id_or_slug, number)
    fields = {name: found.snapshot[name] for name in snapshots.RESTORED_FIELDS}
    excerpt = fields.pop("excerpt")
    try:
        data = PostUpdate.model_validate(fields)
    except ValidationError as error:
        raise Conflict(
            f"Revision {number} cannot be written back as it is: {first_error(error.errors())}."
        ) from error
    return Restoration(found.post_id, number, data, excerpt, fields["source_id"])


def restore_revision(
    session: Session,
    *,
    viewer: Viewer,
    restoring: Restoration,
    data: PostUpdate,
    zone: ZoneInfo,
    precondition: Precondition = UNCONDITIONAL,
) -> Versioned[PostPublic]:
    """Put a revision's content back as an edit of its post, through the posts' own update
    (the same permissions: authors only their own drafts), which makes it a new revision.
    Its status and publication time stay as they are now: restoring an old text never
    publishes, unpublishes or reschedules a post. ``data``: ``restoring.data``, prepared;
    ``precondition``: the If-Match the post must still meet."""
    if restoring.source_id is not None and session.get(Source, restoring.source_id) is None:
        raise Conflict(
            f"Revision {restoring.number} names the source {restoring.source_id}, which no "
            "longer exists; nothing was restored."
        )
    restored = posts.update_post(
        session,
        viewer=viewer,
        id_or_slug=str(restoring.post_id),
        data=data.with_excerpt(restoring.excerpt),
        zone=zone,
        precondition=precondition,
    )
    post = restored.item
    about = post_events.post_data(title=post.title, slug=post.slug, number=restoring.number)
    record(session, Action.post_revision_restored, Ref("post", post.id), about)
    return restored
