"""Core statements compiled once per database and run on a driver cursor.

SQLAlchemy's execution path (session, connection, cache-key lookup, result objects) costs more
than an indexed query itself. A statement of fixed shape is compiled here once; each run binds
its values and converts its rows with the very bind and result processors SQLAlchemy would use,
so the values are the same as the ORM path reads, without the machinery around them.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import Dialect, Select

Processor = Callable[[Any], Any]
AnySelect = Select[*tuple[Any, ...]]


class Prepared:
    def __init__(self, statement: AnySelect, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        if "POSTCOMPILE" in self.sql:
            raise ValueError("a statement with expanding parameters has no single compiled form")
        positions = compiled.positiontup
        self._positions = list(positions) if dialect.positional and positions else None
        binds = compiled.binds.items()
        self._defaults = {name: bind.effective_value for name, bind in binds if not bind.required}
        self._binds: list[tuple[str, Processor]] = []
        for name, bind in binds:
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self._binds.append((name, process))
        self._dialect = dialect
        self._types = [column.type.dialect_impl(dialect) for column in statement.selected_columns]
        # Made on the first run: some processors depend on the type code the driver reports.
        self._results: list[tuple[int, Processor]] | None = None

    def rows(self, cursor: Any, **values: Any) -> list[tuple[Any, ...]]:
        """Every row of the statement run with ``values`` for its named parameters."""
        params = self._defaults | values
        for name, process in self._binds:
            params[name] = process(params[name])
        if self._positions is None:
            cursor.execute(self.sql, params)
        else:
            cursor.execute(self.sql, [params[name] for name in self._positions])
        # All rows, always: a statement left unfinished would keep SQLite's read snapshot open
        # on a connection that outlives this call.
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        if self._results is None:
            self._results = self._processors(cursor.description)
        if not self._results:
            return rows
        converted = []
        for row in rows:
            values_ = list(row)
            for index, convert in self._results:
                values_[index] = convert(values_[index])
            converted.append(tuple(values_))
        return converted

    def _processors(self, description: Any) -> list[tuple[int, Processor]]:
        found: list[tuple[int, Processor]] = []
        for index, (kind, column) in enumerate(zip(self._types, description, strict=True)):
            convert = kind.result_processor(self._dialect, column[1])
            if convert is not None:
                found.append((index, convert))
        return found
