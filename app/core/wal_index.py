"""Whether anything has committed to a SQLite database since a moment ago, without asking SQLite.

In WAL mode every commit, by any process, rewrites the wal-index header at the start of the
``-shm`` file: two copies of a 48-byte header holding a change counter and the last valid
frame, the second copy written first (https://sqlite.org/walformat.html). Reading them is one
``pread``; while the bytes stay the same, nothing has committed in between.

That holds only while a connection of this process keeps the wal-index open, because SQLite
may delete or truncate the ``-shm`` file once the last connection to it closes: a reader
belongs to the connection it was made on (see ``DriverConnection``). The file descriptor is
never closed, because closing any descriptor of a file drops every POSIX lock this process
holds on that file, SQLite's own included.
"""

import os
import sqlite3
import sys

HEADER_BYTES = 48
WAL_INDEX_VERSION = 3007000  # the only format so far, since SQLite 3.7.0
_IS_INIT = 12  # offset of the "header is initialised" byte

# One descriptor per -shm file (device, inode) and process, kept open for the process's life.
_descriptors: dict[tuple[int, int], int] = {}


class WalIndex:
    def __init__(self, descriptor: int) -> None:
        self._descriptor = descriptor

    @classmethod
    def of(cls, connection: sqlite3.Connection) -> "WalIndex | None":
        """The wal-index of the connection's database, or None when it has none to read (not
        in WAL mode, in memory, or a header this module does not know)."""
        if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            return None
        # A read opens the wal-index, which the connection keeps open from then on.
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        files = {name: path for _, name, path in connection.execute("PRAGMA database_list")}
        if not files.get("main"):
            return None
        path = files["main"] + "-shm"
        try:
            status = os.stat(path)
        except OSError:
            return None
        key = (status.st_dev, status.st_ino)
        descriptor = _descriptors.get(key)
        if descriptor is None:
            descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            _descriptors[key] = descriptor
        index = cls(descriptor)
        header = index.header()
        if header is None or int.from_bytes(header[:4], sys.byteorder) != WAL_INDEX_VERSION:
            return None
        return index

    def header(self) -> bytes | None:
        """The current header, or None while a writer is halfway through replacing it."""
        data = os.pread(self._descriptor, 2 * HEADER_BYTES, 0)
        header = data[:HEADER_BYTES]
        if len(data) < 2 * HEADER_BYTES or header != data[HEADER_BYTES:] or not header[_IS_INIT]:
            return None
        return header
