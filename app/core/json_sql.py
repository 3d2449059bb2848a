"""Text columns read as JSON strings the database has already written.

A post's body, its HTML and excerpt are most of a list's bytes. Read as text, each is decoded
into a Python string and then escaped again by the JSON encoder; read as the JSON string the
database writes (SQLite ``json_quote``, PostgreSQL ``to_json``), it goes into the response
as it is, through ``orjson.Fragment``. Both escape the same characters the same way as orjson
(quote, backslash, control characters), and the direct-read tests compare the bytes.
"""

from typing import Any

import orjson
from sqlalchemy import ColumnElement, String
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator


class _JsonFragment(TypeDecorator[orjson.Fragment | None]):
    impl = String
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> orjson.Fragment | None:
        # PostgreSQL's to_json(NULL) is NULL, which JSON writes as null all the same.
        return None if value is None else orjson.Fragment(value)


class json_text(FunctionElement[orjson.Fragment | None]):  # noqa: N801 (an SQL function's name)
    """``column``'s value as a JSON string (``null`` for NULL), ready to embed."""

    type = _JsonFragment()
    inherit_cache = True

    def __init__(self, column: ColumnElement[Any]) -> None:
        super().__init__(column)


@compiles(json_text, "sqlite")
def _sqlite(element: json_text, compiler: SQLCompiler, **options: Any) -> str:
    # As a BLOB, so the driver hands over the bytes without decoding them.
    return f"CAST(json_quote({compiler.process(element.clauses, **options)}) AS BLOB)"


@compiles(json_text, "postgresql")
def _postgresql(element: json_text, compiler: SQLCompiler, **options: Any) -> str:
    return f"CAST(to_json({compiler.process(element.clauses, **options)}) AS TEXT)"
