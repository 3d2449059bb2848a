"""Every trigger family, declared once: what each watches, what it keeps, and its SQL.

The database keeps some derived state itself, so that it holds whoever writes (the API, the
command line, an import, a restore, SQL typed by hand):

- ``content_version``: the content version (``content_state``), bumped by every change to a
  table whose rows show up in a public response; cached responses are valid while it stands.
- ``published_counts``: published posts per source (``published_counts``), so public totals
  need no count of posts.
- ``post_versions``, ``source_versions``: a post's or source's ``version``, stepped by every
  change of what a writer sees of it, its tags or domains included (``app.derived.versions``).
- ``post_documents``: whenever what a post's JSON shows changes, the post is queued
  (``post_document_queue``, its generation stepped), which makes its stored document unread
  (``app.posts.queries.current_document``), and a post's own change deletes it as well; the
  writing transaction stores a bounded number of them again before it commits, the posts it
  changed itself first (``app.posts.documents``), and the worker the rest
  (``app.posts.document_queue``).
- ``post_revisions``: whenever a post's content changes (a column a revision keeps, or its
  tags), the post is queued (``post_revision_queue``); the writing transaction writes its
  revision before it commits (``app.revisions.keeping``). Likes change no watched column.
- ``post_search``: whenever something the search index holds of a post changes (its texts,
  language, date, source, tags), the post's index rows are deleted at once, so it is found by
  nothing rather than by stale text, and the post queued (``post_search_queue``, its
  generation stepped); the worker indexes it (``app.search.index``). A rename of a source or
  tag is recorded in one row (``post_search_renames``) that the worker expands into its
  posts' queue rows in batches (``app.search.renames``): found by the old name until indexed
  again. Status changes leave the index alone: visibility is decided when a query runs.

Migrations make a family with ``app.derived.live_triggers.replace_family``; a test compares
the migrated schema's triggers on both databases with these declarations, and another finds
a declaration no migration makes.

To add a family or change one: declare it here (a ``Family`` with its name, the tables it
watches, the table it keeps, the prefixes of its trigger names and a renderer per database),
then add a migration that calls ``replace_family(op.get_bind(), NAME, FINGERPRINT)`` with the
family's ``fingerprint`` (the test that finds it missing names it). Its downgrade drops the
family (``drop_family``) and, for a changed one, runs the SQL the version before made, written
out in the migration (``app.derived.retired``): the declaration knows only the latest
version. A trigger that needs to know whether a post is public states it with
``app.posts.visibility`` through ``row_condition``: ``row_condition(published, POSTS, "new",
dialect)``.
"""

from typing import Literal, NamedTuple

from app.derived.content_version import BUMP
from app.derived.retired import RETIRED
from app.derived.trigger_types import (
    DialectName,
    Event,
    Family,
    Function,
    Rendered,
    Trigger,
    after_each_row,
    rendered,
    row_condition,
    values_differ,
)
from app.derived.webhook_fanout import WEBHOOK_FANOUT
from app.posts.models import FIRST, IF_ROOM
from app.posts.visibility import POSTS, published
from app.search.models import NEW_GENERATION

# ---- content_version ------------------------------------------------------------------

# Every table whose rows show up in a public response.
CONTENT_TABLES = ("posts", "post_tags", "tags", "sources", "source_domains", "users")
_ROW_EVENTS: tuple[Event, ...] = ("INSERT", "UPDATE", "DELETE")


def _content_version_sqlite() -> Rendered:
    bump = f"{BUMP['sqlite']};"
    return Rendered(
        functions=(),
        triggers=tuple(
            Trigger(
                name=f"content_changed_{table}_{event.lower()}",
                table=table,
                events=(event,),
                create=(
                    f"CREATE TRIGGER content_changed_{table}_{event.lower()} "
                    f"AFTER {event} ON {table} BEGIN {bump} END"
                ),
            )
            for table in CONTENT_TABLES
            for event in _ROW_EVENTS
        ),
    )


