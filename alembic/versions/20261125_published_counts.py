"""published posts counted per source by triggers, so public totals need no count of posts

Revision ID: 7e2a5c1f9d38
Revises: 4b9e0c7d2a61
Created: 2026-11-25 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "7e2a5c1f9d38"
down_revision: str | None = "4b9e0c7d2a61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported: a migration describes the schema as it was at this
# revision. A post is counted while it is published with a publication time (readers take
# away those scheduled for later); posts without a source are counted under key 0.
OLD_COUNTED = "OLD.status = 'published' AND OLD.published_at IS NOT NULL"
NEW_COUNTED = "NEW.status = 'published' AND NEW.published_at IS NOT NULL"
MOVED = "coalesce(OLD.source_id, 0) <> coalesce(NEW.source_id, 0)"
ADD_NEW = (
    "INSERT INTO published_counts (source_key, posts) VALUES (coalesce(NEW.source_id, 0), 1) "
    "ON CONFLICT (source_key) DO UPDATE SET posts = published_counts.posts + 1"
)
TAKE_OLD = (
    "UPDATE published_counts SET posts = posts - 1 WHERE source_key = coalesce(OLD.source_id, 0)"
)
UPDATED = "AFTER UPDATE OF status, published_at, source_id ON posts"

# One statement each, run only where it applies: an update may leave a count, join one, or
# move from one source's count to another's.
SQLITE_TRIGGERS = {
    "published_counts_insert": f"AFTER INSERT ON posts WHEN {NEW_COUNTED}",
    "published_counts_delete": f"AFTER DELETE ON posts WHEN {OLD_COUNTED}",
    "published_counts_leave": f"{UPDATED} WHEN {OLD_COUNTED} AND NOT ({NEW_COUNTED} AND NOT {MOVED})",
    "published_counts_join": f"{UPDATED} WHEN {NEW_COUNTED} AND NOT ({OLD_COUNTED} AND NOT {MOVED})",
}
SQLITE_ACTIONS = {
    "published_counts_insert": ADD_NEW,
    "published_counts_delete": TAKE_OLD,
    "published_counts_leave": TAKE_OLD,
    "published_counts_join": ADD_NEW,
}

# PostgreSQL: OLD is NULL on insert and NEW on delete, so the same tests serve every event.
# Writers of one source wait for each other's commit on its count row, as they would on any
# row both change.
POSTGRES_FUNCTION = f"""
CREATE FUNCTION presseschau_count_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND ({OLD_COUNTED}) = ({NEW_COUNTED}) AND NOT {MOVED} THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' AND {OLD_COUNTED} THEN
        {TAKE_OLD};
    END IF;
    IF TG_OP <> 'DELETE' AND {NEW_COUNTED} THEN
        {ADD_NEW};
    END IF;
    RETURN NULL;
END
$$
"""
POSTGRES_TRUNCATED = """
CREATE FUNCTION presseschau_posts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM published_counts;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "published_counts",
        sa.Column("source_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source_key", name=op.f("pk_published_counts")),
    )
    op.execute(
        "INSERT INTO published_counts (source_key, posts) "
        "SELECT coalesce(source_id, 0), count(*) FROM posts "
        "WHERE status = 'published' AND published_at IS NOT NULL "
        "GROUP BY coalesce(source_id, 0)"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRUNCATED)
        op.execute(
            "CREATE TRIGGER published_counts AFTER INSERT OR DELETE "
            "OR UPDATE OF status, published_at, source_id ON posts "
            "FOR EACH ROW EXECUTE FUNCTION presseschau_count_published()"
        )
        op.execute(
            "CREATE TRIGGER published_counts_truncated AFTER TRUNCATE ON posts "
            "FOR EACH STATEMENT EXECUTE FUNCTION presseschau_posts_truncated()"
        )
    else:
        for name, when in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN {SQLITE_ACTIONS[name]}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER published_counts_truncated ON posts")
        op.execute("DROP TRIGGER published_counts ON posts")
        op.execute("DROP FUNCTION presseschau_posts_truncated()")
        op.execute("DROP FUNCTION presseschau_count_published()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("published_counts")
