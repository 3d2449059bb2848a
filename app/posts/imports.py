"""Posts as an import writes them: a batch added together, or one brought up to date.

The importers (app.importers) decide what goes in; this is how it is stored, with the same
columns, rendering and tags as the API's writes (app.posts.service).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field
from sqlalchemy import insert
from sqlmodel import Session, col

from app.core.slugs import unique_slugs
from app.core.text import CleanText
from app.core.types import utcnow
from app.derived.versions import FIRST_VERSION, keep_versions
from app.events import posts as post_events
from app.events.record import record_all
from app.posts.models import IMPORT_KEY_MAX, Post, PostStatus
from app.posts.schemas import PostCreate
from app.posts.service import new_columns, store_changed, written_columns
from app.posts.tags import add_tags
from app.posts.visibility import is_published

_POSTS = Post.metadata.tables["posts"]

# An import key as every path that writes one checks it (importers, restore): what the column
# holds on either database.
ImportKey = Annotated[CleanText, Field(max_length=IMPORT_KEY_MAX)]


@dataclass(frozen=True, slots=True)
class PostImport:
    """A post an import brings in, with the times it has where it comes from and its
    excerpt when it has one already: written by hand (an edit of the body derives it again
    later), or derived ahead from ``body_html``."""

    data: PostCreate
    author_id: int
    slug_hint: str | None = None
    import_key: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    excerpt: str | None = None
    body_html: str | None = None  # render_markdown(data.body), when rendered ahead
    # A post in the trash where it comes from (data.status trashed): the status a restore
    # gives back, and since when.
    trashed_from: PostStatus | None = None
    trashed_at: datetime | None = None

    def trash_columns(self) -> dict[str, object]:
        return trash_columns(self.data.status, self.trashed_from, self.trashed_at)


def trash_columns(
    status: PostStatus, trashed_from: PostStatus | None, trashed_at: datetime | None
) -> dict[str, object]:
    """The trash's columns as they are stored: set only for a trashed post, which goes back
    to a draft when its former status is unknown (or is the trash itself), and counts as
    trashed now when its time is unknown."""
    if status is not PostStatus.trashed:
        return {"trashed_from": None, "trashed_at": None}
    if trashed_from is None or trashed_from is PostStatus.trashed:
        trashed_from = PostStatus.draft
    return {"trashed_from": trashed_from.value, "trashed_at": trashed_at or utcnow()}


def import_posts(
    session: Session, entries: Sequence[PostImport], *, zone: ZoneInfo, language: str
) -> None:
    """Add the posts of one import batch together: one query for their slugs, a few
    statements for the posts and a few for their tags. Each slug comes from its
    ``slug_hint`` (the file's) or the title, numbered when taken, with a word in front when
    all digits: a file's slug never fails the post. A conflict with a post written
    meanwhile raises IntegrityError, and the caller's transaction is to be rolled back."""
    slugs = unique_slugs(
        session,
        col(Post.slug),
        [entry.slug_hint or entry.data.title for entry in entries],
        fallback="beitrag",
    )
    rows = []
    for entry, slug in zip(entries, slugs, strict=True):
        created = entry.created_at or entry.data.published_at or utcnow()
        rows.append(
            new_columns(
                entry.data,
                slug=slug,
                author_id=entry.author_id,
                zone=zone,
                language=language,
                excerpt=entry.excerpt,
                body_html=entry.body_html,
                import_key=entry.import_key,
                created_at=created,
                updated_at=entry.modified_at or created,
                likes=0,
                **entry.trash_columns(),
            )
        )
    # Rows, not ORM objects, which a batch never uses again: building and flushing those was
    # a third of an import's writing. The rows come back unordered; slugs tell them apart.
    inserted = session.execute(insert(_POSTS).returning(_POSTS.c.slug, _POSTS.c.id), rows)
    ids_by_slug: dict[str, int] = dict(inserted.all())
    ids = [ids_by_slug[slug] for slug in slugs]
    add_tags(
        session, {post_id: entry.data.tags for post_id, entry in zip(ids, entries, strict=True)}
    )
    # Each tag stepped its post's version: new posts start at the first all the same.
    tagged = {
        post_id: FIRST_VERSION
        for post_id, entry in zip(ids, entries, strict=True)
        if entry.data.tags
    }
    keep_versions(session.connection(), _POSTS, tagged)
    # The batch's events in one statement, as its posts went in.
    record_all(
        session,
        (
            event
            for post_id, row in zip(ids, rows, strict=True)
            for event in post_events.created(
                post_id,
                visible=is_published(row["status"]),
                data=post_events.post_data(
                    title=row["title"], slug=row["slug"], status=row["status"], via="import"
                ),
            )
        ),
    )


def reimport_post(
    session: Session,
    *,
    post_id: int,
    data: PostCreate,
    zone: ZoneInfo,
    import_key: str | None,
    modified_at: datetime,
    excerpt: str | None,
    body_html: str | None = None,
    trash: dict[str, object] | None = None,
) -> None:
    """Bring an imported post up to a newer version of it; its slug (its URL) stays.
    ``body_html``: ``render_markdown(data.body)``, when it was rendered ahead; ``trash``:
    the trash's columns (``PostImport.trash_columns``)."""
    post = session.get_one(Post, post_id)
    was_visible = is_published(post.status)
    columns = written_columns(data, zone) | (trash or {})
    for column, value in columns.items():
        setattr(post, column, value)
    post.import_key = import_key or post.import_key
    post.updated_at = modified_at
    store_changed(
        session, post, zone, body_changed=True, excerpt=excerpt, tags=data.tags, body_html=body_html
    )
    entries = post_events.updated(
        post_id,
        was_visible=was_visible,
        visible=is_published(post.status),
        fields=[*columns, "tags"],
        data=post_events.post_data(title=post.title, slug=post.slug, via="import"),
    )
    record_all(session, entries)
