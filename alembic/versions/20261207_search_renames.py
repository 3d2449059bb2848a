"""search renames: a rename of a source or tag is one row, its posts queued by the indexer

Revision ID: bdb2ab07ca36
Revises: cb16a0e54d5e
Created: 2026-12-07 14:30:00+00:00

A rename of a source or tag queued every post of it, and deleted their index rows, in the
renaming transaction: seconds of SQLite's write lock for a source of 50,000 posts, every other
writer waiting. The ``post_search`` family now records the rename in one row of
``post_search_renames``; the indexer queues the posts in batches of their own transactions
(``app.search.renames``).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from app.derived.live_triggers import create_family, drop_family, replace_family
from app.derived.retired import POST_SEARCH_1
from app.derived.triggers import family
from app.search.models import NEW_GENERATION

revision: str = "bdb2ab07ca36"
down_revision: str | None = "cb16a0e54d5e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "post_search_renames",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("after_post", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('source', 'tag')", name=op.f("ck_post_search_renames_kind")),
        sa.PrimaryKeyConstraint("kind", "target_id", name=op.f("pk_post_search_renames")),
    )
    replace_family(op.get_bind(), "post_search", "46dba28c9680b96f")


def downgrade() -> None:
    connection = op.get_bind()
    drop_family(connection, family("post_search"))
    create_family(connection, POST_SEARCH_1)
    # The posts of renames not yet expanded are queued as that release's triggers queued
    # them, so none keeps its old name in the index.
    generation = NEW_GENERATION[connection.dialect.name]
    op.execute(
        "INSERT INTO post_search_queue (post_id, generation) "  # noqa: S608 (constants)
        f"SELECT post_id, {generation} FROM ("
        "SELECT id AS post_id FROM posts WHERE source_id IN "
        "(SELECT target_id FROM post_search_renames WHERE kind = 'source') "
        "UNION SELECT post_id FROM post_tags WHERE tag_id IN "
        "(SELECT target_id FROM post_search_renames WHERE kind = 'tag')"
        ") AS renamed WHERE true "
        "ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation"
    )
    op.drop_table("post_search_renames")
