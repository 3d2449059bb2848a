"""search index: the posts' tokens, what ranking reads, the vocabulary, the queue

Revision ID: cb16a0e54d5e
Revises: 2b659d1674b6
Created: 2026-12-07 12:00:00+00:00

``post_search_text`` holds each indexed post's tokens, keyed by its search key: an FTS5 table
on SQLite, a GIN-indexed ``tsvector`` on PostgreSQL (docs/search.md). Triggers (family
``post_search``) take a post out of the index whenever what it holds of the post changes and
queue it; the worker indexes what is queued (``app.search.index``). Every post that exists
is queued here, so an upgraded site is indexed by its worker, or at once by
`presseschau migrate`.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from app.derived.live_triggers import drop_family, replace_family
from app.derived.triggers import family

revision: str = "cb16a0e54d5e"
down_revision: str | None = "2b659d1674b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "post_search",
        sa.Column("post_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("title_terms", sa.Text(), nullable=False),
        sa.Column("lead_terms", sa.Text(), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_search_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_post_search")),
        sa.UniqueConstraint("key", name=op.f("uq_post_search_key")),
    )
    op.create_table(
        "post_search_queue",
        sa.Column("post_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_post_search_queue")),
    )
    op.create_table(
        "search_words",
        sa.Column("word", sa.Text(), nullable=False),
        sa.Column("shown", sa.Text(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("word", name=op.f("pk_search_words")),
    )
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE post_search_text (key bigint NOT NULL, document tsvector NOT NULL, "
            "CONSTRAINT pk_post_search_text PRIMARY KEY (key))"
        )
        op.execute(
            "CREATE INDEX ix_post_search_text_document ON post_search_text USING gin (document)"
        )
    else:
        # Tokens are lowercase letters and digits: FTS5's ascii tokenizer reads a
        # space-joined string of them back exactly (docs/search.md).
        op.execute(
            "CREATE VIRTUAL TABLE post_search_text USING fts5(title, lead, body, parts, "
            "tokenize='ascii', detail=full)"
        )
    replace_family(connection, "post_search", "f365c3a71f49a0ad")
    # A fixed first generation: the queue is empty, and every later change draws a random one.
    op.execute("INSERT INTO post_search_queue (post_id, generation) SELECT id, 0 FROM posts")


def downgrade() -> None:
    drop_family(op.get_bind(), family("post_search"))
    op.execute("DROP TABLE post_search_text")
    op.drop_table("search_words")
    op.drop_table("post_search_queue")
    op.drop_table("post_search")
