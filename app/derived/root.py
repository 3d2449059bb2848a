"""The one place a database is opened with everything that keeps its derived state.

The app, the command line, the benchmarks and the tests all open their database here, so every
one of them writes with the same hooks in the same order; none registers a hook itself.
"""

from zoneinfo import ZoneInfo

from app.core.config import Settings
from app.core.db import Database
from app.core.readiness import open_engine
from app.posts.documents import keep_documents
from app.revisions.keeping import keep_revisions
from app.worker.wakeup import wake_workers

# Before-commit hooks, in the order they run: a later one sees what an earlier one wrote.
# Gaps leave room for what comes between.
REVISIONS_ORDER = 90
DOCUMENTS_ORDER = 100
# Last: it notes whether any hook before it (or the write itself) queued a job.
WAKE_WORKERS_ORDER = 1_000_000

DEFAULT_ZONE = ZoneInfo(str(Settings.model_fields["timezone"].default))


def open_database(source: Settings | str, *, zone: ZoneInfo | None = None) -> Database:
    """The database of ``source`` (settings, or a database URL), with every write hook.

    Documents are stored in the settings' time zone, or ``zone`` for a URL (the default
    zone when not given); posts keep the settings' number of revisions (all for a URL). Raises ``DatabaseNotReady`` when a SQLite file's directory cannot
    be made; nothing connects yet.
    """
    keep = 0
    if isinstance(source, Settings):
        url, zone, keep = source.database_url, zone or source.zone, source.revisions_keep
    else:
        url = source
    database = Database(open_engine(url))
    _register_hooks(database, zone or DEFAULT_ZONE, revisions_keep=keep)
    return database


def _register_hooks(database: Database, zone: ZoneInfo, *, revisions_keep: int) -> None:
    """Every hook that keeps derived state, each in its place in the order."""
    keep_revisions(database, keep=revisions_keep, order=REVISIONS_ORDER)
    keep_documents(database, zone, order=DOCUMENTS_ORDER)
    wake_workers(database, order=WAKE_WORKERS_ORDER)
