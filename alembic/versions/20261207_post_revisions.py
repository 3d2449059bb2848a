"""post_revisions: every state of a post's content, kept whoever writes it

Revision ID: 5e8c2a7f9b31
Revises: 5e8c1d7a9b34
Created: 2026-12-07 08:00:00+00:00

Triggers (``app.derived.triggers``, family ``post_revisions``) queue a post whose content
changes; the writing transaction's hook (``app.revisions.keeping``) writes its revision. Each
post that exists when this runs gets its first revision here, its state now, so the first
change after it has a revision before it to differ from.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from app.core.types import UTCDateTime
from app.derived.live_triggers import drop_family, replace_family
from app.derived.triggers import family
from app.events.actor import COMMAND_LINE
from app.revisions.keeping import revise_queued

revision: str = "5e8c2a7f9b31"
down_revision: str | None = "5e8c1d7a9b34"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "post_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=80), nullable=True),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_revisions_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_revisions")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_post_revisions_post_id_number", "post_revisions", ["post_id", "number"], unique=True
    )
    op.create_table(
        "post_revision_queue",
        sa.Column("post_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_post_revision_queue")),
    )
    connection = op.get_bind()
    replace_family(connection, "post_revisions", "d375475a78d7322a")
    connection.execute(sa.text("INSERT INTO post_revision_queue (post_id) SELECT id FROM posts"))
    revise_queued(connection, keep=0, actor=COMMAND_LINE)


def downgrade() -> None:
    drop_family(op.get_bind(), family("post_revisions"))
    op.drop_table("post_revision_queue")
    op.drop_index("ix_post_revisions_post_id_number", table_name="post_revisions")
    op.drop_table("post_revisions")
