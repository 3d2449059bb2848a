"""stored statuses: draft, pending, scheduled, published, trashed; the trash's columns

Revision ID: 2b659d1674b6
Revises: 5e8c2a7f9b31
Created: 2026-12-07 08:00:00+00:00

A post's status is stored as it is, and a post is public exactly while it is ``published``
(``app.posts.workflow``): a published post whose time lies ahead becomes ``scheduled`` here,
and the worker publishes it at its time with a write. So the publication schedule (its table
and trigger family), which told the worker when a post went public without one, is dropped;
the published counts count published rows, and are counted again from the posts.

``trashed_at`` and ``trashed_from`` say since when a post is in the trash and what a restore
gives back. SQLite cannot change a CHECK constraint in place: the posts table is made anew by
SQLite's own procedure, as ``20261207_ids_never_reused`` does (foreign keys off, a copy with
every row, its indexes and triggers as they were, the id sequence kept).

Going back turns pending posts and trashed ones into drafts (no post in the trash becomes
public) and scheduled posts into published ones with their time ahead, as that revision
reads them.
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa

from alembic import op
from app.core.types import UTCDateTime, utcnow
from app.derived.live_triggers import create_family, drop_family, replace_family
from app.derived.retired import PUBLICATION_SCHEDULE_1, PUBLISHED_COUNTS_1
from app.derived.triggers import family
from app.events.actor import COMMAND_LINE
from app.revisions.keeping import revise_queued

revision: str = "2b659d1674b6"
down_revision: str | None = "5e8c2a7f9b31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_CHECK = "CONSTRAINT ck_posts_status CHECK (status IN ('draft', 'published'))"
NEW_CHECKS = (
    "CONSTRAINT ck_posts_status CHECK (status IN ('draft', 'pending', 'scheduled', "
    "'published', 'trashed')), CONSTRAINT ck_posts_trashed_from CHECK (trashed_from IS NULL "
    "OR trashed_from IN ('draft', 'pending', 'scheduled', 'published'))"
)
STATUSES = "status IN ('draft', 'pending', 'scheduled', 'published', 'trashed')"
TRASHED_FROM = (
    "trashed_from IS NULL OR trashed_from IN ('draft', 'pending', 'scheduled', 'published')"
)
COPY = "presseschau_new_posts"

_POSTS = sa.table(
    "posts",
    sa.column("id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("published_at", UTCDateTime()),
)


def upgrade() -> None:
    connection = op.get_bind()
    # On SQLite the rebuild commits half-way: each step before it is skipped when a run that
    # failed after it did it already, so running the upgrade again finishes the work.
    drop_family(connection, PUBLICATION_SCHEDULE_1)
    if sa.inspect(connection).has_table("publication_schedule"):
        op.drop_index(op.f("ix_publication_schedule_due_at"), table_name="publication_schedule")
        op.drop_table("publication_schedule")
    columns = {column["name"] for column in sa.inspect(connection).get_columns("posts")}
    if "trashed_at" not in columns:
        op.add_column("posts", sa.Column("trashed_at", UTCDateTime(), nullable=True))
    if "trashed_from" not in columns:
        op.add_column("posts", sa.Column("trashed_from", sa.String(length=16), nullable=True))
    if connection.dialect.name == "sqlite":
        _rebuild_posts(connection, lambda sql: sql.replace(OLD_CHECK, NEW_CHECKS))
    else:
        op.drop_constraint(op.f("ck_posts_status"), "posts", type_="check")
        op.create_check_constraint(op.f("ck_posts_status"), "posts", STATUSES)
        op.create_check_constraint(op.f("ck_posts_trashed_from"), "posts", TRASHED_FROM)
    indexes = {index["name"] for index in sa.inspect(connection).get_indexes("posts")}
    if op.f("ix_posts_trashed_at") not in indexes:
        op.create_index(op.f("ix_posts_trashed_at"), "posts", ["trashed_at"], unique=False)
    replace_family(connection, "published_counts", "3a92eff4bf374818")
    connection.execute(
        sa.update(_POSTS)
        .where(_POSTS.c.status == "published", _POSTS.c.published_at > utcnow())
        .values(status="scheduled")
    )
    _settle(connection)
    _count_published(connection)


def downgrade() -> None:
    connection = op.get_bind()
    for before, after in (("pending", "draft"), ("trashed", "draft"), ("scheduled", "published")):
        connection.execute(sa.update(_POSTS).where(_POSTS.c.status == before).values(status=after))
    _settle(connection)
    drop_family(connection, family("published_counts"))
    create_family(connection, PUBLISHED_COUNTS_1)
    op.drop_index(op.f("ix_posts_trashed_at"), table_name="posts")
    if connection.dialect.name == "sqlite":
        _rebuild_posts(connection, lambda sql: sql.replace(NEW_CHECKS, OLD_CHECK))
        # No longer in any constraint or index, so SQLite drops them in place.
        connection.exec_driver_sql("ALTER TABLE posts DROP COLUMN trashed_from")
        connection.exec_driver_sql("ALTER TABLE posts DROP COLUMN trashed_at")
    else:
        op.drop_constraint(op.f("ck_posts_trashed_from"), "posts", type_="check")
        op.drop_constraint(op.f("ck_posts_status"), "posts", type_="check")
        op.create_check_constraint(
            op.f("ck_posts_status"), "posts", "status IN ('draft', 'published')"
        )
        op.drop_column("posts", "trashed_from")
        op.drop_column("posts", "trashed_at")
    _count_published(connection)
    schedule = op.create_table(
        "publication_schedule",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_publication_schedule_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_publication_schedule")),
    )
    op.create_index(
        op.f("ix_publication_schedule_due_at"), "publication_schedule", ["due_at"], unique=False
    )
    create_family(connection, PUBLICATION_SCHEDULE_1)
    ahead = sa.select(_POSTS.c.id, _POSTS.c.published_at).where(
        _POSTS.c.status == "published", _POSTS.c.published_at > utcnow()
    )
    connection.execute(sa.insert(schedule).from_select(["post_id", "due_at"], ahead))


def _settle(connection: sa.Connection) -> None:
    """What follows a change of statuses here: the revisions its triggers queued are written
    now, as the command line's (not by whichever write comes next), and on PostgreSQL the
    content version's deferred triggers run now, not at commit, since PostgreSQL alters no
    table with trigger events still pending."""
    revise_queued(connection, keep=0, actor=COMMAND_LINE)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")


def _count_published(connection: sa.Connection) -> None:
    """The published counts counted again from the posts: every published post is public
    now (and at the revision before, every one with a time)."""
    connection.exec_driver_sql("DELETE FROM published_counts")
    connection.exec_driver_sql(
        "INSERT INTO published_counts (source_key, posts) "
        "SELECT coalesce(source_id, 0), count(*) FROM posts "
        "WHERE status = 'published' AND published_at IS NOT NULL GROUP BY coalesce(source_id, 0)"
    )


def _rebuild_posts(connection: sa.Connection, change: Callable[[str], str]) -> None:
    """Make SQLite's posts table anew with its CREATE statement changed by ``change``, every
    row, index and trigger as it was, and its id sequence where it stood."""
    # PRAGMA foreign_keys does nothing inside a transaction (and dropping the table with them
    # on would delete the rows that refer to it): the migration's transaction is committed,
    # the table made anew in one of its own, and the run goes on in a new one.
    connection.exec_driver_sql("COMMIT")
    connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
    # The copy's rename touches nothing else in the schema (the triggers on other tables
    # refer to the table by its name, which the copy takes).
    connection.exec_driver_sql("PRAGMA legacy_alter_table = ON")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            _copy_posts(connection, change)
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
        except BaseException:
            connection.exec_driver_sql("ROLLBACK")
            raise
        connection.exec_driver_sql("COMMIT")
    finally:
        connection.exec_driver_sql("PRAGMA legacy_alter_table = OFF")
        connection.exec_driver_sql("PRAGMA foreign_keys = ON")
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _schema(connection: sa.Connection, kind: str) -> list[str]:
    """The statements that made the posts table's indexes or triggers, oldest first."""
    return list(
        connection.scalars(
            sa.text(
                "SELECT sql FROM sqlite_master WHERE type = :kind AND tbl_name = 'posts' "
                "AND sql IS NOT NULL ORDER BY rowid"
            ),
            {"kind": kind},
        )
    )


