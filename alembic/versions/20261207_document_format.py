"""each stored post document records the format it was made in

Revision ID: 4c7e9a2b1d63
Revises: 5c2e8a7d1f46
Created: 2026-12-07 03:45:00+00:00

Documents were matched on their post and time zone alone: after a release that changed a
post's public shape, anonymous reads would have served the old shape while token reads gave
the new one. Each document now carries its format (app.posts.documents.FORMAT), and reads use
only documents of the format they make. The documents there are get an empty format, which
no release makes: they are read no more, and `presseschau migrate` stores them anew after
this migration, a batch per transaction.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "4c7e9a2b1d63"
down_revision: str | None = "5c2e8a7d1f46"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Not a format any release makes: a format is a hash of hex digits (see the module docstring).
UNKNOWN = ""


def upgrade() -> None:
    # The default stays: a server of the previous release still running while this one
    # migrates stores documents without naming a format, and those are never read.
    op.add_column(
        "post_documents",
        sa.Column("format", sa.String(length=32), nullable=False, server_default=UNKNOWN),
    )


def downgrade() -> None:
    op.drop_column("post_documents", "format")
