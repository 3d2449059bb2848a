"""search source tokens: each indexed post's source is a token of the index, so a search
filtered by source is intersected with its words by the index

Revision ID: 5c1e7d20a9b3
Revises: f8634a01e14b
Created: 2026-12-08 09:00:00+00:00

The tokens are added in SQL, from each post's ``source_id``, not by queueing every post for
the indexer: the index is whole the moment the migration commits, where queued posts would
keep their old rows without a token, found by their words but not under their source until
the worker had analysed each again (at a million posts, hours). What an index row holds of
its post is current (a change of a post's source takes its rows out and queues it), so the
token written here is the one the indexer would write.

SQLite: FTS5 has no ALTER TABLE ... ADD COLUMN. The table is made again with the column
``source``, from the stored text of the old one (FTS5 tokenizes it once more, in C; nothing
is analysed again), and takes the old one's name. The ``post_search`` triggers name the
table; SQLite would check them against a schema without it while renaming, so the rename is
made the way SQLite renamed before 3.25, which leaves triggers alone (they name the new
table by its new name).

PostgreSQL: the token is added to each document without a position (no phrase can take it
in); the GIN index is dropped first and built again after, which costs far less than
updating it for every row.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5c1e7d20a9b3"
down_revision: str | None = "f8634a01e14b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What begins a source's token (app.search.rendering.SOURCE_MARK, as of this revision).
_MARK = "\u00a7s"
_FTS5_OPTIONS = "tokenize='ascii', detail=full"
_GIN = "ix_post_search_text_document"


def _rebuild_fts5(columns: Sequence[str], source: str) -> None:
    """Make the FTS5 table anew with ``columns``, ``source`` giving the last one's value
    (an SQL expression over ``t``, the old table, and ``p``, the post of its row)."""
    listed = ", ".join(columns)
    op.execute(
        f"CREATE VIRTUAL TABLE post_search_text_rebuilt USING fts5({listed}, {_FTS5_OPTIONS})"
    )
    op.execute(
        f"INSERT INTO post_search_text_rebuilt (rowid, {listed}) "  # noqa: S608 (constants)
        f"SELECT t.rowid, t.title, t.lead, t.body, t.parts{source} FROM post_search_text AS t "
        "LEFT JOIN post_search AS s ON s.key = t.rowid LEFT JOIN posts AS p ON p.id = s.post_id "
        "ORDER BY t.rowid"
    )
    op.execute("DROP TABLE post_search_text")
    op.execute("PRAGMA legacy_alter_table = ON")
    op.execute("ALTER TABLE post_search_text_rebuilt RENAME TO post_search_text")
    op.execute("PRAGMA legacy_alter_table = OFF")


def _update_documents(statement: str) -> None:
    op.execute(f"DROP INDEX {_GIN}")
    op.execute(statement)
    op.execute(f"CREATE INDEX {_GIN} ON post_search_text USING gin (document)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _update_documents(
            "UPDATE post_search_text AS t "  # noqa: S608 (constants)
            f"SET document = t.document || array_to_tsvector(ARRAY['{_MARK}' || p.source_id]) "
            "FROM post_search AS s JOIN posts AS p ON p.id = s.post_id "
            "WHERE s.key = t.key AND p.source_id IS NOT NULL"
        )
    else:
        columns = ("title", "lead", "body", "parts", "source")
        _rebuild_fts5(columns, f", coalesce('{_MARK}' || p.source_id, '')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Whatever source tokens a document holds, not only its post's source now.
        _update_documents(
            "UPDATE post_search_text SET document = ts_delete(document, ARRAY("  # noqa: S608
            "SELECT lexeme FROM unnest(document) AS held "
            f"WHERE left(lexeme, {len(_MARK)}) = '{_MARK}')) "
            f"WHERE document @@ CAST('''{_MARK}'':*' AS tsquery)"
        )
    else:
        _rebuild_fts5(("title", "lead", "body", "parts"), "")
