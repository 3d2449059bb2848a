"""likes per client and failed authentications

Revision ID: 8fa5bf21021b
Revises: 5cf15944e7eb
Created: 2026-11-24 19:02:29.963460+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "8fa5bf21021b"
down_revision: str | None = "5cf15944e7eb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_failures",
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client", name=op.f("pk_auth_failures")),
    )
    op.create_table(
        "post_likes",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_likes_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", "client", "day", name=op.f("pk_post_likes")),
    )


def downgrade() -> None:
    op.drop_table("post_likes")
    op.drop_table("auth_failures")
