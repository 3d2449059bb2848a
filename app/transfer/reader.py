"""Reads an export document as a stream: its top-level members, one array item at a time.

Only the item being read is ever held in memory, whatever the document's size. Malformed
JSON is reported with where it was found (``in posts[17]``), as an InvalidInput error.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import ijson  # type: ignore[import-untyped]  # ships no type information

from app.core.errors import InvalidInput

_SCALARS = frozenset(("string", "number", "boolean", "null"))
_OPENING = frozenset(("start_map", "start_array"))
_CLOSING = frozenset(("end_map", "end_array"))
_END = ("end", None)


class InvalidDocument(InvalidInput):
    """The document cannot be restored as it is; the detail says where and why."""


@dataclass
class Array:
    """A top-level array: its items, each with its position, to be read before what follows."""

    items: Iterator[tuple[int, Any]]


def _reason(error: Exception) -> str:
    message = error.args[0] if error.args else str(error)
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    lines = str(message).strip().splitlines()
    return lines[0] if lines else type(error).__name__


class DocumentReader:
    """One pass over a document's JSON events."""

    def __init__(self, stream: BinaryIO) -> None:
        self._events: Iterator[tuple[str, Any]] = ijson.basic_parse(stream, use_float=True)
        self.where = "at its start"

    def _next(self) -> tuple[str, Any]:
        try:
            return next(self._events, _END)
        except ijson.JSONError as exc:
            reason = _reason(exc)
            if "premature EOF" in reason:
                raise self._cut_off() from exc
            raise InvalidDocument(
                f"The document is not valid JSON {self.where}: {reason}."
            ) from exc

    def _expect(self) -> tuple[str, Any]:
        event = self._next()
        if event is _END:
            raise self._cut_off()
        return event

    def _cut_off(self) -> InvalidDocument:
        return InvalidDocument(f"The document ends early, {self.where}: it is cut off.")

    def members(self) -> Iterator[tuple[str, Any]]:
        """``(key, value)`` for each top-level member, in document order.

        An array's value is an Array whose items are read from the stream as they are asked
        for; any left unread are skipped when the next member is asked for.
        """
        kind, _ = self._expect()
        if kind != "start_map":
            raise InvalidDocument("The document must be one JSON object, {...}.")
        seen: set[str] = set()
        while True:
            kind, key = self._expect()
            if kind == "end_map":
                break
            if key in seen:
                raise InvalidDocument(f"The document has {key!r} twice.")
            seen.add(key)
            self.where = f"in {key!r}"
            kind, value = self._expect()
            if kind == "start_array":
                items = self._items(key)
                yield key, Array(items)
                for _unread in items:
                    pass
            else:
                yield key, self._value(kind, value)
            self.where = f"after {key!r}"
        self.where = "after its end"
        if self._next() is not _END:
            raise InvalidDocument("The document goes on after its closing brace.")

    def _items(self, key: str) -> Iterator[tuple[int, Any]]:
        index = 0
        while True:
            self.where = f"in {key}[{index}]"
            kind, value = self._expect()
            if kind == "end_array":
                return
            yield index, self._value(kind, value)
            index += 1

    def _value(self, kind: str, value: Any) -> Any:
        """The whole value that starts with this event."""
        if kind in _SCALARS:
            return value
        if kind == "start_map":
            return self._flat_object()
        return self._nested(kind, value)

    def _flat_object(self) -> Any:
        # Items are flat objects: build them directly, and leave anything nested to the
        # general builder (the record's validation then refuses it).
        item: dict[str, Any] = {}
        while True:
            kind, key = self._expect()
            if kind == "end_map":
                return item
            kind, value = self._expect()
            item[key] = value if kind in _SCALARS else self._nested(kind, value)

    def _nested(self, kind: str, value: Any) -> Any:
        builder = ijson.ObjectBuilder()
        builder.event(kind, value)
        depth = 1
        while depth:
            kind, value = self._expect()
            builder.event(kind, value)
            depth += 1 if kind in _OPENING else -1 if kind in _CLOSING else 0
        return builder.value
