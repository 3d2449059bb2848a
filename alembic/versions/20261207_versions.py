"""versions: posts and sources carry a version, what writers' ETags and If-Match compare

Revision ID: 5e8c1d7a9b34
Revises: 4b6352668afa
Created: 2026-12-07 08:00:00+00:00

Every existing post and source starts at version 1. The trigger families ``post_versions`` and
``source_versions`` (``app.derived.triggers``) step it with every change of what a writer sees,
whoever writes.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from app.derived.live_triggers import drop_family, replace_family
from app.derived.triggers import family

revision: str = "5e8c1d7a9b34"
down_revision: str | None = "4b6352668afa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("posts", "sources")


def upgrade() -> None:
    # A plain ALTER TABLE on both databases: a batch operation would make SQLite's tables
    # anew, and they would lose their triggers.
    for table in _TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    connection = op.get_bind()
    replace_family(connection, "post_versions", "db8d20f8ff49eaf7")
    replace_family(connection, "source_versions", "40b16c981cbc8bc3")


def downgrade() -> None:
    connection = op.get_bind()
    drop_family(connection, family("source_versions"))
    drop_family(connection, family("post_versions"))
    for table in _TABLES:
        op.drop_column(table, "version")
