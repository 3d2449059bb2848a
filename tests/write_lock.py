"""Whether another writer could begin now: for tests that require slow work (cleaning,
rendering) to run while no write transaction holds the database."""

import sqlite3

from sqlalchemy import text

from app.core.db import Database


def write_lock_free(db: Database) -> bool:
    """Whether another writer could begin now: SQLite's write lock is free, or (PostgreSQL)
    no connection of this database is inside a transaction."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        probe = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        except sqlite3.OperationalError:
            return False
        finally:
            probe.close()
        return True
    with db.engine.connect() as connection:
        open_transactions = connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
            )
        )
    return bool(open_transactions == 0)