# A deferred constraint trigger runs at commit, so the one shared row is locked only for the
# moment of the commit (writers never wait on each other for it before then, and cannot
# deadlock on it), and a transaction-local setting makes it bump once per transaction
# however many rows changed.
_CONTENT_CHANGED = Function(
    "presseschau_content_changed",
    """
BEGIN
    IF current_setting('presseschau.content_changed', true) IS DISTINCT FROM
            txid_current()::text THEN
        PERFORM set_config('presseschau.content_changed', txid_current()::text, true);
        UPDATE content_state
        SET version = version + 1, changed_at = extract(epoch FROM clock_timestamp())
        WHERE id = 1;
    END IF;
    RETURN NULL;
END
""",
)


def _content_version_postgresql() -> Rendered:
    triggers: list[Trigger] = []
    for table in CONTENT_TABLES:
        triggers.append(
            Trigger(
                "content_changed",
                table,
                _ROW_EVENTS,
                f"CREATE CONSTRAINT TRIGGER content_changed AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                f"EXECUTE FUNCTION {_CONTENT_CHANGED.name}()",
            )
        )
        triggers.append(
            Trigger(
                "content_truncated",
                table,
                ("TRUNCATE",),
                f"CREATE TRIGGER content_truncated AFTER TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {_CONTENT_CHANGED.name}()",
            )
        )
    return Rendered(functions=(_CONTENT_CHANGED,), triggers=tuple(triggers))


CONTENT_VERSION = Family(
    name="content_version",
    watches=CONTENT_TABLES,
    keeps="content_state",
    owns=("content_changed", "content_truncated"),
    sqlite=_content_version_sqlite,
    postgresql=_content_version_postgresql,
)

# ---- published_counts -----------------------------------------------------------------

# A post is counted while it is published; posts without a source are counted under key 0.
_COUNTED_COLUMNS = ("status", "source_id")
_MOVED = "coalesce(OLD.source_id, 0) <> coalesce(NEW.source_id, 0)"
_ADD_NEW = (
    "INSERT INTO published_counts (source_key, posts) VALUES (coalesce(NEW.source_id, 0), 1) "
    "ON CONFLICT (source_key) DO UPDATE SET posts = published_counts.posts + 1"
)
_TAKE_OLD = (
    "UPDATE published_counts SET posts = posts - 1 WHERE source_key = coalesce(OLD.source_id, 0)"
)


def _counted(row: Literal["new", "old"], dialect: DialectName) -> str:
    return row_condition(published, POSTS, row, dialect)


def _published_counts_sqlite() -> Rendered:
    old, new = _counted("old", "sqlite"), _counted("new", "sqlite")
    updated = f"AFTER UPDATE OF {', '.join(_COUNTED_COLUMNS)} ON posts"
    # One statement each, run only where it applies: an update may leave a count, join one,
    # or move from one source's count to another's.
    shapes: tuple[tuple[str, tuple[Event, ...], str, str], ...] = (
        ("published_counts_insert", ("INSERT",), f"AFTER INSERT ON posts WHEN {new}", _ADD_NEW),
        ("published_counts_delete", ("DELETE",), f"AFTER DELETE ON posts WHEN {old}", _TAKE_OLD),
        (
            "published_counts_leave",
            ("UPDATE",),
            f"{updated} WHEN {old} AND NOT ({new} AND NOT {_MOVED})",
            _TAKE_OLD,
        ),
        (
            "published_counts_join",
            ("UPDATE",),
            f"{updated} WHEN {new} AND NOT ({old} AND NOT {_MOVED})",
            _ADD_NEW,
        ),
    )
    return Rendered(
        functions=(),
        triggers=tuple(
            Trigger(name, "posts", events, f"CREATE TRIGGER {name} {when} BEGIN {action}; END")
            for name, events, when, action in shapes
        ),
    )


