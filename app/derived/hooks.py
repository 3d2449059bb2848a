"""Ordered hooks every write transaction runs, whatever path it writes by.

Before-commit hooks run on the write's own connection, inside its transaction, just before it
commits: what they write commits with it, and one that raises rolls the whole write back.
After-commit hooks run once the write has committed (never after a rollback), to tell others
about it; one that fails is logged, since the write it follows stands. Each hook has a name and
an order: hooks run by ascending order, then by name, however they were registered, so what a
feature adds cannot reorder what runs already.
"""

import logging
from collections.abc import Callable
from typing import Generic, NamedTuple, TypeVar

from sqlalchemy import Connection

logger = logging.getLogger("presseschau")

BeforeCommit = Callable[[Connection], None]
AfterCommit = Callable[[], None]
F = TypeVar("F")


class Hook(NamedTuple, Generic[F]):
    name: str
    order: int
    run: F


class WriteHooks:
    """The before-commit and after-commit hooks of one database, each list in a fixed order."""

    def __init__(self) -> None:
        self._before: list[Hook[BeforeCommit]] = []
        self._after: list[Hook[AfterCommit]] = []

    def add_before_commit(self, name: str, hook: BeforeCommit, *, order: int) -> None:
        """Run ``hook`` on each write transaction's connection just before it commits."""
        self._before = _added(self._before, Hook(name, order, hook))

    def add_after_commit(self, name: str, hook: AfterCommit, *, order: int) -> None:
        """Run ``hook`` after each write transaction has committed."""
        self._after = _added(self._after, Hook(name, order, hook))

    @property
    def before_commit(self) -> tuple[str, ...]:
        """The names of the before-commit hooks, in the order they run."""
        return tuple(hook.name for hook in self._before)

    @property
    def after_commit(self) -> tuple[str, ...]:
        """The names of the after-commit hooks, in the order they run."""
        return tuple(hook.name for hook in self._after)

    def run_before_commit(self, connection: Connection) -> None:
        """Run every before-commit hook on ``connection``; an exception ends the write."""
        for hook in self._before:
            hook.run(connection)

    def run_after_commit(self) -> None:
        """Run every after-commit hook; one failing is logged and the others still run."""
        for hook in self._after:
            try:
                hook.run()
            except Exception:
                logger.exception("after-commit hook %r failed", hook.name)


def _added(hooks: list[Hook[F]], hook: Hook[F]) -> list[Hook[F]]:
    if any(known.name == hook.name for known in hooks):
        # Registering a hook twice would run its work twice in every write.
        raise ValueError(f"a write hook named {hook.name!r} is registered already")
    # A new list, so a write running the hooks in another thread never sees one half-sorted.
    return sorted([*hooks, hook], key=lambda known: (known.order, known.name))
