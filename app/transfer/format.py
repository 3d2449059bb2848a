"""The export format: one JSON document that holds everything the database holds.

A document is one JSON object (UTF-8) whose members come in this order::

    {
      "format": "presseschau",
      "version": 1,
      "exported_at": "2026-11-25T08:30:00.123456Z",
      "app_version": "0.1.0",
      "users": [...],
      "sources": [...],
      "source_domains": [...],
      "tags": [...],
      "posts": [...],
      "post_tags": [...],
      "post_likes": [...],
      "post_revisions": [...],
      "events": [...]
    }

The order is part of the format: the restorer reads the document once, front to back, and
writes each item as it comes, so ``format`` and ``version`` must come before anything else and
every array after the arrays its items refer to (posts name users, sources and so on). An
export writes one item per line; the restorer does not depend on that layout.

Header members
--------------
``format``       always ``"presseschau"``: what kind of document this is.
``version``      an integer, the version of this format (now 3; version 1 had no ``events``,
                 version 2 no ``post_revisions``; versions 1 and 2 knew only the statuses
                 ``draft`` and ``published`` and had no trash: a published post of theirs
                 with a future ``published_at`` is restored as ``scheduled``).
                 A restorer refuses versions it does not know. Adding an array or a field
                 makes a new version; a restorer of version N reads every version up to N
                 (arrays added later are then empty).
``exported_at``  RFC 3339 time (UTC) of the snapshot the document was made from.
``app_version``  the Presseschau version that wrote it (informational only).

Arrays
------
One array per table, each item one row as a JSON object with exactly the fields listed (none
missing, none extra). Items are ordered by primary key. Times are RFC 3339 in UTC with their
microseconds (``2022-01-10T08:00:00Z``); days are ``YYYY-MM-DD``; ``null`` where a value may
be absent. Text is taken as it is stored: no field is re-rendered or re-cleaned on restore, so
every API response after a restore is the one from before. The limits are those of the
database columns, which every write path (API, command line, importers) enforces, so that
whatever was stored restores as it was; a user's name is also one the API would accept.

``users``: who writes. Their API tokens are not part of the document (see NOT_EXPORTED).
    ``id`` (integer ≥ 1), ``name`` (a user name the API accepts as it is: ≤ 80 characters,
    no ``/``, no markup, not starting with a space; unique), ``role`` (``"admin"``,
    ``"editor"`` or ``"author"``), ``is_active`` (``false`` for a locked user),
    ``created_at``, ``updated_at`` (times).
``sources``: the publications posts come from.
    ``id``, ``slug`` (≤ 200, unique), ``name`` (≤ 200, unique), ``homepage_url`` (≤ 2,048 or
    null), ``language`` (≤ 35 or null), ``description`` (text, may be empty),
    ``created_at``, ``updated_at``, ``version`` (integer ≥ 1, what writers' ETags name;
    may be absent, as in documents made before it was exported: then 1).
``source_domains``: the host names that identify a source's links.
    ``domain`` (≤ 253, unique over all sources), ``source_id`` (a source's ``id``).
``tags``: ``id``, ``name`` (≤ 60, as first written), ``slug`` (≤ 120, unique).
``posts``: every post, whatever its status.
    ``id``, ``slug`` (≤ 200, unique), ``title`` (≤ 300, without the "(Source)" suffix),
    ``status`` (``"draft"``, ``"pending"``, ``"scheduled"``, ``"published"`` or
    ``"trashed"``; a scheduled or published post has a ``published_at``; a restore stores a
    published post whose time lies ahead as scheduled, and a scheduled one whose time has
    passed as published, as every write does), ``published_at`` (time or null),
    ``published_date`` (the
    site-local day of ``published_at`` as it was when the post was written, or null),
    ``source_id`` (a source's ``id`` or null), ``author_id`` (a user's ``id``),
    ``original_url`` (≤ 2,048 or null), ``import_key`` (≤ 2,048, unique, or null: where an
    import found the post, so that importing the same file again finds it), ``credit``
    (≤ 300 or null), ``language`` (≤ 35), ``body`` (Markdown as written), ``body_html`` (its
    rendered, sanitised HTML), ``excerpt`` (plain text), ``likes`` (the like count shown),
    ``created_at``, ``updated_at``, ``trashed_at`` (since version 3: when a trashed post went
    to the trash, else null), ``trashed_from`` (since version 3: the status a trashed post
    goes back to, ``"draft"``, ``"pending"``, ``"scheduled"`` or ``"published"``, else null)
    and ``version`` (as a source's).
``post_tags``: which post has which tag. ``post_id``, ``tag_id``.
``post_likes``: the likes counted, one per client, post and day, so that a client cannot
    like a post twice on one day after a restore either. ``post_id``, ``client`` (≤ 64: a
    keyed hash of the client's address, never the address), ``day`` (site-local day).
``post_revisions`` (since version 3): every kept state of each post's content, in the order
    of their ids. ``id``, ``post_id`` (a post's ``id``), ``number`` (from 1 per post, unique
    with ``post_id``), ``created_at`` (time), ``actor_kind`` (``token``, ``cli``, ``worker``
    or ``anonymous``), ``actor_user_id`` (an id or null; it names no row), ``actor_name``
    (≤ 80 or null), ``changed`` (the names of the fields that differ from the revision
    before, from those of the snapshot), ``snapshot`` (an object: ``title``, ``slug``,
    ``status``, ``published_at`` (time or null), ``source_id`` (an id or null; the source may
    be gone), ``original_url``, ``credit``, ``language``, ``tags`` (a list of names),
    ``excerpt``, ``body``, with the limits of the posts' fields). A restore of version 1 or 2
    gives each post one revision, its state, done by whoever restores; one of version 3 adds
    none for a post whose state is its latest revision's.
``events`` (since version 2): the audit log, what every write did. ``id``, ``occurred_at``
    (time), ``action`` (``post.created``, ...), ``object_type`` (``post``, ``source``,
    ``user``, ``token`` or null) and ``object_id`` (the object's id or null), ``actor_kind``
    (``token``, ``cli``, ``worker`` or ``anonymous``), ``actor_user_id``, ``actor_token_id``
    (ids or null; they name no row: users and tokens may be gone), ``actor_name`` (≤ 80, the
    user's name then, or null), ``request_id`` (≤ 64 or null), ``data`` (a JSON object of at
    most 50 members, each a string of ≤ 300 characters, an integer, a boolean, null or a list
    of at most 50 such strings). A restore adds one event of its own, ``backup.restored``.

``body_html`` is served to readers as it is in the document: a document is trusted as much
as the database it restores into, and only operators with access to that database restore.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import GenericAlias
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    create_model,
    model_validator,
)
from sqlalchemy import MetaData, Table

from app.auth.models import USER_NAME_MAX, User
from app.auth.schemas import UserName
from app.core.inputs import validate_cleaned
from app.core.text import MAX_ID, SLUG_MAX_LENGTH, CleanText
from app.core.types import utcnow
from app.derived.versions import FIRST_VERSION
from app.events.models import ACTION_MAX, OBJECT_TYPE_MAX, REQUEST_ID_MAX, Event
from app.posts.imports import ImportKey
from app.posts.models import (
    CREDIT_MAX,
    LIKE_CLIENT_MAX,
    TAG_MAX,
    TITLE_MAX,
    Post,
    PostLike,
    PostStatus,
    PostTag,
    Tag,
)
from app.posts.workflow import decide
from app.revisions import snapshots
from app.revisions.models import PostRevision
from app.sources.models import (
    DOMAIN_MAX,
    LANGUAGE_MAX,
    SOURCE_NAME_MAX,
    URL_MAX,
    Source,
    SourceDomain,
)

FORMAT = "presseschau"
VERSION = 3

# Tables that are deliberately left out, and why. Every table of the schema is either exported
# (EXPORTED_TABLES) or listed here; a test fails for a table that is neither, so a new
# feature's table cannot be forgotten silently.
NOT_EXPORTED: dict[str, str] = {
    "api_tokens": (
        "a token is only its secret, and only a hash of the secret is stored; a row without "
        "that hash could never authenticate, and one with it would carry a credential in a "
        "file that is passed around. After a restore, create tokens anew "
        "(`presseschau tokens create USER`)."
    ),
    "auth_failures": "throttling state of failed authentications, not content; it expires.",
    "content_state": (
        "the cache version of the database it belongs to; the restore bumps the target's own "
        "version through its triggers, so running servers see the restored content."
    ),
    "instance_keys": (
        "secrets of the database they were made for (the key client addresses are hashed "
        "with, the key preview links are signed with); the target keeps its own, and an "
        "export file carries no secret: links issued by the source do not work on it."
    ),
    "jobs": (
        "background work of the database it was queued in, not content: the target's "
        "workers queue their periodic tasks themselves, and the restore's writes queue "
        "what they need."
    ),
    "post_documents": (
        "each post's JSON, made from the exported rows; the restore stores them anew, as "
        "every write does."
    ),
    "post_document_queue": (
        "posts whose documents their writer or the worker has yet to store; the restore "
        "stores its own."
    ),
    "post_revision_queue": "posts whose revisions a transaction has yet to write; empty.",
    "post_search": (
        "the search index, made from the exported posts; the restore's posts are queued and "
        "the target's worker indexes them (or `presseschau search reindex`)."
    ),
    "post_search_queue": "posts the search index has yet to take in; the restore queues its own.",
    "post_search_renames": (
        "sources and tags renamed whose posts the search index has yet to queue; the "
        "restore queues its own posts."
    ),
    "search_words": "the search index's vocabulary, counted anew as the target indexes its posts.",
    "published_counts": (
        "counts of the posts table, kept by its triggers; the restore's posts make them anew."
    ),
    "webhook_endpoints": (
        "integrations of the site they were made for, each with its signing secret, which an "
        "export file never carries; after a restore, admins add the endpoints anew (a "
        "receiver would have to learn a new secret either way)."
    ),
    "webhook_subscriptions": "the event types of the webhook endpoints, left out with them.",
    "webhook_deliveries": (
        "the delivery log of the webhook endpoints, not content (a restore goes into a new "
        "database, which has no endpoints yet, so its restored events are sent nowhere)."
    ),
}

# Columns that are deliberately left out of their table's items, and why: each is made from
# the item's other fields whenever a row is written, a restore's included. A test fails for a
# column that is neither in its item nor listed here.
DERIVED_COLUMNS: dict[str, dict[str, str]] = {
    "posts": {
        "title_sort": (
            "the title's place in German dictionary order (app.core.collation), made from the "
            "title by every write"
        ),
    },
}

# A field with a default (one added to the format later) is optional in a document restored,
# and always there in one exported: the export's schema says so.
_STRICT = ConfigDict(extra="forbid", strict=True, json_schema_serialization_defaults_required=True)

RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Time = Annotated[AwareDatetime, Field(strict=False)]
Day = Annotated[date, Field(strict=False)]
Text = CleanText
Slug = Annotated[CleanText, Field(max_length=SLUG_MAX_LENGTH)]
Language = Annotated[CleanText, Field(max_length=LANGUAGE_MAX)]
Url = Annotated[CleanText, Field(max_length=URL_MAX)]

_USER_NAME: TypeAdapter[str] = TypeAdapter(UserName)


def _api_user_name(name: str) -> str:
    """``name`` when it is a user name exactly as the API stores one; the API's own error
    otherwise (or that the API would have changed it, say its markup)."""
    if validate_cleaned(_USER_NAME, name) != name:
        raise ValueError("is not a user name as the API writes it (markup or extra spaces)")
    return name


# The column's length stated too: the format's schema (and OpenAPI's) shows it.
StoredUserName = Annotated[
    CleanText, Field(max_length=USER_NAME_MAX), AfterValidator(_api_user_name)
]


# What writers' ETags name (app.derived.versions). Optional: a document made before versions
# were exported restores its posts and sources at the first.
RowVersion = Annotated[int, Field(ge=FIRST_VERSION, le=2**31 - 1)]


class UserRecord(BaseModel):
    """A user, without tokens."""

    model_config = _STRICT

    id: RowId
    name: StoredUserName
    role: Literal["admin", "editor", "author"]
    is_active: bool
    created_at: Time
    updated_at: Time


class SourceRecord(BaseModel):
    """A publication posts come from."""

    model_config = _STRICT

    id: RowId
    slug: Slug
    name: Annotated[CleanText, Field(max_length=SOURCE_NAME_MAX)]
    homepage_url: Url | None
    language: Language | None
    description: Text
    created_at: Time
    updated_at: Time
    version: RowVersion = FIRST_VERSION


class SourceDomainRecord(BaseModel):
    """A host name that identifies one source's links."""

    model_config = _STRICT

    domain: Annotated[CleanText, Field(max_length=DOMAIN_MAX)]
    source_id: RowId


