"""events: what every write did, recorded with it (the audit log reads them)

Revision ID: 7d3f1a9c5e20
Revises: 7d3f1a9c5b20
Created: 2026-12-07 05:30:00+00:00

A new table, empty until the next write: nothing that happened before is known.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "7d3f1a9c5e20"
down_revision: str | None = "7d3f1a9c5b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=20), nullable=True),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_token_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=80), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "actor_kind IN ('token', 'cli', 'worker', 'anonymous')",
            name=op.f("ck_events_actor_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        # Ids are never given twice, as for every table whose ids clients see.
        sqlite_autoincrement=True,
    )
    op.create_index("ix_events_action_id", "events", ["action", "id"])
    op.create_index(
        "ix_events_object_type_object_id_id", "events", ["object_type", "object_id", "id"]
    )
    op.create_index("ix_events_actor_user_id_id", "events", ["actor_user_id", "id"])
    op.create_index("ix_events_actor_name_id", "events", ["actor_name", "id"])
    op.create_index("ix_events_actor_kind_id", "events", ["actor_kind", "id"])
    op.create_index("ix_events_occurred_at", "events", ["occurred_at"])


def downgrade() -> None:
    op.drop_table("events")
