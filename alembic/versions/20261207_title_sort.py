"""a sort key for titles, so lists by title follow German dictionary order from an index

Revision ID: 8c4e7b1d3f60
Revises: 2d8b6f4a9e13
Created: 2026-12-07 02:30:00+00:00

Lists by title sorted the titles themselves: byte order on SQLite ("Zebra" before "apfel"),
the server's locale on PostgreSQL, and without an index every such list sorted all public
posts. Each post now has its title's key (app.core.collation), made by the application on
every write; this migration makes it for the posts there are.
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa

from alembic import op

# The key is the application's own: written out here it could drift from what every later
# write stores, and a list would mix two orders.
from app.core.collation import sort_key

revision: str = "8c4e7b1d3f60"
down_revision: str | None = "2d8b6f4a9e13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_LENGTH = 601  # app.core.collation.SORT_KEY_MAX
BATCH = 1000
# Fires on every change to a post and throws its stored document away: a key it does not show
# would have every document made again in the next write's transaction.
DOCUMENT_TRIGGER = "post_documents_post_update"


def upgrade() -> None:
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"
    key_type = sa.String(KEY_LENGTH, collation="C") if postgres else sa.String(KEY_LENGTH)
    # NOT NULL with a default for the rows there are (SQLite adds no NOT NULL column
    # otherwise); the application always writes the key itself.
    op.add_column("posts", sa.Column("title_sort", key_type, nullable=False, server_default=""))
    _without_document_trigger(connection, _fill_keys)
    if postgres:
        op.alter_column("posts", "title_sort", server_default=None)
    op.create_index(
        "ix_posts_status_title_sort", "posts", ["status", "title_sort", "id", "published_at"]
    )


def _fill_keys(connection: sa.Connection) -> None:
    posts = sa.table("posts", sa.column("id", sa.Integer), sa.column("title", sa.String))
    update = sa.text("UPDATE posts SET title_sort = :key WHERE id = :id")
    last = 0
    while True:
        rows = connection.execute(
            sa.select(posts.c.id, posts.c.title)
            .where(posts.c.id > last)
            .order_by(posts.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(update, [{"id": row.id, "key": sort_key(row.title)} for row in rows])
        last = rows[-1].id


def _without_document_trigger(
    connection: sa.Connection, work: Callable[[sa.Connection], None]
) -> None:
    if connection.dialect.name == "postgresql":
        op.execute(f"ALTER TABLE posts DISABLE TRIGGER {DOCUMENT_TRIGGER}")
        work(connection)
        # The rows' deferred triggers (the content version's) run now: PostgreSQL alters no
        # table with trigger events pending.
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")
        op.execute(f"ALTER TABLE posts ENABLE TRIGGER {DOCUMENT_TRIGGER}")
        return
    # SQLite cannot switch a trigger off: it is dropped and made again as it was.
    definition = connection.scalar(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": DOCUMENT_TRIGGER},
    )
    op.execute(f"DROP TRIGGER {DOCUMENT_TRIGGER}")
    work(connection)
    op.execute(definition)


def downgrade() -> None:
    op.drop_index("ix_posts_status_title_sort", table_name="posts")
    # SQLite drops a column in place (3.35 on): a copy of the table would lose its triggers.
    op.drop_column("posts", "title_sort")
