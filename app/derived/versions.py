"""Versions of posts and sources: what a writer's ETag names and If-Match compares.

A post's or a source's ``version`` starts at 1 and goes up with every write of what a writer
sees of it, whoever writes. The database keeps it (trigger families ``post_versions`` and
``source_versions`` in ``app.derived.triggers``), so no write path can forget it: an update of
a shown column that leaves ``version`` as it was (SQL by hand, an ORM write that does not
know of versions) bumps it, and so does every added, removed or moved tag of a post and
domain of a source. A like changes no shown column but the count, and costs nothing.

The application's writes step it themselves, by exactly one per write: the row's update sets
``version = old + 1`` (the triggers leave a row alone whose writer set its version), and a
write that also changes links (tags, domains), whose triggers bump once per row, sets the
versions it meant afterwards with ``keep_versions``. SQLite has no statement triggers and no
transaction identity a trigger could compare, so "once per write" can only be the writer's
own; what the triggers guarantee is "at least once per change", which is what an ETag needs.
"""

from collections.abc import Mapping

from sqlalchemy import Column, Connection, Integer, Table, bindparam, func, select, update

FIRST_VERSION = 1


def version_column() -> "Column[int]":
    """The column: filled with 1 where a writer gives none (imports, restores of exports
    without versions, SQL by hand)."""
    return Column("version", Integer, nullable=False, server_default=str(FIRST_VERSION))


def keep_versions(connection: Connection, table: Table, versions: Mapping[int, int]) -> None:
    """Set each row's version (by id) to what this write made it, after link changes whose
    triggers bumped it once per link: a write steps a version by one, whatever it touched."""
    if not versions:
        return
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.version != bindparam("kept"))
        .values(version=bindparam("kept"))
    )
    # On the connection: a session would take a list of rows for its bulk update by
    # primary key, which wants the rows' own column names.
    connection.execute(
        statement, [{"row_id": row_id, "kept": version} for row_id, version in versions.items()]
    )


def discount_links(connection: Connection, table: Table, links: Table, link_column: str) -> None:
    """Take back what the triggers added for the links inserted after their rows, in a
    database that had none before (a restore): each link bumped its row's version once."""
    owner = links.c[link_column]
    count = select(func.count()).where(owner == table.c.id).scalar_subquery()
    has_links = select(owner).where(owner == table.c.id).exists()
    connection.execute(update(table).where(has_links).values(version=table.c.version - count))
