"""search pairs: a phrase's candidates on PostgreSQL are the posts holding its pairs of words

Revision ID: 7a3f52c1d8e4
Revises: 7a3d5f1c9e20
Created: 2026-12-09 09:00:00+00:00

A GIN index keeps no positions, so a phrase's candidates were the posts holding its words
anywhere, each document then read to check them: for "für Lastenräder bis", 20,413 of
100,000 posts to find 1,470. ``post_search_text.pairs`` holds, without positions, a token for
each two tokens at neighbouring positions of the post's document (and the source's token),
in a GIN index of its own (app.search.rendering, ``pairs_literal``); a phrase's candidates
are the posts holding each of its pairs. Written here in SQL from each stored document,
which holds what they are made of, so the index is whole at once (SQLite's FTS5 keeps
positions in its index, and is unchanged).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7a3f52c1d8e4"
down_revision: str | None = "7a3d5f1c9e20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# app.search.rendering.pair_token as of this revision, for each two lexemes of ``t``'s
# document at neighbouring positions; the source's token
# (its mark, app.search.rendering.SOURCE_MARK, is § and s), which has no position, as it is.
PAIRS = (
    "coalesce((SELECT array_to_tsvector(array_agg(DISTINCT made.token)) FROM ("
    "SELECT left(md5(a.lexeme || ' ' || b.lexeme), 10) AS token "
    "FROM (SELECT u.lexeme, unnest(u.positions) AS at FROM unnest(t.document) AS u) AS a "
    "JOIN (SELECT u.lexeme, unnest(u.positions) AS at FROM unnest(t.document) AS u) AS b "
    "ON b.at = a.at + 1 "
    "UNION ALL SELECT u.lexeme FROM unnest(t.document) AS u "
    "WHERE left(u.lexeme, 2) = '\u00a7s') AS made), ''::tsvector)"
)
_GIN = "ix_post_search_text_pairs"
_DOCUMENT_GIN = "ix_post_search_text_document"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE post_search_text ADD COLUMN pairs tsvector NOT NULL DEFAULT ''")
    # The update writes a new version of every row: the documents' GIN index is built again
    # after it, which costs far less than taking in every row a second time; the pairs' one
    # is built once they are filled.
    op.execute(f"DROP INDEX {_DOCUMENT_GIN}")
    op.execute(f"UPDATE post_search_text AS t SET pairs = {PAIRS}")  # noqa: S608 (constants)
    # No default from now on: a row written without its pairs, which no phrase would find,
    # is refused.
    op.execute("ALTER TABLE post_search_text ALTER COLUMN pairs DROP DEFAULT")
    op.execute(f"CREATE INDEX {_DOCUMENT_GIN} ON post_search_text USING gin (document)")
    op.execute(f"CREATE INDEX {_GIN} ON post_search_text USING gin (pairs)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX {_GIN}")
    op.execute("ALTER TABLE post_search_text DROP COLUMN pairs")
