"""content version, bumped by triggers on every change to public content

Revision ID: 3c7d2e9a41b0
Revises: 8fa5bf21021b
Created: 2026-11-24 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "3c7d2e9a41b0"
down_revision: str | None = "8fa5bf21021b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported: a migration describes the schema as it was at this
# revision, whatever the models say later.
CONTENT_TABLES = ("posts", "post_tags", "tags", "sources", "source_domains", "users")
EVENTS = ("INSERT", "UPDATE", "DELETE")

SQLITE_NOW = "(julianday('now') - 2440587.5) * 86400.0"
# Built from constants only.
SQLITE_BUMP = (
    f"UPDATE content_state SET version = version + 1, changed_at = {SQLITE_NOW} WHERE id = 1;"  # noqa: S608
)

# PostgreSQL: a deferred constraint trigger runs at commit, so the one shared row is locked
# only for the moment of the commit (writers never wait on each other for it before then, and
# cannot deadlock on it), and a transaction-local setting makes it bump once per transaction
# however many rows changed.
POSTGRES_FUNCTION = """
CREATE FUNCTION presseschau_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('presseschau.content_changed', true) IS DISTINCT FROM
            txid_current()::text THEN
        PERFORM set_config('presseschau.content_changed', txid_current()::text, true);
        UPDATE content_state
        SET version = version + 1, changed_at = extract(epoch FROM clock_timestamp())
        WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$
"""


def _sqlite_trigger(table: str, event: str) -> str:
    return (
        f"CREATE TRIGGER content_changed_{table}_{event.lower()} AFTER {event} ON {table} "
        f"BEGIN {SQLITE_BUMP} END"
    )


def upgrade() -> None:
    op.create_table(
        "content_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.Double(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_content_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_state")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "INSERT INTO content_state (id, version, changed_at) "
            "VALUES (1, 0, extract(epoch FROM clock_timestamp()))"
        )
        op.execute(POSTGRES_FUNCTION)
        for table in CONTENT_TABLES:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER content_changed AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                f"EXECUTE FUNCTION presseschau_content_changed()"
            )
            op.execute(
                f"CREATE TRIGGER content_truncated AFTER TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION presseschau_content_changed()"
            )
    else:
        op.execute(
            f"INSERT INTO content_state (id, version, changed_at) VALUES (1, 0, {SQLITE_NOW})"  # noqa: S608
        )
        for table in CONTENT_TABLES:
            for event in EVENTS:
                op.execute(_sqlite_trigger(table, event))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in CONTENT_TABLES:
            op.execute(f"DROP TRIGGER content_changed ON {table}")
            op.execute(f"DROP TRIGGER content_truncated ON {table}")
        op.execute("DROP FUNCTION presseschau_content_changed()")
    else:
        for table in CONTENT_TABLES:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER content_changed_{table}_{event.lower()}")
    op.drop_table("content_state")
