"""each post's JSON stored beside it, kept current by triggers and the writing transaction

Revision ID: 9d4f6b2e8c17
Revises: 7e2a5c1f9d38
Created: 2026-12-06 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "9d4f6b2e8c17"
down_revision: str | None = "7e2a5c1f9d38"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported: a migration describes the schema as it was at this
# revision. Whatever a post's JSON shows changes, its document is deleted at once (so a stale
# one is never read) and the post is queued; the writing transaction stores the document
# again before it commits (app.posts.documents). Deleted posts lose theirs by cascade.
# Each change: (table, event, condition, the posts it concerns).
CHANGES = {
    "post_documents_post_insert": ("posts", "INSERT", None, "SELECT NEW.id"),
    "post_documents_post_update": ("posts", "UPDATE", None, "SELECT NEW.id"),
    "post_documents_tag_link": ("post_tags", "INSERT", None, "SELECT NEW.post_id"),
    "post_documents_tag_unlink": ("post_tags", "DELETE", None, "SELECT OLD.post_id"),
    "post_documents_tag_rename": (
        "tags",
        "UPDATE OF name",
        "OLD.name <> NEW.name",
        "SELECT post_id FROM post_tags WHERE tag_id = NEW.id",
    ),
    "post_documents_source_rename": (
        "sources",
        "UPDATE OF slug, name",
        "OLD.slug <> NEW.slug OR OLD.name <> NEW.name",
        "SELECT id FROM posts WHERE source_id = NEW.id",
    ),
    "post_documents_author_rename": (
        "users",
        "UPDATE OF name",
        "OLD.name <> NEW.name",
        "SELECT id FROM posts WHERE author_id = NEW.id",
    ),
}


def _actions(posts: str) -> str:
    # The WHERE of the INSERT keeps SQLite from reading ON CONFLICT as a join's ON.
    return (
        f"DELETE FROM post_documents WHERE post_id IN ({posts}); "  # noqa: S608 (constants)
        f"INSERT INTO post_document_queue (post_id) SELECT * FROM ({posts}) AS changed "
        "WHERE true ON CONFLICT DO NOTHING;"
    )


def _postgres_function(name: str, posts: str) -> str:
    return (
        f"CREATE FUNCTION presseschau_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {_actions(posts)} RETURN NULL; END $$"
    )


def upgrade() -> None:
    op.create_table(
        "post_documents",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_documents_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_post_documents")),
    )
    op.create_table(
        "post_document_queue",
        sa.Column("post_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_post_document_queue")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, (table, event, condition, posts) in CHANGES.items():
        when = f" WHEN ({condition})" if condition else ""
        if postgres:
            op.execute(_postgres_function(name, posts))
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} "
                f"EXECUTE FUNCTION presseschau_{name}()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table}{when} BEGIN {_actions(posts)} END"
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, (table, *_) in CHANGES.items():
        op.execute(f"DROP TRIGGER {name} ON {table}" if postgres else f"DROP TRIGGER {name}")
        if postgres:
            op.execute(f"DROP FUNCTION presseschau_{name}()")
    op.drop_table("post_document_queue")
    op.drop_table("post_documents")