def _published_counts_postgresql() -> Rendered:
    old, new = _counted("old", "postgresql"), _counted("new", "postgresql")
    # OLD is NULL on insert and NEW on delete, so the same tests serve every event. Writers
    # of one source wait for each other's commit on its count row, as they would on any row
    # both change.
    count = Function(
        "presseschau_count_published",
        f"""
BEGIN
    IF TG_OP = 'UPDATE' AND ({old}) = ({new}) AND NOT {_MOVED} THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' AND {old} THEN
        {_TAKE_OLD};
    END IF;
    IF TG_OP <> 'DELETE' AND {new} THEN
        {_ADD_NEW};
    END IF;
    RETURN NULL;
END
""",
    )
    truncated = Function(
        "presseschau_posts_truncated",
        """
BEGIN
    DELETE FROM published_counts;
    RETURN NULL;
END
""",
    )
    return Rendered(
        functions=(count, truncated),
        triggers=(
            Trigger(
                "published_counts",
                "posts",
                ("INSERT", "UPDATE", "DELETE"),
                "CREATE TRIGGER published_counts AFTER INSERT OR DELETE "
                f"OR UPDATE OF {', '.join(_COUNTED_COLUMNS)} ON posts "
                f"FOR EACH ROW EXECUTE FUNCTION {count.name}()",
            ),
            Trigger(
                "published_counts_truncated",
                "posts",
                ("TRUNCATE",),
                "CREATE TRIGGER published_counts_truncated AFTER TRUNCATE ON posts "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {truncated.name}()",
            ),
        ),
    )


PUBLISHED_COUNTS = Family(
    name="published_counts",
    watches=("posts",),
    keeps="published_counts",
    owns=("published_counts",),
    sqlite=_published_counts_sqlite,
    postgresql=_published_counts_postgresql,
)

# ---- post_documents -------------------------------------------------------------------


class _DocumentChange(NamedTuple):
    """A change to what a post's JSON shows, and the trigger that follows it."""

    name: str
    table: str
    event: Event
    posts: str  # SELECT of the posts it concerns
    columns: str = ""  # " OF a, b": an UPDATE of these columns only
    condition: str | None = None  # and only when this holds
    # What the writing transaction's commit does with the posts (app.posts.models): a post
    # changed itself is stored first; one whose source, tag or author was renamed only
    # within the bound, the rest left to the worker (a source may have tens of thousands).
    at_commit: int = FIRST


_DOCUMENT_CHANGES: tuple[_DocumentChange, ...] = (
    _DocumentChange("post_documents_post_insert", "posts", "INSERT", "SELECT NEW.id"),
    _DocumentChange("post_documents_post_update", "posts", "UPDATE", "SELECT NEW.id"),
    _DocumentChange("post_documents_tag_link", "post_tags", "INSERT", "SELECT NEW.post_id"),
    _DocumentChange("post_documents_tag_unlink", "post_tags", "DELETE", "SELECT OLD.post_id"),
    _DocumentChange(
        "post_documents_tag_rename",
        "tags",
        "UPDATE",
        "SELECT post_id FROM post_tags WHERE tag_id = NEW.id",
        columns=" OF name",
        condition="OLD.name <> NEW.name",
        at_commit=IF_ROOM,
    ),
    _DocumentChange(
        "post_documents_source_rename",
        "sources",
        "UPDATE",
        "SELECT id FROM posts WHERE source_id = NEW.id",
        columns=" OF slug, name",
        condition="OLD.slug <> NEW.slug OR OLD.name <> NEW.name",
        at_commit=IF_ROOM,
    ),
    _DocumentChange(
        "post_documents_author_rename",
        "users",
        "UPDATE",
        "SELECT id FROM posts WHERE author_id = NEW.id",
        columns=" OF name",
        condition="OLD.name <> NEW.name",
        at_commit=IF_ROOM,
    ),
)


