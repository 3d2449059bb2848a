"""Whether a process may work on a database: it opens, answers, and its schema is at the
latest migration. Every command line command but ``migrate`` checks this before it starts,
so a database that is unreachable or not migrated is named in one line, not found out half
way through by a query on a table that is not there."""

import os
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from app.core.db import create_db_engine
from app.core.errors import DATABASE_UNAVAILABLE, DomainError
from app.core.migrations import current_revision, schema_lag


class DatabaseNotReady(DomainError):
    status = 503


def _described(url: str) -> str:
    """The database a URL names, for a message: never its password."""
    return make_url(url).render_as_string(hide_password=True)


def open_engine(url: str) -> Engine:
    """An engine for ``url`` (a valid one: ``Settings`` checks it), or ``DatabaseNotReady``
    when a SQLite file's directory cannot be made."""
    try:
        return create_db_engine(url)
    except OSError as error:
        raise DatabaseNotReady(
            f"Cannot create the directory of the database {_described(url)}: {error.strerror}"
        ) from error


def _unreachable(url: str, error: Exception) -> str:
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    message = f"Cannot connect to the database {_described(url)}: {reason}"
    database = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite" and database:
        # What a bind mount owned by another user gives (SQLite writes beside the file, too).
        directory = Path(database).resolve().parent
        message += (
            f" (the user running presseschau, uid {os.getuid()}, needs write access to {directory})"
        )
    return message


def require_ready(engine: Engine, *, migrated: bool = True) -> None:
    """Raise ``DatabaseNotReady`` unless the database answers and, when ``migrated``, its
    schema is at the latest migration."""
    url = engine.url.render_as_string(hide_password=False)
    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
    except DATABASE_UNAVAILABLE as error:
        raise DatabaseNotReady(_unreachable(url, error)) from error
    if migrated and (lag := schema_lag(revision)) is not None:
        raise DatabaseNotReady(lag)
