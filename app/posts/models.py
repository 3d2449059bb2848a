from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    event,
    text,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlmodel import Field, SQLModel

from app.core.collation import SORT_KEY_MAX, sort_key
from app.core.text import SLUG_MAX_LENGTH
from app.core.types import UTCDateTime, ids_never_reused, utcnow
from app.derived.versions import FIRST_VERSION, version_column

TITLE_MAX = 300
CREDIT_MAX = 300
BODY_MAX = 200_000
TAG_MAX = 60
TAGS_PER_POST_MAX = 30
# A like's client is the SHA-256 hex digest of an address (app.core.clients.client_key).
LIKE_CLIENT_MAX = 64
# Where an import found a post: a WordPress GUID (a URL, mostly) or a day page's entry.
IMPORT_KEY_MAX = 2048


class PostStatus(StrEnum):
    """Where a post stands, stored as it is (``app.posts.workflow`` decides it on every write):
    an author's ``draft``, handed in for review (``pending``), to go public at its time
    (``scheduled``), public (``published``), or in the trash (``trashed``)."""

    draft = "draft"
    pending = "pending"
    scheduled = "scheduled"
    published = "published"
    trashed = "trashed"


STATUSES_SQL = ", ".join(f"'{status.value}'" for status in PostStatus)


def _title_sort_default(context: DefaultExecutionContext) -> str:
    """The sort key of an inserted row that was given none: rows inserted without the ORM
    (imports, restores) get it from their title, as the ORM's rows do from _title_set."""
    parameters: dict[str, Any] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return sort_key(parameters["title"])


_POST_VERSION = version_column()


class Post(SQLModel, table=True):
    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint(f"status IN ({STATUSES_SQL})", name="status"),
        # What a trashed post goes back to; never the trash itself.
        CheckConstraint(
            "trashed_from IS NULL OR trashed_from IN ('draft', 'pending', 'scheduled', "
            "'published')",
            name="trashed_from",
        ),
        # The worker empties the trash by age.
        Index("ix_posts_trashed_at", "trashed_at"),
        # Lists newest first, and the published-only filter every anonymous read uses.
        Index("ix_posts_status_published_at", "status", "published_at", "id"),
        # Lists by title, in their order; with published_at, the public filter is decided
        # in the index too, so pages further in skip rows without reading them.
        Index("ix_posts_status_title_sort", "status", "title_sort", "id", "published_at"),
        # Day and month archives.
        Index("ix_posts_status_published_date", "status", "published_date", "published_at"),
        # Lists and archives narrowed to one source.
        Index("ix_posts_source_id_status_published_at", "source_id", "status", "published_at"),
        # Imports recognise a post they brought in before by either of these.
        Index("ix_posts_import_key", "import_key", unique=True),
        Index("ix_posts_original_url", "original_url"),
        # A search's matches joined with their posts (published-only, and counted by source
        # and month) read from the index alone on PostgreSQL; SQLite looks a post up by its
        # rowid in the table's own b-tree.
        Index(
            "ix_posts_id_covering",
            "id",
            postgresql_include=["status", "source_id", "published_date", "published_at"],
        ).ddl_if(dialect="postgresql"),
        ids_never_reused(),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(SLUG_MAX_LENGTH), nullable=False, unique=True))
    title: str = Field(sa_column=Column(String(TITLE_MAX), nullable=False))
    # The title's place in German dictionary order (app.core.collation), made whenever the
    # title is set (see _title_set below and _title_sort_default). Compared byte by byte on
    # both databases: the "C" collation on PostgreSQL, SQLite's own on SQLite. Not part of
    # the API or the export; a restore makes it again.
    title_sort: str = Field(
        sa_column=Column(
            String(SORT_KEY_MAX).with_variant(String(SORT_KEY_MAX, collation="C"), "postgresql"),
            nullable=False,
            default=_title_sort_default,
        ),
    )
    status: str = Field(sa_column=Column(String(16), nullable=False))
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The site-local calendar day of published_at, kept so archives group and filter by day
    # with an index instead of converting every row's time stamp.
    published_date: date | None = Field(default=None, sa_column=Column(Date))
    source_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("sources.id", ondelete="RESTRICT")),
    )
    author_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, index=True
        )
    )
    original_url: str | None = Field(default=None, sa_column=Column(String(2048)))
    # Where an import found the post (a WordPress GUID, a day page's entry), so importing the
    # same file again finds it instead of creating it twice. Not part of the API.
    import_key: str | None = Field(default=None, sa_column=Column(String(IMPORT_KEY_MAX)))
    credit: str | None = Field(default=None, sa_column=Column(String(CREDIT_MAX)))
    language: str = Field(sa_column=Column(String(35), nullable=False))
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    body_html: str = Field(default="", sa_column=Column(Text, nullable=False))
    excerpt: str = Field(default="", sa_column=Column(Text, nullable=False))
    likes: int = Field(default=0, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # In the trash (status trashed): since when, and the status a restore gives back.
    trashed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    trashed_from: str | None = Field(default=None, sa_column=Column(String(16)))
    # What writers' ETags and If-Match compare (app.core.preconditions): one up with every
    # write of what a writer sees of the post, likes aside (app.derived.versions).
    version: int = Field(default=FIRST_VERSION, sa_column=_POST_VERSION)

    # The ORM steps the version with each update of the row it writes, and guards it with
    # WHERE version = the one it read: a write that did not lock the row cannot write over
    # another's (app.derived.versions).
    __mapper_args__ = {"version_id_col": _POST_VERSION}


@event.listens_for(Post.title, "set")
def _title_set(target: Post, value: str, _old: object, _initiator: object) -> None:
    """A title set through the ORM (a new post, an edit, a re-import) brings its key along,
    in the same statement."""
    target.title_sort = sort_key(value)


class PublishedCount(SQLModel, table=True):
    """How many posts of one source are published.

    Kept by triggers on posts (``published_counts`` in app.derived.triggers), whoever writes, so a
    public total costs a few rows here, not a count of every public post after each write."""

    __tablename__ = "published_counts"

    # The source's id, or 0 for posts without a source (ids start at 1).
    source_key: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    posts: int = Field(sa_column=Column(Integer, nullable=False))


class PostLike(SQLModel, table=True):
    """One client's like of a post on one day; a second like that day does not count."""

    __tablename__ = "post_likes"

    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    )
    client: str = Field(sa_column=Column(String(LIKE_CLIENT_MAX), primary_key=True))
    day: date = Field(sa_column=Column(Date, primary_key=True))