def _document_actions(change: _DocumentChange, dialect: DialectName) -> str:
    # The queue first: on PostgreSQL the worker storing a post holds its queue row until it
    # commits, and a delete after the wait then sees (and deletes) what it stored. Queued
    # again, a post takes a new generation (the worker's read of it is out of date) and the
    # more urgent of the two at_commit. The WHERE of the INSERT keeps SQLite from reading ON
    # CONFLICT as a join's ON.
    queue = "post_document_queue"
    queue_it = (
        f"INSERT INTO {queue} (post_id, generation, at_commit) "  # noqa: S608 (constants)
        f"SELECT *, {NEW_GENERATION[dialect]}, {change.at_commit} "
        f"FROM ({change.posts}) AS changed WHERE true "
        "ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation, "
        f"at_commit = CASE WHEN excluded.at_commit > {queue}.at_commit "
        f"THEN excluded.at_commit ELSE {queue}.at_commit END;"
    )
    if change.at_commit == IF_ROOM:
        # A rename leaves the documents in place: reads use none of a queued post
        # (app.posts.queries.current_document), and deleting a large source's documents
        # (18,000 of them, 7 kB each) held SQLite's write lock for seconds.
        return queue_it
    # A post's own change deletes its one document: a writer that stores none leaves none.
    return f"{queue_it} DELETE FROM post_documents WHERE post_id IN ({change.posts});"  # noqa: S608


def _post_documents(dialect: DialectName) -> Rendered:
    return rendered(
        [
            after_each_row(
                dialect,
                change.name,
                change.table,
                change.event,
                _document_actions(change, dialect),
                columns=change.columns,
                when=change.condition or "",
            )
            for change in _DOCUMENT_CHANGES
        ]
    )


POST_DOCUMENTS = Family(
    name="post_documents",
    watches=("posts", "post_tags", "tags", "sources", "users"),
    keeps="post_documents",
    owns=("post_documents_",),
    sqlite=lambda: _post_documents("sqlite"),
    postgresql=lambda: _post_documents("postgresql"),
)

# ---- post_versions, source_versions --------------------------------------------------


class _Versioned(NamedTuple):
    """A table whose rows carry a version (app.derived.versions), and what bumps it."""

    family: str
    table: str
    # The columns a writer sees: an update that changes one and leaves the version as it was
    # steps it. Every other column (ids, likes, keys only imports read) is listed in
    # UNVERSIONED_COLUMNS, and a test requires each column in one list or the other.
    shown: tuple[str, ...]
    links: str  # the table of the rows' links (tags, domains), each a change of its row
    link_column: str


POST_VERSIONS_OF = _Versioned(
    "post_versions",
    "posts",
    (
        "slug", "title", "status", "published_at", "published_date", "source_id", "author_id",
        "original_url", "credit", "language", "body", "body_html", "excerpt", "created_at",
        "updated_at",
    ),
    "post_tags",
    "post_id",
)  # fmt: skip
SOURCE_VERSIONS_OF = _Versioned(
    "source_versions",
    "sources",
    ("slug", "name", "homepage_url", "language", "description", "created_at", "updated_at"),
    "source_domains",
    "source_id",
)
# Columns that are not what a writer edits: a change of one leaves the version as it is.
# title_sort follows the title, import_key is not shown, likes are readers' counts.
UNVERSIONED_COLUMNS = {
    # The trash's columns change only with the status, which is versioned.
    "posts": ("id", "version", "likes", "title_sort", "import_key", "trashed_at", "trashed_from"),
    "sources": ("id", "version"),
}


def _bump(versioned: _Versioned, ids: str) -> str:
    return (
        f"UPDATE {versioned.table} SET version = version + 1 "  # noqa: S608 (constants)
        f"WHERE id IN ({ids});"
    )


