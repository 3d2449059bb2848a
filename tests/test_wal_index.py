"""The wal-index reader the response cache uses to skip its version check on SQLite."""

import sqlite3
from pathlib import Path

from app.core.wal_index import WalIndex


def _connect(path: Path | str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


def test_the_header_changes_with_every_commit_and_only_then(tmp_path: Path) -> None:
    path = tmp_path / "watched.sqlite3"
    reader, writer = _connect(path), _connect(path)
    writer.execute("CREATE TABLE notes (text TEXT)")
    index = WalIndex.of(reader)
    assert index is not None
    seen = index.header()
    assert seen is not None
    reader.execute("SELECT * FROM notes").fetchall()
    writer.execute("BEGIN")
    writer.execute("INSERT INTO notes VALUES ('not yet')")
    assert index.header() == seen  # reads and open transactions change nothing
    writer.execute("COMMIT")
    for text in ("eins", "zwei", "drei"):
        changed = index.header()
        assert changed != seen
        seen = changed
        writer.execute("INSERT INTO notes VALUES (?)", (text,))
    assert index.header() != seen
    seen = index.header()
    # A checkpoint that empties the log, then a commit that starts it again from the top.
    writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    emptied = index.header()
    writer.execute("INSERT INTO notes VALUES ('vier')")
    assert index.header() not in (emptied, seen)


def test_there_is_none_to_read_in_memory_or_without_wal(tmp_path: Path) -> None:
    assert WalIndex.of(sqlite3.connect(":memory:")) is None
    journal = sqlite3.connect(tmp_path / "journal.sqlite3")
    journal.execute("CREATE TABLE notes (text TEXT)")
    assert WalIndex.of(journal) is None
