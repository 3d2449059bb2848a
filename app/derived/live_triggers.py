"""The triggers a database has, read from its catalog, and the one way migrations change them.

``replace_family`` drops whatever triggers (and, on PostgreSQL, trigger functions) a family
owns in the live schema, found by name whatever version of the family made them, and makes
the family as declared, in the migration's transaction. ``live_triggers`` reads the catalog in
a form that compares with the declaration: SQLite keeps each trigger's statement as it was
given; PostgreSQL keeps the trigger as its own definition and each function's source.
"""

from typing import NamedTuple

from sqlalchemy import Connection, text

from app.derived.trigger_types import Event, Family, normalised
from app.derived.triggers import family

# pg_trigger.tgtype: one bit per event (see PostgreSQL's catalog/pg_trigger.h).
_PG_EVENTS: tuple[tuple[int, Event], ...] = (
    (1 << 2, "INSERT"),
    (1 << 4, "UPDATE"),
    (1 << 3, "DELETE"),
    (1 << 5, "TRUNCATE"),
)


class LiveTrigger(NamedTuple):
    name: str
    table: str
    # On SQLite the events are in the definition only: it keeps the statement, no more.
    events: tuple[Event, ...] | None
    # Whitespace normalised: SQLite's copy of the CREATE statement, or PostgreSQL's.
    definition: str
    function: str | None


class LiveSchema(NamedTuple):
    # Keyed by (table, name): on PostgreSQL a trigger's name is unique on its table only.
    triggers: dict[tuple[str, str], LiveTrigger]
    # PostgreSQL trigger functions in the schema, by name, with their source normalised.
    functions: dict[str, str]


def live_triggers(connection: Connection) -> LiveSchema:
    """Every trigger the schema has, and every trigger function."""
    if connection.dialect.name == "postgresql":
        return _postgresql(connection)
    rows = connection.execute(
        text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
    ).mappings()
    return LiveSchema(
        triggers={
            (row["tbl_name"], row["name"]): LiveTrigger(
                row["name"], row["tbl_name"], None, normalised(row["sql"]), None
            )
            for row in rows
        },
        functions={},
    )


def _postgresql(connection: Connection) -> LiveSchema:
    rows = connection.execute(
        text(
            "SELECT t.tgname AS name, c.relname AS table_name, t.tgtype AS type, "
            "pg_get_triggerdef(t.oid, true) AS definition, p.proname AS function "
            "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
        )
    ).mappings()
    triggers = {
        (row["table_name"], row["name"]): LiveTrigger(
            row["name"],
            row["table_name"],
            tuple(event for bit, event in _PG_EVENTS if row["type"] & bit),
            normalised(row["definition"]),
            row["function"],
        )
        for row in rows
    }
    functions = connection.execute(
        text(
            "SELECT proname, prosrc FROM pg_proc "
            "WHERE pronamespace = current_schema()::regnamespace "
            "AND prorettype = 'trigger'::regtype"
        )
    ).all()
    return LiveSchema(triggers, {name: normalised(source) for name, source in functions})


def drop_family(connection: Connection, declared: Family) -> None:
    """Drop every trigger the family owns in the live schema, and the functions they ran."""
    quote = connection.dialect.identifier_preparer.quote
    owned = [
        trigger
        for trigger in live_triggers(connection).triggers.values()
        if declared.owns_trigger(trigger.name)
    ]
    postgres = connection.dialect.name == "postgresql"
    for trigger in owned:
        on = f" ON {quote(trigger.table)}" if postgres else ""
        connection.exec_driver_sql(f"DROP TRIGGER {quote(trigger.name)}{on}")
    functions = {trigger.function for trigger in owned if trigger.function is not None}
    functions |= {function.name for function in declared.render(connection.dialect.name).functions}
    for name in sorted(functions):
        # Still in use by another family's trigger: the error says so, and nothing changes.
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {quote(name)}()")


def create_family(connection: Connection, declared: Family) -> None:
    for statement in declared.render(connection.dialect.name).statements:
        connection.exec_driver_sql(statement)


def replace_family(connection: Connection, name: str, fingerprint: str) -> bool:
    """Make the family ``name`` as declared, in place of whatever made it before.

    ``fingerprint`` is the family's fingerprint when the calling migration was written. If
    the declaration has changed since, a later migration makes the family (the test of the
    migrations makes sure one does): this one leaves it as the migrations before it left it,
    since the declaration may need tables or columns that do not exist yet at this point of
    the history. Returns whether it made the family."""
    declared = family(name)
    if declared.fingerprint != fingerprint:
        return False
    drop_family(connection, declared)
    create_family(connection, declared)
    return True
