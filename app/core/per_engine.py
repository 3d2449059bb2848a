"""One object per database and process, made on first use."""

import threading
from collections.abc import Callable
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

T = TypeVar("T")


class PerEngine(Generic[T]):
    """``registry(engine)`` is the one ``make()`` for that engine. A lock, because request
    threads ask as well as the event loop; weak keys, so a disposed engine takes its object
    with it (tests make many)."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._made: WeakKeyDictionary[Engine, T] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def __call__(self, engine: Engine) -> T:
        with self._lock:
            made = self._made.get(engine)
            if made is None:
                made = self._made[engine] = self._make()
            return made