def _link_changes(versioned: _Versioned) -> tuple[tuple[str, Event, str], ...]:
    column = versioned.link_column
    return (
        ("link", "INSERT", f"NEW.{column}"),
        ("unlink", "DELETE", f"OLD.{column}"),
        ("relink", "UPDATE", f"OLD.{column}, NEW.{column}"),
    )


def _versions(versioned: _Versioned, dialect: DialectName) -> Rendered:
    return rendered([_edit_trigger(versioned, dialect), *_link_triggers(versioned, dialect)])


def _edit_trigger(versioned: _Versioned, dialect: DialectName) -> tuple[Function | None, Trigger]:
    """An update of a shown column that left the version as it was steps it."""
    name = f"{versioned.family}_edit"
    columns = ", ".join(versioned.shown)
    if dialect == "postgresql":
        # Before the row is written: the bump is part of the writer's own update, no second
        # write of the row.
        changed = (
            f"({', '.join(f'OLD.{column}' for column in versioned.shown)}) IS DISTINCT FROM "
            f"({', '.join(f'NEW.{column}' for column in versioned.shown)})"
        )
        edit = Function(
            f"presseschau_{name}", " BEGIN NEW.version := OLD.version + 1; RETURN NEW; END "
        )
        create = (
            f"CREATE TRIGGER {name} BEFORE UPDATE OF {columns} ON {versioned.table} "
            f"FOR EACH ROW WHEN (NEW.version = OLD.version AND {changed}) "
            f"EXECUTE FUNCTION {edit.name}()"
        )
        return edit, Trigger(name, versioned.table, ("UPDATE",), create)
    # SQLite cannot change the row being written: the row is written again, version only,
    # which no trigger of this family watches.
    changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in versioned.shown)
    create = (
        f"CREATE TRIGGER {name} AFTER UPDATE OF {columns} ON {versioned.table} "
        f"WHEN NEW.version = OLD.version AND ({changed}) "
        f"BEGIN {_bump(versioned, 'NEW.id')} END"
    )
    return None, Trigger(name, versioned.table, ("UPDATE",), create)


def _link_triggers(
    versioned: _Versioned, dialect: DialectName
) -> list[tuple[Function | None, Trigger]]:
    """Each added, removed or moved link bumps the version of its rows."""
    return [
        after_each_row(
            dialect, f"{versioned.family}_{suffix}", versioned.links, event, _bump(versioned, ids)
        )
        for suffix, event, ids in _link_changes(versioned)
    ]


def _versions_family(versioned: _Versioned) -> Family:
    return Family(
        name=versioned.family,
        watches=(versioned.table, versioned.links),
        keeps=versioned.table,
        owns=(f"{versioned.family}_",),
        sqlite=lambda: _versions(versioned, "sqlite"),
        postgresql=lambda: _versions(versioned, "postgresql"),
    )


POST_VERSIONS = _versions_family(POST_VERSIONS_OF)
SOURCE_VERSIONS = _versions_family(SOURCE_VERSIONS_OF)
# ---- post_revisions -------------------------------------------------------------------

# The posts columns a revision keeps (app.revisions.snapshots.POST_COLUMNS, written out here:
# the declaration is what the migration's fingerprint covers).
_REVISED_COLUMNS = (
    "title",
    "slug",
    "status",
    "published_at",
    "source_id",
    "original_url",
    "credit",
    "language",
    "excerpt",
    "body",
)
_QUEUE_REVISION = "INSERT INTO post_revision_queue (post_id) VALUES ({post}) ON CONFLICT DO NOTHING"


class _RevisionChange(NamedTuple):
    name: str
    table: str
    event: Event
    post: str  # the post's id in the row the trigger sees


