"""auth_failures indexed by window start, for removing expired rows

Revision ID: 6a1f3c8e2d95
Revises: 3b8e1d5a7c42
Created: 2026-12-07 02:15:00+00:00

Every recorded failure deletes some rows whose window has passed, oldest first; the index
makes finding them a range scan instead of a scan of the whole table.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "6a1f3c8e2d95"
down_revision: str | None = "3b8e1d5a7c42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_auth_failures_window_start"), "auth_failures", ["window_start"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_auth_failures_window_start"), table_name="auth_failures")
