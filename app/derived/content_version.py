"""The content version: how often public content has changed, and when it last did.

Database triggers bump it on every change to public content, whoever writes. What is kept per
version (aggregates here, responses in the HTTP cache) is reused only while the version it was
made at is still the current one, so once a write has committed, no process serves what it
replaced. A scheduled post goes public by a write too (the worker's, see
``app.posts.publisher``), so a version holds until the next commit, with no time limit.
"""

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, select
from sqlmodel import col

from app.derived.models import ContentState

VERSION = select(col(ContentState.version), col(ContentState.changed_at)).where(
    col(ContentState.id) == 1
)


@dataclass(frozen=True, slots=True)
class Freshness:
    """What a response made now may be reused for: while this version is current."""

    version: int
    changed_at: float


# What the response cache learnt of the version before an anonymous request ran. The
# request's transaction starts later, so its data are at least that new: aggregates computed
# in it may be filed under this version without reading it again.
request_freshness: ContextVar[Freshness | None] = ContextVar("request_freshness", default=None)


class ContentVersion(NamedTuple):
    """A row of ``VERSION``."""

    version: int
    changed_at: float  # seconds since the epoch, by the database's clock


def content_version(row: Sequence[Any] | None) -> ContentVersion | None:
    """A row of ``VERSION`` (from a session or a driver cursor), if the database has one."""
    if not row:
        return None
    found = ContentVersion._make(row)
    return ContentVersion(int(found.version), float(found.changed_at))


def read_version(connection: Connection) -> ContentVersion | None:
    return content_version(connection.execute(VERSION).first())


def freshness(current: ContentVersion | None) -> Freshness | None:
    """What is made at ``current`` may be reused for: that version (None: nothing is)."""
    if current is None:
        return None
    return Freshness(version=current.version, changed_at=current.changed_at)


# The bump of the content version: the content_version triggers' (app.derived.triggers
# renders its SQLite trigger from it), and for a write no trigger sees (the search index's
# text is an FTS5 table on SQLite, which takes no triggers).
BUMP = {
    "sqlite": "UPDATE content_state SET version = version + 1, "
    "changed_at = (julianday('now') - 2440587.5) * 86400.0 WHERE id = 1",
    "postgresql": "UPDATE content_state SET version = version + 1, "
    "changed_at = extract(epoch FROM clock_timestamp()) WHERE id = 1",
}


def bump(connection: Connection) -> None:
    """Step the content version in ``connection``'s write transaction: what public
    responses were made from is changing."""
    connection.exec_driver_sql(BUMP[connection.dialect.name])
