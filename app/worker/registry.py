"""What a worker knows how to run: a handler per kind of job, with its lease and retry policy,
and periodic tasks (a kind whose one job queues itself again after each run)."""

import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

from sqlmodel import Session

from app.core.db import Database
from app.worker.models import KIND_MAX
from app.worker.queue import ClaimedJob, renew

# Database work a handler hands back, done in the transaction that marks its job done: the
# effect and the job's end commit together or not at all, so a job whose lease was lost (and
# that someone else has taken) leaves no effect behind.
Effect = Callable[[Session], None]


class Released(Exception):
    """Raised by a handler that stops early because its worker is stopping: the job goes back
    to the queue as it was, this run not counted as an attempt."""


@dataclass(frozen=True)
class Retry:
    """Exponential backoff with jitter: after the n-th failed attempt the job waits between
    half and all of ``first * 2**(n-1)``, at most ``longest``. Jitter spreads the retries of
    jobs that failed together (a receiver that was down) instead of sending them together."""

    first: timedelta = timedelta(seconds=10)
    longest: timedelta = timedelta(hours=1)

    def delay(self, attempts: int) -> timedelta:
        exponent = min(max(attempts - 1, 0), 40)  # 2**40 times any delay is past any cap
        full = min(self.longest, self.first * (1 << exponent))
        return full / 2 + full / 2 * random.random()  # noqa: S311 (spread, not a secret)


@dataclass
class JobContext:
    """What a handler is given: its job, the database, and ways to hold on to the job."""

    job: ClaimedJob
    database: Database
    owner: str
    lease: timedelta
    # Set when the worker is asked to stop: a long job may raise ``Released`` then.
    stopping: threading.Event = field(default_factory=threading.Event)

    def renew(self) -> None:
        """Extend the lease by the handler's lease time from now: for jobs that run long.
        Raises ``LeaseLost`` when the job is no longer this worker's."""
        renew(self.database, self.job, self.owner, self.lease)


Run = Callable[[JobContext], Effect | None]


class Handler(NamedTuple):
    kind: str
    run: Run
    lease: timedelta
    retry: Retry
    # Periodic tasks: the time from the end of one run to the next.
    interval: timedelta | None


DEFAULT_LEASE = timedelta(minutes=5)


class Sweep(NamedTuple):
    """Work every worker looks for at each poll, without a job: ``run`` asks the database
    with a read whether anything is due, writes only when something is, claims what it
    handles itself (so several workers may sweep at once) and says how much it handled."""

    name: str
    run: Callable[[], int]
    # A sweep that takes in at most this much per run: a run that handled less found all
    # there was, and the worker gathers what comes next for a moment before the next run.
    # None: each run takes all there is.
    batch: int | None = None

    def took_all(self, handled: int) -> bool:
        """Whether a run that handled ``handled`` left nothing behind it."""
        return self.batch is None or handled < self.batch


class Registry:
    """The handlers of one worker, by kind. A worker claims only jobs of kinds it has."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._sweeps: list[Sweep] = []

    def handle(
        self,
        kind: str,
        run: Run,
        *,
        lease: timedelta = DEFAULT_LEASE,
        retry: Retry | None = None,
    ) -> None:
        """Run jobs of ``kind`` with ``run``. A worker that has not finished a job ``lease``
        after claiming it (or after its last renewal) is taken to have died, and another may
        take the job: make it longer than a run takes, or renew it."""
        self._add(Handler(kind, run, lease, retry or Retry(), None))

    def every(
        self,
        name: str,
        interval: timedelta,
        run: Run,
        *,
        lease: timedelta = DEFAULT_LEASE,
        retry: Retry | None = None,
    ) -> None:
        """Run ``run`` every ``interval`` (from the end of one run to the start of the next),
        on one worker at a time however many run: the task is one job, keyed by its name,
        that is queued again instead of deleted when it ends. A failed run is retried with
        backoff, never later than ``interval``; a periodic task never ends ``failed``."""
        if interval <= timedelta(0):
            raise ValueError("a periodic task needs an interval above zero")
        self._add(Handler(name, run, lease, retry or Retry(), interval))

    def sweep(self, name: str, run: Callable[[], int], *, batch: int | None = None) -> None:
        """Run ``run`` at every poll of every worker: for what must happen within a poll of
        its time (a scheduled post going public), where a periodic job would take SQLite's
        write lock twice a second to be claimed and ended even when nothing is due. A sweep
        that handles at most ``batch`` per run is run again at once while it handles that
        many, and after a moment's gathering when it handled fewer (see Worker)."""
        if any(known.name == name for known in self._sweeps):
            raise ValueError(f"a sweep named {name!r} is registered already")
        if batch is not None and batch < 1:
            raise ValueError("a sweep's batch is at least 1")
        self._sweeps.append(Sweep(name, run, batch))

    @property
    def sweeps(self) -> tuple[Sweep, ...]:
        return tuple(self._sweeps)

    def _add(self, handler: Handler) -> None:
        if not 0 < len(handler.kind) <= KIND_MAX:
            raise ValueError(f"a job kind has 1 to {KIND_MAX} characters: {handler.kind!r}")
        if handler.kind in self._handlers:
            raise ValueError(f"a handler for {handler.kind!r} is registered already")
        if handler.lease <= timedelta(0):
            raise ValueError("a lease must be longer than zero")
        self._handlers[handler.kind] = handler

    def __getitem__(self, kind: str) -> Handler:
        return self._handlers[kind]

    def __iter__(self) -> Iterator[Handler]:
        return iter(self._handlers.values())


def periodic_key(name: str) -> str:
    """The key of a periodic task's one job."""
    return f"periodic:{name}"
