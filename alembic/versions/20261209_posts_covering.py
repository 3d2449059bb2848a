"""posts covering: on PostgreSQL a search looks its matches' posts up in an index alone

Revision ID: 8b4e63d2c9f5
Revises: 7a3f52c1d8e4
Created: 2026-12-09 09:30:00+00:00

A search reads its newest 10,001 matches joined with their posts, for the published-only
rule, the source and the month they are counted by: 10,001 lookups by id, each reading the
post's row from the table's heap. This index holds those columns beside the id, so
PostgreSQL answers each lookup from the index (an index-only scan, where the table's
visibility map says the page is all visible, as it is once vacuumed). SQLite looks a post up
by its rowid in the table's own b-tree already: nothing to add there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "8b4e63d2c9f5"
down_revision: str | None = "7a3f52c1d8e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_posts_id_covering ON posts (id) "
        "INCLUDE (status, source_id, published_date, published_at)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_posts_id_covering")
