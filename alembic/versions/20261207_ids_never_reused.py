"""ids are never given twice: SQLite's tables with ids shown to clients get AUTOINCREMENT

Revision ID: 5c2e8a7d1f46
Revises: 8c4e7b1d3f60
Created: 2026-12-07 03:45:00+00:00

Without AUTOINCREMENT, SQLite gives a new row the largest id there is + 1: after the newest
post is deleted, the next one gets its id, and `/posts/33` silently becomes another post for
every cache, bookmark and client that knew it. With it, SQLite remembers the largest id ever
given (in sqlite_sequence) and goes on from there.

PostgreSQL needs nothing: these ids come from sequences (serial columns), which never give a
number twice.

SQLite cannot add AUTOINCREMENT to a table, so each one is made anew following SQLite's own
procedure for other schema changes (https://www.sqlite.org/lang_altertable.html#otheralter):
with foreign keys off (otherwise dropping the old table would delete, by cascade, the rows
that refer to it), a copy with every row, then its indexes and triggers exactly as they were
(they belong to the old table and go with it). The copy keeps every row's id, and
sqlite_sequence starts at the largest one.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "5c2e8a7d1f46"
down_revision: str | None = "8c4e7b1d3f60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported: the tables whose ids the API shows at this revision.
TABLES = ("users", "sources", "tags", "posts", "api_tokens")
COPY = "presseschau_new_{table}"


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    # PRAGMA foreign_keys does nothing inside a transaction: the migrations before this one
    # are committed, the tables are made anew in a transaction of their own, and the
    # migration run goes on in a new one. A table already made anew (a run stopped between
    # the two commits) is left as it is, so running this again is safe.
    connection.exec_driver_sql("COMMIT")
    connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
    # The copy's rename touches nothing else in the schema (the triggers on other tables
    # refer to the table by its name, which the copy takes).
    connection.exec_driver_sql("PRAGMA legacy_alter_table = ON")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            for table in TABLES:
                _rebuild(connection, table)
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
        except BaseException:
            connection.exec_driver_sql("ROLLBACK")
            raise
        connection.exec_driver_sql("COMMIT")
    finally:
        connection.exec_driver_sql("PRAGMA legacy_alter_table = OFF")
        connection.exec_driver_sql("PRAGMA foreign_keys = ON")
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _schema(connection: sa.Connection, kind: str, table: str) -> list[str]:
    """The statements that made the table's indexes or triggers, oldest first."""
    return list(
        connection.scalars(
            sa.text(
                "SELECT sql FROM sqlite_master WHERE type = :kind AND tbl_name = :table "
                "AND sql IS NOT NULL ORDER BY rowid"
            ),
            {"kind": kind, "table": table},
        )
    )


def _autoincrementing(table: str, definition: str) -> str:
    """The table's CREATE statement with its id as an AUTOINCREMENT primary key (which SQLite
    allows only on the column), under the copy's name. The statement is the one the initial
    migration made; anything else is refused rather than guessed at."""
    replacements = (
        (f"CREATE TABLE {table} (", f"CREATE TABLE {COPY.format(table=table)} ("),
        (
            "\n\tid INTEGER NOT NULL, ",
            f"\n\tid INTEGER NOT NULL CONSTRAINT pk_{table} PRIMARY KEY AUTOINCREMENT, ",
        ),
        (f"\n\tCONSTRAINT pk_{table} PRIMARY KEY (id), ", ""),
    )
    for old, new in replacements:
        if definition.count(old) != 1:
            raise RuntimeError(f"table {table} is not as the migrations made it: {definition}")
        definition = definition.replace(old, new)
    return definition


def _rebuild(connection: sa.Connection, table: str) -> None:
    definition = connection.scalar(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :table"),
        {"table": table},
    )
    if "AUTOINCREMENT" in definition:
        return
    indexes = _schema(connection, "index", table)
    triggers = _schema(connection, "trigger", table)
    copy = COPY.format(table=table)
    connection.exec_driver_sql(_autoincrementing(table, definition))
    # Same statement, same column order: every row as it was, with its id.
    connection.exec_driver_sql(f"INSERT INTO {copy} SELECT * FROM {table}")  # noqa: S608
    connection.exec_driver_sql(f"DROP TABLE {table}")
    connection.exec_driver_sql(f"ALTER TABLE {copy} RENAME TO {table}")
    for statement in (*indexes, *triggers):
        connection.exec_driver_sql(statement)
    # The copy's inserts set sqlite_sequence to the largest id; said again so it holds
    # whatever SQLite version ran them.
    connection.execute(
        sa.text(
            "UPDATE sqlite_sequence SET seq = max(seq, (SELECT coalesce(max(id), 0) FROM "  # noqa: S608
            f"{table})) WHERE name = :table"
        ),
        {"table": table},
    )


def downgrade() -> None:
    # Nothing to undo: the revision before this one works the same with these tables, and
    # going back must not make ids given once available again.
    pass
