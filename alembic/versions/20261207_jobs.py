"""jobs: background work queued with the writes that ask for it

Revision ID: 7d3f1a9c5b20
Revises: e3a9c5f1b7d2
Created: 2026-12-07 05:30:00+00:00

Workers (``presseschau worker``, and the one inside each ``presseschau serve`` process) claim
due jobs from this table under a lease, run them, and delete them or record their failure. A
job is a row so that queuing it commits or rolls back with the write that queues it, and so
that it outlives the process that was running it.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "7d3f1a9c5b20"
down_revision: str | None = "e3a9c5f1b7d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('queued', 'failed')", name=op.f("ck_jobs_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        # Job ids appear in logs and metrics: SQLite must not give one twice either.
        sqlite_autoincrement=True,
    )
    op.create_index("ix_jobs_state_run_at", "jobs", ["state", "run_at", "id"])
    op.create_index("ix_jobs_key", "jobs", ["key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_jobs_key", table_name="jobs")
    op.drop_index("ix_jobs_state_run_at", table_name="jobs")
    op.drop_table("jobs")
