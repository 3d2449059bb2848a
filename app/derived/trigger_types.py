"""What a trigger family is made of, and how its SQL is written for each database.

A family renders, per dialect, the functions (PostgreSQL only: its triggers run PL/pgSQL
functions) and the triggers that keep one piece of derived state. Names are the identity a
family owns in the schema: every trigger a family makes starts with one of its ``owns``
prefixes, so replacing a family finds and drops what any earlier version of it made,
whatever those triggers were called or did.
"""

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from sqlalchemy import ColumnElement, FromClause
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import Dialect

DialectName = Literal["sqlite", "postgresql"]
DIALECTS: tuple[DialectName, ...] = ("sqlite", "postgresql")
Event = Literal["INSERT", "UPDATE", "DELETE", "TRUNCATE"]

# Only for writing SQL out (quoting, literals): no driver is loaded.
_DIALECTS: dict[str, Dialect] = {
    "sqlite": SQLiteDialect_pysqlite(),
    "postgresql": PGDialect(),  # type: ignore[no-untyped-call]  # its __init__ is untyped
}
# Runs of whitespace, so SQL written across lines compares with the database's copy of it.
_SPACE = re.compile(r"\s+")


def normalised(sql: str) -> str:
    """``sql`` with each run of whitespace made one space, trimmed (and without a final
    semicolon): the form SQL is compared in."""
    return _SPACE.sub(" ", sql).strip().rstrip(";").strip()


class Trigger(NamedTuple):
    name: str
    table: str
    events: tuple[Event, ...]
    create: str


class Function(NamedTuple):
    """A PostgreSQL trigger function: ``body`` is its PL/pgSQL, as pg_proc keeps it."""

    name: str
    body: str

    @property
    def create(self) -> str:
        return f"CREATE FUNCTION {self.name}() RETURNS trigger LANGUAGE plpgsql AS $${self.body}$$"


def after_each_row(
    dialect: DialectName,
    name: str,
    table: str,
    event: Event,
    body: str,
    *,
    columns: str = "",
    when: str = "",
) -> tuple[Function | None, Trigger]:
    """A trigger ``name`` that runs ``body`` (statements, each ending in ``;``) after
    ``event`` on each row of ``table`` (``columns``: `` OF a, b`` for an update) where
    ``when`` holds: on PostgreSQL through a function of its own, on SQLite inline."""
    on = f"AFTER {event}{columns} ON {table}"
    condition = f" WHEN ({when})" if when else ""
    if dialect == "postgresql":
        function = Function(f"presseschau_{name}", f" BEGIN {body} RETURN NULL; END ")
        create = (
            f"CREATE TRIGGER {name} {on} FOR EACH ROW{condition} EXECUTE FUNCTION {function.name}()"
        )
        return function, Trigger(name, table, (event,), create)
    return None, Trigger(
        name, table, (event,), f"CREATE TRIGGER {name} {on}{condition} BEGIN {body} END"
    )


def rendered(made: list[tuple[Function | None, Trigger]]) -> "Rendered":
    """Triggers made by ``after_each_row``, with their functions, in order."""
    functions = tuple(function for function, _ in made if function is not None)
    return Rendered(functions=functions, triggers=tuple(trigger for _, trigger in made))


class Rendered(NamedTuple):
    functions: tuple[Function, ...]
    triggers: tuple[Trigger, ...]

    @property
    def statements(self) -> tuple[str, ...]:
        """Every CREATE statement, in the order they run: a trigger's function first."""
        functions = tuple(function.create for function in self.functions)
        return functions + tuple(trigger.create for trigger in self.triggers)


@dataclass(frozen=True)
class Family:
    """Triggers that keep one piece of derived state, declared once.

    ``watches`` are the tables whose changes it follows, ``keeps`` the table it writes,
    ``owns`` the prefixes of its trigger names; ``sqlite`` and ``postgresql`` render it."""

    name: str
    watches: tuple[str, ...]
    keeps: str
    owns: tuple[str, ...]
    sqlite: Callable[[], Rendered] = field(repr=False)
    postgresql: Callable[[], Rendered] = field(repr=False)

    def render(self, dialect: str) -> Rendered:
        if dialect == "sqlite":
            return self.sqlite()
        if dialect == "postgresql":
            return self.postgresql()
        raise ValueError(f"no triggers for the {dialect} dialect")

    def owns_trigger(self, name: str) -> bool:
        return name.startswith(self.owns)

    @property
    def fingerprint(self) -> str:
        """A digest of the SQL the family renders on every database: the migration that
        makes the family names it, so a declaration changed without a migration is seen."""
        digest = hashlib.sha256()
        for dialect in DIALECTS:
            for statement in self.render(dialect).statements:
                digest.update(normalised(statement).encode() + b"\n")
        return digest.hexdigest()[:16]


def row_condition(
    rule: Callable[[FromClause], ColumnElement[bool]],
    table: FromClause,
    row: Literal["new", "old"],
    dialect: str,
) -> str:
    """A rule stated over a table (``app.posts.visibility``), as SQL about the row a trigger
    sees: ``row`` is ``new`` or ``old``, and values are written out, since a trigger has no
    parameters."""
    expression = rule(table.alias(row))
    compiled = expression.compile(dialect=_dialect(dialect), compile_kwargs={"literal_binds": True})
    return str(compiled)


def _dialect(name: str) -> Dialect:
    if name not in _DIALECTS:
        raise ValueError(f"no triggers for the {name} dialect")
    return _DIALECTS[name]


def values_differ(columns: Sequence[str], dialect: DialectName) -> str:
    """A trigger's condition that an UPDATE changed the value of one of ``columns`` (NULLs
    compared as values)."""
    differs = " IS DISTINCT FROM " if dialect == "postgresql" else " IS NOT "
    return " OR ".join(f"OLD.{name}{differs}NEW.{name}" for name in columns)
