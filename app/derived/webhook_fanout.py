"""The ``webhook_fanout`` trigger family: each event about a post, source or tag becomes one
pending delivery per enabled endpoint subscribed to it, in the event's own transaction.

Made by the database rather than by a sweep over the event log: a delivery exists exactly when
its event committed, whoever wrote it (the API, the command line, an import, the worker
publishing a scheduled post), with no cursor to keep and no event skipped because a
transaction with a lower id committed after one with a higher id. An event no endpoint takes
costs one look-up in the (small) subscriptions table.
"""

from app.derived.trigger_types import DialectName, Family, Rendered, after_each_row, rendered
from app.webhooks.types import SUBJECT_TYPES

_SUBJECTS = ", ".join(f"'{name}'" for name in SUBJECT_TYPES)
_FAN_OUT = (
    "INSERT INTO webhook_deliveries (endpoint_id, event_id, action, subject_type, subject_id, "
    "status, attempts, next_attempt_at, created_at, updated_at) "
    "SELECT s.endpoint_id, NEW.id, NEW.action, NEW.object_type, NEW.object_id, 'pending', 0, "
    "NEW.occurred_at, NEW.occurred_at, NEW.occurred_at "
    "FROM webhook_subscriptions s JOIN webhook_endpoints e ON e.id = s.endpoint_id "
    "WHERE e.enabled AND s.object_type = NEW.object_type "
    "AND (s.action IS NULL OR s.action = NEW.action);"
)


def _webhook_fanout(dialect: DialectName) -> Rendered:
    return rendered(
        [
            after_each_row(
                dialect,
                "webhook_fanout_event",
                "events",
                "INSERT",
                _FAN_OUT,
                when=f"NEW.object_type IN ({_SUBJECTS})",
            )
        ]
    )


WEBHOOK_FANOUT = Family(
    name="webhook_fanout",
    watches=("events",),
    keeps="webhook_deliveries",
    owns=("webhook_fanout_",),
    sqlite=lambda: _webhook_fanout("sqlite"),
    postgresql=lambda: _webhook_fanout("postgresql"),
)
