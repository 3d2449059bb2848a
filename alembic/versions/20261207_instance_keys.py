"""instance_keys: secrets the database keeps, first the key client addresses are hashed with

Revision ID: 2d8b6f4a9e13
Revises: 6a1f3c8e2d95
Created: 2026-12-07 02:30:00+00:00

Client addresses are stored only as keyed hashes (likes, failed authentications). Keyed
with an empty secret, as they were unless PRESSESCHAU_CLIENT_HASH_KEY was set, a hash could
be reversed by hashing every IPv4 address. The database now keeps a random key of its own,
made here; a configured key still takes precedence.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "2d8b6f4a9e13"
down_revision: str | None = "6a1f3c8e2d95"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "instance_keys",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance_keys")),
    )
    # The same value as app.core.keys.new_secret; a migration keeps its own copy of it.
    op.bulk_insert(table, [{"name": "client_hash", "secret": secrets.token_bytes(32).hex()}])


def downgrade() -> None:
    op.drop_table("instance_keys")
