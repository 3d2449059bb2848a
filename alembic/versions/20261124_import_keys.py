"""posts remember where an import found them

Revision ID: 4b9e0c7d2a61
Revises: 3c7d2e9a41b0
Created: 2026-11-24 23:10:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "4b9e0c7d2a61"
down_revision: str | None = "3c7d2e9a41b0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("posts", sa.Column("import_key", sa.String(length=2048), nullable=True))
    # A unique index, not a constraint: SQLite cannot add a UNIQUE column in place.
    op.create_index("ix_posts_import_key", "posts", ["import_key"], unique=True)
    op.create_index("ix_posts_original_url", "posts", ["original_url"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_posts_original_url", table_name="posts")
    op.drop_index("ix_posts_import_key", table_name="posts")
    # In place (SQLite 3.35+ drops columns): a batch copy of the table would lose its
    # triggers, which an earlier migration owns.
    op.drop_column("posts", "import_key")