class TagRecord(BaseModel):
    """A tag."""

    model_config = _STRICT

    id: RowId
    name: Annotated[CleanText, Field(max_length=TAG_MAX)]
    slug: Annotated[CleanText, Field(max_length=TAG_MAX * 2)]


class PostRecord2(BaseModel):
    """A post of versions 1 and 2: draft, or published (scheduled while its time lay ahead)."""

    model_config = _STRICT

    id: RowId
    slug: Slug
    title: Annotated[CleanText, Field(max_length=TITLE_MAX)]
    status: Literal["draft", "published"]
    published_at: Time | None
    published_date: Day | None
    source_id: RowId | None
    author_id: RowId
    original_url: Url | None
    import_key: ImportKey | None
    credit: Annotated[CleanText, Field(max_length=CREDIT_MAX)] | None
    language: Language
    body: Text
    body_html: Text
    excerpt: Text
    likes: Int32
    created_at: Time
    updated_at: Time


TrashedFrom = Literal["draft", "pending", "scheduled", "published"]


class PostRecord(PostRecord2):
    """A post in any status (its fields in the order of versions 1 and 2, and the trash's)."""

    status: Literal["draft", "pending", "scheduled", "published", "trashed"]  # type: ignore[assignment]
    trashed_at: Time | None
    trashed_from: TrashedFrom | None
    version: RowVersion = FIRST_VERSION

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.status in ("scheduled", "published") and self.published_at is None:
            raise ValueError(f"a {self.status} post needs its published_at")
        trashed = self.status == "trashed"
        if trashed != (self.trashed_at is not None) or trashed != (self.trashed_from is not None):
            raise ValueError(
                "trashed_at and trashed_from are set for a trashed post, and only for one"
            )
        return self


