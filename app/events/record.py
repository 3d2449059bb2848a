"""The one way events are recorded: rows inserted on the write's own connection, inside its
transaction, so they commit with the change or roll back with it (a savepoint included).

Inserted at once rather than collected for a before-commit hook: a savepoint that rolls back
(an import's batch retried item by item, a post's slug chosen again) takes its events with it
without any bookkeeping, and every write path, whatever it writes through, records them the
same way. A write records all of its events in one INSERT (an import batch's too), compiled once per
database and run on the driver's cursor: through SQLAlchemy's execution path the insert cost a
post creation several per cent of its time, on the driver well under that.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, Dialect, insert
from sqlmodel import Session

from app.core.logging import request_id
from app.core.types import utcnow
from app.events.actor import Actor, current_actor
from app.events.models import Event

_EVENTS = Event.metadata.tables["events"]


class Action:
    """Every action an event records: ``<object type>.<what happened>``."""

    post_created = "post.created"
    post_updated = "post.updated"
    post_published = "post.published"  # became publicly visible by this write
    post_unpublished = "post.unpublished"  # was publicly visible, is not any more
    # Deleted for good by an earlier release's DELETE; kept so the log's entries of it stay
    # filterable (a DELETE now moves a post to the trash).
    post_deleted = "post.deleted"
    post_preview_link_issued = "post.preview_link_issued"
    post_revision_restored = "post.revision_restored"  # an earlier revision's content put back
    post_trashed = "post.trashed"  # moved to the trash
    post_restored = "post.restored"  # brought back from the trash
    post_purged = "post.purged"  # deleted for good (by an editor, or the worker's emptying)
    source_created = "source.created"
    source_updated = "source.updated"
    source_deleted = "source.deleted"
    # A tag's events name the tag; each post that shows it gets a post.updated of its own.
    tag_renamed = "tag.renamed"
    tag_merged = "tag.merged"  # its posts carry the tag it was merged into; it is gone
    user_created = "user.created"
    user_updated = "user.updated"
    # Names of actions, not secrets.
    token_created = "token.created"  # noqa: S105
    token_revoked = "token.revoked"  # noqa: S105
    auth_failed = "auth.failed"
    backup_restored = "backup.restored"
    webhook_created = "webhook.created"
    webhook_updated = "webhook.updated"
    webhook_deleted = "webhook.deleted"
    # By the worker: the endpoint answered 410, or failed for 3 days.
    webhook_disabled = "webhook.disabled"


ACTIONS: tuple[str, ...] = tuple(
    value for name, value in vars(Action).items() if not name.startswith("_")
)
# What an action's family is called in filters (``post.*``): the part before the dot.
FAMILIES: frozenset[str] = frozenset(action.split(".", 1)[0] for action in ACTIONS)
OBJECT_TYPES = ("post", "source", "tag", "user", "token", "webhook")


class Ref(NamedTuple):
    """The object an event is about: ``Ref("post", 12)``."""

    type: str
    id: int


class Entry(NamedTuple):
    action: str
    ref: Ref | None = None
    # Small and never secret: names, slugs, the fields a change touched; never a body.
    data: Mapping[str, Any] | None = None


Target = Session | Connection


def record(
    target: Target,
    action: str,
    ref: Ref | None = None,
    data: Mapping[str, Any] | None = None,
    *,
    actor: Actor | None = None,
) -> None:
    """Record one event in the transaction ``target`` writes in."""
    record_all(target, [Entry(action, ref, data)], actor=actor)


def record_all(target: Target, entries: Iterable[Entry], *, actor: Actor | None = None) -> None:
    """Record ``entries`` in one INSERT, done by ``actor`` (by default the one the request or
    command set) in the current request, if any."""
    rows = _rows(list(entries), actor or current_actor.get())
    if not rows:
        return
    connection = target.connection() if isinstance(target, Session) else target
    if not connection.in_transaction():
        # On the driver, outside a transaction, the rows would commit on their own at once.
        raise RuntimeError("events are recorded inside the transaction of the write they tell of")
    _insert_for(connection.dialect).run(connection, rows)


class _Insert:
    """The events INSERT as one dialect compiles it, with the bind processors SQLAlchemy would
    apply, so the values stored are the ones its own execution path stores."""

    def __init__(self, dialect: Dialect) -> None:
        columns = [column for column in _EVENTS.columns if column.name != "id"]
        compiled = insert(_EVENTS).compile(
            dialect=dialect, column_keys=[column.name for column in columns], for_executemany=True
        )
        self.sql = compiled.string
        positions = compiled.positiontup
        self.positions = list(positions) if dialect.positional and positions else None
        self.processors: list[tuple[str, Callable[[Any], Any]]] = []
        for column in columns:
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.processors.append((column.name, process))

    def run(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            for name, process in self.processors:
                row[name] = process(row[name])
        values: list[Any] = rows
        if self.positions is not None:
            values = [[row[name] for name in self.positions] for row in rows]
        # The connection's own driver connection: the insert is part of its transaction.
        cursor = connection.connection.cursor()
        try:
            cursor.executemany(self.sql, values)
        finally:
            cursor.close()


_INSERTS: dict[str, _Insert] = {}


def _insert_for(dialect: Dialect) -> _Insert:
    insert_ = _INSERTS.get(dialect.name)
    if insert_ is None:
        insert_ = _INSERTS[dialect.name] = _Insert(dialect)
    return insert_


def _rows(entries: Sequence[Entry], actor: Actor) -> list[dict[str, Any]]:
    now, request = utcnow(), request_id.get()
    return [
        {
            "occurred_at": now,
            "action": entry.action,
            "object_type": entry.ref.type if entry.ref else None,
            "object_id": entry.ref.id if entry.ref else None,
            "actor_kind": actor.kind.value,
            "actor_user_id": actor.user_id,
            "actor_token_id": actor.token_id,
            "actor_name": actor.name,
            "request_id": request,
            "data": dict(entry.data or {}),
        }
        for entry in entries
    ]