_REVISION_CHANGES: tuple[_RevisionChange, ...] = (
    _RevisionChange("post_revisions_post_insert", "posts", "INSERT", "NEW.id"),
    _RevisionChange("post_revisions_post_update", "posts", "UPDATE", "NEW.id"),
    _RevisionChange("post_revisions_tag_link", "post_tags", "INSERT", "NEW.post_id"),
    _RevisionChange("post_revisions_tag_unlink", "post_tags", "DELETE", "OLD.post_id"),
)


def _post_revisions(dialect: DialectName) -> Rendered:
    # An update queues the post only when a kept column's value differs: a like, or an edit
    # that writes the same values, queues nothing.
    content_changed = values_differ(_REVISED_COLUMNS, dialect)
    updated = f" OF {', '.join(_REVISED_COLUMNS)}"
    return rendered(
        [
            after_each_row(
                dialect,
                change.name,
                change.table,
                change.event,
                _QUEUE_REVISION.format(post=change.post) + ";",
                columns=updated if change.event == "UPDATE" else "",
                when=content_changed if change.event == "UPDATE" else "",
            )
            for change in _REVISION_CHANGES
        ]
    )


POST_REVISIONS = Family(
    name="post_revisions",
    watches=("posts", "post_tags"),
    keeps="post_revision_queue",
    owns=("post_revisions_",),
    sqlite=lambda: _post_revisions("sqlite"),
    postgresql=lambda: _post_revisions("postgresql"),
)

# ---- post_search ----------------------------------------------------------------------

# The posts columns the index holds (app.search.index reads them).
_INDEXED_COLUMNS = (
    "title",
    "excerpt",
    "body",
    "language",
    "published_at",
    "created_at",
    "source_id",
)


class _SearchChange(NamedTuple):
    name: str
    table: str
    event: Event
    post: str  # the post's id in the row the trigger sees
    columns: tuple[str, ...] = ()  # an UPDATE of these columns only, when a value differs
    queue_if: str = ""  # queue the post only when this holds


_SEARCH_CHANGES: tuple[_SearchChange, ...] = (
    _SearchChange("post_search_post_insert", "posts", "INSERT", "NEW.id"),
    _SearchChange("post_search_post_update", "posts", "UPDATE", "NEW.id", _INDEXED_COLUMNS),
    _SearchChange("post_search_tag_link", "post_tags", "INSERT", "NEW.post_id"),
    # Not for a post being deleted, whose tags go with it: it is not indexed again.
    _SearchChange(
        "post_search_tag_unlink",
        "post_tags",
        "DELETE",
        "OLD.post_id",
        queue_if="EXISTS (SELECT 1 FROM posts WHERE id = OLD.post_id)",
    ),
)


class _SearchRename(NamedTuple):
    """A rename of what posts show in their lead: recorded in one row
    (``post_search_renames``), which the indexer expands into its posts' queue rows in
    batches of their own (app.search.renames). A rename of a source of 50,000 posts holds
    SQLite's write lock for one row, not for 50,000 queue rows and index deletes; its posts
    are found by the old name until each is indexed again (their own text did not change)."""

    name: str
    table: str
    kind: str  # post_search_renames.kind


_SEARCH_RENAMES: tuple[_SearchRename, ...] = (
    _SearchRename("post_search_tag_rename", "tags", "tag"),
    _SearchRename("post_search_source_rename", "sources", "source"),
)
_QUEUE_SEARCH = "ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation;"


def _unindex(post: str, dialect: DialectName) -> str:
    """Delete the index rows of the post ``post``."""
    # The text table is FTS5's on SQLite, keyed by rowid; a table keyed by key on PostgreSQL.
    key = "key" if dialect == "postgresql" else "rowid"
    return (
        f"DELETE FROM post_search_text WHERE {key} = "  # noqa: S608 (constants)
        f"(SELECT key FROM post_search WHERE post_id = {post}); "
        f"DELETE FROM post_search WHERE post_id = {post};"
    )


