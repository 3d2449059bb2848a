"""preview tokens and preview links: a token's kind, and the key preview links are signed with

Revision ID: 4b6352668afa
Revises: 7d3b9f2e4a18
Created: 2026-12-07 08:00:00+00:00

A token is ``full`` (all its user may do, as every token was) or ``preview`` (reads only, for
a frontend's preview mode); existing tokens are full. Preview links are signed with a random
key the database keeps beside the client-hash key, made here (``app.core.keys``).

A downgrade revokes the preview tokens: the release before knows no kinds and would take
them for full tokens.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from app.core.types import UTCDateTime, utcnow

revision: str = "4b6352668afa"
down_revision: str | None = "7d3b9f2e4a18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = sa.table("instance_keys", sa.column("name", sa.String), sa.column("secret", sa.String))
TOKENS = sa.table(
    "api_tokens",
    sa.column("kind", sa.String),
    sa.column("revoked_at", UTCDateTime()),
)
PREVIEW_LINK_KEY = "preview_link"


def upgrade() -> None:
    # The default stays: a server of the previous release still running while this one
    # migrates makes tokens without naming a kind, and those are full tokens.
    op.add_column(
        "api_tokens",
        sa.Column(
            "kind",
            sa.String(length=16),
            sa.CheckConstraint("kind IN ('full', 'preview')", name=op.f("ck_api_tokens_kind")),
            nullable=False,
            server_default="full",
        ),
    )
    # The same value as app.core.keys.new_secret; a migration keeps its own copy of it.
    op.bulk_insert(KEYS, [{"name": PREVIEW_LINK_KEY, "secret": secrets.token_bytes(32).hex()}])


def downgrade() -> None:
    connection = op.get_bind()
    connection.execute(
        sa.update(TOKENS)
        .where(TOKENS.c.kind == "preview", TOKENS.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    connection.execute(sa.delete(KEYS).where(KEYS.c.name == PREVIEW_LINK_KEY))
    op.drop_column("api_tokens", "kind")