class Tag(SQLModel, table=True):
    __tablename__ = "tags"
    __table_args__ = (ids_never_reused(),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(TAG_MAX), nullable=False))
    slug: str = Field(sa_column=Column(String(TAG_MAX * 2), nullable=False, unique=True))


class PostTag(SQLModel, table=True):
    __tablename__ = "post_tags"
    __table_args__ = (Index("ix_post_tags_tag_id_post_id", "tag_id", "post_id"),)

    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    )


class PostDocument(SQLModel, table=True):
    """A post's JSON as anonymous reads give it, kept so a page of posts is a page of stored
    bytes rather than rows to join, quote and encode (see app.posts.documents).

    Triggers queue a post whenever something its JSON shows changes (the post, its tags, a
    tag's, source's or author's name), and the writing transaction stores the post's document
    again before it commits. ``zone`` is the time zone its ``published_at`` is given in, and
    ``format`` the shape it was made in (app.posts.documents.FORMAT): a document made in
    another zone than the site's, or in another format than this release makes, is not
    used."""

    __tablename__ = "post_documents"

    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    )
    zone: str = Field(sa_column=Column(String(64), nullable=False))
    # Empty for a document a writer of an older release stored (it names no format): that
    # is no format any release makes, so such a document is never read.
    format: str = Field(sa_column=Column(String(32), nullable=False, server_default=""))
    document: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


# What the commit of the transaction that queued a post does with it (``at_commit``).
LEFT_TO_THE_WORKER = 0  # nothing: the worker stores it (app.posts.document_queue)
IF_ROOM = 1  # store it if the bound allows: something the post shows changed (a rename)
FIRST = 2  # store it before any other: the post itself changed


class PostDocumentQueue(SQLModel, table=True):
    """Posts whose document is to be stored again, and is not read meanwhile: filled by
    triggers (``post_documents`` in app.derived.triggers), each change with a new random
    ``generation`` (as the search queue's). The transaction that queued them stores a bounded number before it commits,
    those it changed itself first (``at_commit``, app.posts.documents); the rest are left to
    the worker (app.posts.document_queue), which stores a post only while its generation is
    still the one it read the post with."""

    __tablename__ = "post_document_queue"
    __table_args__ = (Index("ix_post_document_queue_at_commit", "at_commit"),)

    post_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    generation: int = Field(sa_column=Column(BigInteger, nullable=False, server_default=text("0")))
    at_commit: int = Field(sa_column=Column(SmallInteger, nullable=False, server_default=text("0")))
