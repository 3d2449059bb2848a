"""search words in byte order on PostgreSQL: suggestions read the same candidates as on SQLite

Revision ID: f8634a01e14b
Revises: bdb2ab07ca36
Created: 2026-12-07 14:30:00+00:00

Suggestions read at most a bounded number of vocabulary words by a range on ``word``, the
first in order. SQLite orders text by its bytes; PostgreSQL by the database's collation,
which in a locale such as en_US.UTF-8 puts ``ø`` beside ``o`` and ranges over other words.
In the "C" collation PostgreSQL orders by bytes too, and the primary key's index, rebuilt in
it, serves that range and order. SQLite's table stays as it is.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f8634a01e14b"
down_revision: str | None = "bdb2ab07ca36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE search_words ALTER COLUMN word TYPE text COLLATE "C"')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE search_words ALTER COLUMN word TYPE text COLLATE "default"')
