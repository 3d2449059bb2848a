"""The worker's loop: claim a due job, run it outside any transaction, end it; when nothing
is due, wait until a write in this process queues a job or the poll interval passes.

Several workers, in one process or many, on one database are safe together: each job is
claimed by one of them under a lease (see app.worker.queue). All of a worker's database work
runs on its own thread, never on an event loop.
"""

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import NamedTuple

from app.core.db import Database
from app.events.actor import WORKER, acting_as
from app.worker import metrics
from app.worker.queue import (
    PERIODIC_MAX_ATTEMPTS,
    ClaimedJob,
    LeaseLost,
    claim,
    depth,
    enqueue,
    fail,
    finish,
    release,
)
from app.worker.registry import Handler, JobContext, Registry, Released, periodic_key
from app.worker.wakeup import wakeup_of

logger = logging.getLogger("presseschau.worker")

DEFAULT_POLL_SECONDS = 1.0
# How often the queue's depth is counted for /metrics, at most.
DEPTH_SECONDS = 5.0
# How long a worker that could not reach its jobs waits before it tries again.
ERROR_PAUSE_SECONDS = 5.0
# After sweeps that found work but left none behind, the next run waits this long: posts
# written one by one (200 a second from one client) are then indexed some 40 at a time, in
# one write transaction, rather than each in its own as soon as it is written. Short beside
# the poll, so a post is still found within about a second of its write.
GATHER_SECONDS = 0.2


class Swept(NamedTuple):
    handled: int
    failed: bool
    # Some sweep handled a full batch: more is waiting, run again at once.
    behind: bool = False


def new_owner() -> str:
    """A name for a worker no other has: its machine, process and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    """Runs the jobs of ``registry``'s kinds on ``database``; ``poll_seconds`` is the longest
    a due job waits for it when nothing wakes it."""

    def __init__(
        self,
        database: Database,
        registry: Registry,
        *,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        gather_seconds: float = GATHER_SECONDS,
        owner: str | None = None,
        on_stop: Sequence[Callable[[], None]] = (),
    ) -> None:
        self.database = database
        # What the handlers hold open (the webhooks' connections), closed when ``run`` ends.
        self.on_stop = tuple(on_stop)
        self.registry = registry
        self.poll_seconds = poll_seconds
        self.gather_seconds = min(gather_seconds, poll_seconds)
        self.owner = owner or new_owner()
        self.stopping = threading.Event()
        self._woken = wakeup_of(database).subscribe()
        self._leases = {handler.kind: handler.lease for handler in registry}
        self._prepared = False
        self._depth_counted = 0.0
        self._thread: threading.Thread | None = None

    def prepare(self) -> None:
        """Queue each periodic task's job, unless another worker has already."""
        with self.database.session() as session:
            for handler in self.registry:
                if handler.interval is not None:
                    enqueue(
                        session,
                        handler.kind,
                        key=periodic_key(handler.kind),
                        max_attempts=PERIODIC_MAX_ATTEMPTS,
                    )
        self._prepared = True

    def run_once(self) -> bool:
        """Claim one due job and run it to its end; False when none was due."""
        if not self._prepared:
            self.prepare()
        job = claim(self.database, self._leases, self.owner, abandoned=self._abandoned)
        if job is None:
            return False
        self._run(self.registry[job.kind], job)
        return True

    def _abandoned(self, kind: str) -> None:
        metrics.RUNS.labels(kind, "abandoned").inc()

    def _run(self, handler: Handler, job: ClaimedJob) -> None:
        context = JobContext(job, self.database, self.owner, handler.lease, self.stopping)
        outcome = "done"
        try:
            # What a job writes (events, revisions) is the worker's doing, whoever queued it.
            with acting_as(WORKER):
                effect = handler.run(context)
            finish(self.database, job, self.owner, effect, again_after=handler.interval)
        except Released:
            release(self.database, job, self.owner)
            outcome = "released"
        except LeaseLost:
            logger.warning("job %s (%s): lease lost, its end left to another", job.id, job.kind)
            outcome = "lease_lost"
        except Exception as error:
            outcome = self._failed(handler, job, error)
        metrics.RUNS.labels(job.kind, outcome).inc()

    def _failed(self, handler: Handler, job: ClaimedJob, error: Exception) -> str:
        metrics.FAILURES.labels(job.kind).inc()
        logger.warning(
            "job %s (%s) failed, attempt %s", job.id, job.kind, job.attempts, exc_info=error
        )
        delay = handler.retry.delay(job.attempts)
        if handler.interval is not None:
            delay = min(delay, handler.interval)
        try:
            state = fail(
                self.database,
                job,
                self.owner,
                error,
                delay,
                periodic=handler.interval is not None,
            )
        except LeaseLost:
            return "lease_lost"
        return "retry" if state == "queued" else "failed"

    def sweep(self) -> Swept:
        """Run every sweep once. A sweep that fails is logged and counted, the others still
        run, and it runs again at a later poll."""
        handled, failed, behind = 0, False, False
        for sweep in self.registry.sweeps:
            try:
                with acting_as(WORKER):
                    done = sweep.run()
            except Exception:
                metrics.FAILURES.labels(sweep.name).inc()
                logger.exception("sweep %r failed", sweep.name)
                failed = True
                continue
            if done:
                metrics.RUNS.labels(sweep.name, "done").inc()
                behind = behind or not sweep.took_all(done)
            handled += done
        return Swept(handled, failed, behind)

    def _sweep_until_stopped(self) -> None:
        # On a thread of its own: a long job (a documents refresh of a large site) must not
        # hold up what is due within a poll.
        while not self.stopping.is_set():
            swept = self.sweep()
            if swept.failed:
                self.stopping.wait(max(self.poll_seconds, ERROR_PAUSE_SECONDS))
            elif not swept.handled:
                self.stopping.wait(self.poll_seconds)
            elif not swept.behind:
                self.stopping.wait(self.gather_seconds)

    def count_depth(self) -> None:
        """Count the queue for /metrics now."""
        metrics.record_depth(depth(self.database))
        self._depth_counted = time.monotonic()

    def run(self) -> None:
        """Run jobs until ``stop``; the job in hand is run to its end first (a handler of
        long jobs may watch ``stopping`` and raise ``Released``)."""
        sweeper = threading.Thread(
            target=self._sweep_until_stopped, name="presseschau-sweeps", daemon=True
        )
        if self.registry.sweeps:
            sweeper.start()
        try:
            self._run_jobs()
        finally:
            if sweeper.is_alive():
                sweeper.join()
            for close in self.on_stop:
                close()

    def _run_jobs(self) -> None:
        while not self.stopping.is_set():
            # Cleared before looking for work: a wake while a job runs is kept, not lost.
            self._woken.clear()
            try:
                ran = self.run_once()
                if time.monotonic() - self._depth_counted >= DEPTH_SECONDS:
                    self.count_depth()
            except Exception:
                # The database unreachable, or not migrated yet: tried again a little later,
                # not at every poll, so the log is not flooded meanwhile.
                logger.exception("the worker could not reach its jobs")
                self._woken.wait(max(self.poll_seconds, ERROR_PAUSE_SECONDS))
                continue
            if not ran:
                self._woken.wait(self.poll_seconds)

    def start(self) -> None:
        """Run in a thread of its own (daemon: a process that must exit is not held up)."""
        self._thread = threading.Thread(target=self.run, name="presseschau-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Ask the loop to stop and wait (up to ``timeout``) for the job in hand to end."""
        self.stopping.set()
        self._woken.set()
        if self._thread is not None:
            self._thread.join(timeout)
