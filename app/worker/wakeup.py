"""Waking a database's workers in this process when a write has queued a job, so the job
starts at once instead of at the worker's next poll.

``enqueue`` marks the transaction's connection; a before-commit hook moves the mark to the
committing thread, and an after-commit hook (which runs only if the write committed) wakes
the workers. A rolled-back write may leave its mark on the connection, and the next commit
on it then wakes the workers once for nothing: one claim query that finds no job.
"""

import threading
import weakref

from sqlalchemy import Connection

from app.core.db import Database
from app.worker.queue import QUEUED_FLAG


class Wakeup:
    """The workers of one database in this process, each waiting on an event of its own."""

    def __init__(self) -> None:
        self._events: weakref.WeakSet[threading.Event] = weakref.WeakSet()
        self._committing = threading.local()

    def subscribe(self) -> threading.Event:
        event = threading.Event()
        self._events.add(event)
        return event

    def notify(self) -> None:
        for event in list(self._events):
            event.set()

    def before_commit(self, connection: Connection) -> None:
        self._committing.queued = connection.info.pop(QUEUED_FLAG, False)

    def after_commit(self) -> None:
        if getattr(self._committing, "queued", False):
            self._committing.queued = False
            self.notify()


_wakeups: "weakref.WeakKeyDictionary[Database, Wakeup]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def wakeup_of(database: Database) -> Wakeup:
    """The one ``Wakeup`` of ``database`` in this process."""
    with _lock:
        wakeup = _wakeups.get(database)
        if wakeup is None:
            wakeup = _wakeups[database] = Wakeup()
        return wakeup


def wake_workers(database: Database, *, order: int) -> None:
    """Make every write of ``database`` that queues a job wake this process's workers once
    it commits: its before-commit hook runs at ``order``, after the hooks that may queue."""
    wakeup = wakeup_of(database)
    database.hooks.add_before_commit("jobs queued", wakeup.before_commit, order=order)
    database.hooks.add_after_commit("wake the worker", wakeup.after_commit, order=order)