def stored_post(row: dict[str, Any]) -> dict[str, Any]:
    """A post as a restore stores it: its status as every write decides it now (a published
    post with its time ahead is scheduled, a scheduled one whose time has passed published;
    app.posts.workflow)."""
    requested = PostStatus(row["status"])
    if requested in (PostStatus.published, PostStatus.scheduled):
        decided = decide(requested, row["published_at"], utcnow())
        row["status"] = decided.status.value
    return row


def _post_of_version_2(row: dict[str, Any]) -> dict[str, Any]:
    return stored_post({**row, "trashed_at": None, "trashed_from": None})


class PostTagRecord(BaseModel):
    """One tag of one post."""

    model_config = _STRICT

    post_id: RowId
    tag_id: RowId


# An event's data: the small, flat values the write paths record (names, slugs, field names,
# counts), bounded so that a document cannot make the log hold whole bodies.
DATA_MEMBERS_MAX = 50
DataText = Annotated[CleanText, Field(max_length=300)]
DataValue = DataText | Int32 | bool | None | Annotated[list[DataText], Field(max_length=50)]


class EventRecord(BaseModel):
    """One entry of the audit log."""

    model_config = _STRICT

    id: RowId
    occurred_at: Time
    action: Annotated[CleanText, Field(min_length=1, max_length=ACTION_MAX)]
    object_type: Annotated[CleanText, Field(max_length=OBJECT_TYPE_MAX)] | None
    object_id: RowId | None
    actor_kind: Literal["token", "cli", "worker", "anonymous"]
    actor_user_id: RowId | None
    actor_token_id: RowId | None
    actor_name: Annotated[CleanText, Field(max_length=USER_NAME_MAX)] | None
    request_id: Annotated[CleanText, Field(max_length=REQUEST_ID_MAX)] | None
    data: Annotated[dict[DataText, DataValue], Field(max_length=DATA_MEMBERS_MAX)]


