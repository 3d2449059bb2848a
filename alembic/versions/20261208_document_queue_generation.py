"""document queue generations: a rename's posts are stored by the worker, not under its commit

Revision ID: 5e0c9d27a4b1
Revises: 5c1e7d20a9b3
Created: 2026-12-08 09:00:00+00:00

A rename of a source deleted and stored again the documents of all its posts before it
committed: seconds of SQLite's write lock for a source of 18,000 posts, every other writer
waiting. The queue now says what the queueing transaction's commit does with a post
(``at_commit``: store it first, if there is room, or leave it to the worker) and carries a
generation that each change steps, so the worker (app.posts.document_queue) stores a post
only as it was last changed; a rename leaves its posts' documents in place, unread while
their posts are queued. Rows queued before (by a writer that stores no documents) are the
worker's.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from app.derived.live_triggers import create_family, drop_family, replace_family
from app.derived.retired import POST_DOCUMENTS_1
from app.derived.triggers import family

revision: str = "5e0c9d27a4b1"
down_revision: str | None = "5c1e7d20a9b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added in place (a table made anew would break the triggers that name it).
    op.add_column(
        "post_document_queue",
        sa.Column("generation", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column(
        "post_document_queue",
        sa.Column("at_commit", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
    )
    op.create_index(op.f("ix_post_document_queue_at_commit"), "post_document_queue", ["at_commit"])
    replace_family(op.get_bind(), "post_documents", "b59762bb015963f5")


def downgrade() -> None:
    connection = op.get_bind()
    drop_family(connection, family("post_documents"))
    # That release reads a post's document whether it is queued or not: the documents of the
    # posts still queued (a rename's, left in place) are deleted, so reads make those posts
    # from their rows, and `presseschau migrate` (refresh_documents) stores them. Its writers
    # store every queued post as they commit, however many: the queue is emptied.
    op.execute(
        "DELETE FROM post_documents WHERE post_id IN (SELECT post_id FROM post_document_queue)"
    )
    op.execute("DELETE FROM post_document_queue")
    op.drop_index(op.f("ix_post_document_queue_at_commit"), table_name="post_document_queue")
    op.drop_column("post_document_queue", "at_commit")
    op.drop_column("post_document_queue", "generation")
    create_family(connection, POST_DOCUMENTS_1)
