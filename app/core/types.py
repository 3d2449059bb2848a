"""Column types shared by every table."""

from datetime import UTC, datetime, tzinfo

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database.

    SQLite has no time zones: values are stored as naive UTC and come back aware, so the same
    code compares and sorts them on both databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_aware(value: datetime, zone: tzinfo) -> datetime:
    """A naive time is the site's local time, as an editor types it or a file gives it."""
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


# The last entry of the __table_args__ of every table whose ids clients see (in URLs, links,
# caches): SQLite then never gives an id twice, even after the newest row is deleted
# (PostgreSQL's sequences never do). Each table's args get their own copy.
def ids_never_reused() -> dict[str, bool]:
    return {"sqlite_autoincrement": True}