class SnapshotRecord(BaseModel):
    """A post's content in one revision."""

    model_config = _STRICT

    title: Annotated[CleanText, Field(max_length=TITLE_MAX)]
    slug: Slug
    # As the posts' status column holds it: statuses are the posts' to define.
    status: Annotated[CleanText, Field(min_length=1, max_length=16)]
    published_at: Time | None
    source_id: RowId | None
    original_url: Url | None
    credit: Annotated[CleanText, Field(max_length=CREDIT_MAX)] | None
    language: Language
    tags: Annotated[list[Annotated[CleanText, Field(max_length=TAG_MAX)]], Field(max_length=1000)]
    excerpt: Text
    body: Text


SnapshotField = Literal[snapshots.FIELDS]  # type: ignore[valid-type]


class PostRevisionRecord(BaseModel):
    """One kept state of a post's content."""

    model_config = _STRICT

    id: RowId
    post_id: RowId
    number: RowId
    created_at: Time
    actor_kind: Literal["token", "cli", "worker", "anonymous"]
    actor_user_id: RowId | None
    actor_name: Annotated[CleanText, Field(max_length=USER_NAME_MAX)] | None
    changed: Annotated[list[SnapshotField], Field(max_length=len(snapshots.FIELDS))]
    snapshot: SnapshotRecord


def _revision_item(row: dict[str, Any]) -> dict[str, Any]:
    """A stored revision as the document holds it: its snapshot as an object."""
    return {**row, "snapshot": snapshots.decode(row["snapshot"])}


def _revision_row(item: dict[str, Any]) -> dict[str, Any]:
    """A revision of the document (validated) as it is stored: its snapshot compressed."""
    snapshot = dict(item["snapshot"])
    snapshot["published_at"] = snapshots.moment(snapshot["published_at"])
    return {**item, "snapshot": snapshots.encode(snapshot)}


