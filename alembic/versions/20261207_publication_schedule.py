"""publication_schedule: posts published for a later time, until their going public is announced

Revision ID: 7d3b9f2e4a18
Revises: 7d3f1a9c5e20
Created: 2026-12-07 06:30:00+00:00

A scheduled post becomes public at its time without any write; the worker announces that
moment (a ``post.published`` event) from this table, which triggers keep whoever writes the
post (``app.derived.triggers``, family ``publication_schedule``). Posts already scheduled when
this runs are put on it here.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from app.core.types import UTCDateTime, utcnow
from app.derived.live_triggers import drop_family, replace_family
from app.derived.triggers import family

# Written out: the rule of a post scheduled for later at this revision (published, its time
# ahead), when a published post's time could still lie ahead.
_POSTS = sa.table(
    "posts",
    sa.column("id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("published_at", UTCDateTime()),
)

revision: str = "7d3b9f2e4a18"
down_revision: str | None = "7d3f1a9c5e20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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
    connection = op.get_bind()
    replace_family(connection, "publication_schedule", "5476f13ce615de3a")
    ahead = sa.select(_POSTS.c.id, _POSTS.c.published_at).where(
        _POSTS.c.status == "published", _POSTS.c.published_at > utcnow()
    )
    connection.execute(sa.insert(schedule).from_select(["post_id", "due_at"], ahead))


def downgrade() -> None:
    drop_family(op.get_bind(), family("publication_schedule"))
    op.drop_index(op.f("ix_publication_schedule_due_at"), table_name="publication_schedule")
    op.drop_table("publication_schedule")