def _search_actions(change: _SearchChange, dialect: DialectName) -> str:
    generation = NEW_GENERATION[dialect]
    # The queue first: on PostgreSQL an indexer storing the post holds its queue row until
    # it commits, and the deletes after the wait then see (and delete) what it stored.
    queued = f"VALUES ({change.post}, {generation})"
    if change.queue_if:
        # PostgreSQL allows no subquery in a trigger's WHEN: the condition is the INSERT's.
        queued = f"SELECT {change.post}, {generation} WHERE {change.queue_if}"
    queue = f"INSERT INTO post_search_queue (post_id, generation) {queued} {_QUEUE_SEARCH}"
    if change.table == "posts" and change.event == "INSERT":
        # A new post has no index rows: it is only queued, the cheapest write there is.
        return queue
    return f"{queue} {_unindex(change.post, dialect)}"


def _rename_action(rename: _SearchRename, dialect: DialectName) -> str:
    # A rename again before the indexer is through starts over, from the first post, with a
    # new generation.
    return (
        "INSERT INTO post_search_renames (kind, target_id, generation, after_post) "  # noqa: S608
        f"VALUES ('{rename.kind}', NEW.id, {NEW_GENERATION[dialect]}, 0) "
        "ON CONFLICT (kind, target_id) DO UPDATE "
        "SET generation = excluded.generation, after_post = 0;"
    )


def _search_post_delete(dialect: DialectName) -> tuple[Function | None, Trigger]:
    """A deleted post's index rows and queue row go with it. Before the delete: on
    PostgreSQL the foreign key's cascade runs before any trigger after it and would take the
    ``post_search`` row that finds the post's text first."""
    name = "post_search_post_delete"
    unqueue = "DELETE FROM post_search_queue WHERE post_id = OLD.id;"
    body = f"{unqueue} {_unindex('OLD.id', dialect)}"
    on = "BEFORE DELETE ON posts"
    if dialect == "postgresql":
        # A BEFORE trigger's function returns the row to go on with: OLD, or nothing happens.
        function = Function(f"presseschau_{name}", f" BEGIN {body} RETURN OLD; END ")
        create = f"CREATE TRIGGER {name} {on} FOR EACH ROW EXECUTE FUNCTION {function.name}()"
        return function, Trigger(name, "posts", ("DELETE",), create)
    return None, Trigger(name, "posts", ("DELETE",), f"CREATE TRIGGER {name} {on} BEGIN {body} END")


def _post_search(dialect: DialectName) -> Rendered:
    made = [
        after_each_row(
            dialect,
            change.name,
            change.table,
            change.event,
            _search_actions(change, dialect),
            columns=f" OF {', '.join(change.columns)}" if change.columns else "",
            when=values_differ(change.columns, dialect),
        )
        for change in _SEARCH_CHANGES
    ]
    renames = [
        after_each_row(
            dialect,
            rename.name,
            rename.table,
            "UPDATE",
            _rename_action(rename, dialect),
            columns=" OF name",
            when=values_differ(("name",), dialect),
        )
        for rename in _SEARCH_RENAMES
    ]
    return rendered([*made, *renames, _search_post_delete(dialect)])


POST_SEARCH = Family(
    name="post_search",
    watches=("posts", "post_tags", "tags", "sources"),
    keeps="post_search",
    owns=("post_search_",),
    sqlite=lambda: _post_search("sqlite"),
    postgresql=lambda: _post_search("postgresql"),
)

# ---------------------------------------------------------------------------------------

# In the order migrations make them.
FAMILIES: tuple[Family, ...] = (
    CONTENT_VERSION,
    PUBLISHED_COUNTS,
    POST_DOCUMENTS,
    POST_VERSIONS,
    SOURCE_VERSIONS,
    POST_REVISIONS,
    POST_SEARCH,
    WEBHOOK_FANOUT,
)


def family(name: str) -> Family:
    for known in (*FAMILIES, *RETIRED):
        if known.name == name:
            return known
    raise KeyError(f"no trigger family named {name!r}")