class PostLikeRecord(BaseModel):
    """One client's like of a post on one day."""

    model_config = _STRICT

    post_id: RowId
    client: Annotated[CleanText, Field(max_length=LIKE_CLIENT_MAX)]
    day: Day


@dataclass(frozen=True)
class Earlier:
    """How an array's items looked up to a version, and how such an item is stored now."""

    until: int  # the last version of the format with items of this shape
    record: type[BaseModel]
    stored: Callable[[dict[str, Any]], dict[str, Any]]


def _as_it_is(row: dict[str, Any]) -> dict[str, Any]:
    return row


@dataclass(frozen=True)
class TableFormat:
    """How one table appears in the document."""

    table: Table
    record: type[BaseModel]
    label: str  # what the command line calls its rows in summaries ("3 posts")
    # The format version that added the array: older documents go without it.
    since: int = 1
    # Rows read or written per statement: posts are large (body and HTML up to 200,000
    # characters each), the rest are a few short fields.
    batch_rows: int = 2000
    # The item's earlier shapes, oldest first.
    earlier: tuple[Earlier, ...] = ()
    # How an item of the latest version is stored, and how a stored row is exported, where
    # they differ (a column the document shows in another form).
    stored: Callable[[dict[str, Any]], dict[str, Any]] = _as_it_is
    to_item: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def reading(self, version: int) -> Earlier:
        """The shape of this array's items in a document of ``version``, and how each is
        stored."""
        for shape in self.earlier:
            if version <= shape.until:
                return shape
        return Earlier(VERSION, self.record, self.stored)

    @property
    def key(self) -> str:
        """The array's member name: the table's name."""
        return self.table.name

    @property
    def columns(self) -> list[str]:
        """The item's fields, in document order."""
        return list(self.record.model_fields)


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


# In restore order: every table after the tables it refers to.
EXPORTED_TABLES: tuple[TableFormat, ...] = (
    TableFormat(_table(User), UserRecord, "users"),
    TableFormat(_table(Source), SourceRecord, "sources"),
    TableFormat(_table(SourceDomain), SourceDomainRecord, "source domains"),
    TableFormat(_table(Tag), TagRecord, "tags"),
    # At most 20 × 2 × 200,000 characters of body and HTML in memory at once.
    TableFormat(
        _table(Post),
        PostRecord,
        "posts",
        batch_rows=20,
        earlier=(Earlier(2, PostRecord2, _post_of_version_2),),
        stored=stored_post,
    ),
    TableFormat(_table(PostTag), PostTagRecord, "post tags"),
    TableFormat(_table(PostLike), PostLikeRecord, "likes"),
    # Each holds a post's content as posts do: as few at once.
    TableFormat(
        _table(PostRevision),
        PostRevisionRecord,
        "post revisions",
        since=3,
        batch_rows=20,
        stored=_revision_row,
        to_item=_revision_item,
    ),
    TableFormat(_table(Event), EventRecord, "events", since=2),
)


def tables_of(version: int) -> tuple[TableFormat, ...]:
    """The arrays a document of format ``version`` has, in document order."""
    return tuple(table for table in EXPORTED_TABLES if table.since <= version)


def unaccounted_tables(metadata: MetaData) -> set[str]:
    """Tables of the schema that are neither exported nor listed in NOT_EXPORTED."""
    exported = {table.key for table in EXPORTED_TABLES}
    return set(metadata.tables) - exported - set(NOT_EXPORTED)


def summary(counts: dict[str, int]) -> str:
    """``3 users, 2 sources, ...`` for the tables counted, in document order."""
    return ", ".join(
        f"{counts[table.key]} {table.label}" for table in EXPORTED_TABLES if table.key in counts
    )


class DocumentHeader(BaseModel):
    """The members before the arrays."""

    model_config = _STRICT

    format: Literal["presseschau"]
    version: int
    exported_at: Time
    app_version: str


# The members before the arrays, in document order.
HEADER_KEYS = tuple(DocumentHeader.model_fields)


# The whole document as one model: the export endpoint declares it as its response, so the
# OpenAPI document describes the format and generated clients get its types.
_ARRAYS: dict[str, Any] = {
    table.key: (GenericAlias(list, (table.record,)), ...) for table in EXPORTED_TABLES
}
ExportDocument = create_model(
    "ExportDocument",
    __base__=DocumentHeader,
    __doc__="Everything the database holds; see the export format's documentation.",
    **_ARRAYS,
)
