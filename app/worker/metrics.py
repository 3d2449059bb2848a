"""The worker's metrics: job runs by kind and outcome, failures, and the queue's depth."""

import threading

from prometheus_client import Counter, Gauge

from app.worker.queue import Depth

RUNS = Counter(
    "presseschau_job_runs_total",
    "Job runs that ended (and sweeps that found work), by kind and outcome: done, retry (failed, queued again), failed "
    "(failed, attempts used up), lease_lost (another worker had taken it), released "
    "(given back unrun at shutdown), abandoned (its worker died on its last attempt).",
    ["kind", "outcome"],
)
FAILURES = Counter(
    "presseschau_job_failures_total",
    "Job runs and sweeps that raised an error, by kind (retried or not).",
    ["kind"],
)
# Every worker process measures the same table; the latest measurement is the one to show.
QUEUE_DEPTH = Gauge(
    "presseschau_jobs",
    "Jobs in the queue table by kind and state (queued, failed), as a worker last counted.",
    ["kind", "state"],
    multiprocess_mode="livemostrecent",
)

_shown: set[tuple[str, str]] = set()
# Several workers in one process may count at once.
_lock = threading.Lock()


def record_depth(depths: list[Depth]) -> None:
    """Show ``depths``; a kind and state no longer there shows 0 instead of its last count."""
    current = {(depth.kind, depth.state): depth.jobs for depth in depths}
    with _lock:
        for labels in _shown - set(current):
            QUEUE_DEPTH.labels(*labels).set(0)
        for labels, jobs in current.items():
            QUEUE_DEPTH.labels(*labels).set(jobs)
        _shown.update(current)