def _copy_posts(connection: sa.Connection, change: Callable[[str], str]) -> None:
    definition: str = connection.scalar(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'posts'")
    )
    changed = change(definition)
    if changed == definition:
        raise RuntimeError(f"table posts is not as the migrations made it: {definition}")
    for name in ('CREATE TABLE "posts" (', "CREATE TABLE posts ("):
        changed = changed.replace(name, f"CREATE TABLE {COPY} (")
    columns = ", ".join(
        row[1] for row in connection.exec_driver_sql("PRAGMA table_info(posts)").all()
    )
    sequence = connection.scalar(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'posts'"))
    indexes, triggers = _schema(connection, "index"), _schema(connection, "trigger")
    connection.exec_driver_sql(changed)
    connection.exec_driver_sql(f"INSERT INTO {COPY} ({columns}) SELECT {columns} FROM posts")  # noqa: S608
    connection.exec_driver_sql("DROP TABLE posts")
    connection.exec_driver_sql(f"ALTER TABLE {COPY} RENAME TO posts")
    for statement in (*indexes, *triggers):
        connection.exec_driver_sql(statement)
    # The largest id ever given, deleted posts' too, so no id is given twice.
    connection.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name IN ('posts', ?)", (COPY,))
    if sequence is not None:
        connection.execute(
            sa.text(
                "INSERT INTO sqlite_sequence (name, seq) VALUES ('posts', max(:seq, "
                "(SELECT coalesce(max(id), 0) FROM posts)))"
            ),
            {"seq": sequence},
        )
