"""The worker as the processes run it: in the foreground (``presseschau worker``), or in a
thread of a ``presseschau serve`` process."""

import signal
from types import FrameType

from app.core.config import Settings
from app.core.db import Database
from app.webhooks.delivery import DeliveryOptions, Sender
from app.worker.runner import Worker
from app.worker.tasks import standard_registry

# How long a stopping server waits for the job in hand; one still running then is left to
# its lease, and another worker takes it once that expires.
STOP_SECONDS = 20.0


def worker_for(database: Database, settings: Settings) -> Worker:
    """A worker on ``database`` with every handler of this release."""
    webhooks = Sender(DeliveryOptions.from_settings(settings))
    return Worker(
        database,
        standard_registry(
            database,
            settings.zone,
            trash_days=settings.trash_days,
            search_languages=settings.search_languages,
            webhooks=webhooks,
        ),
        poll_seconds=settings.worker_poll_seconds,
        on_stop=[webhooks.close],
    )


def run_in_foreground(worker: Worker) -> None:
    """Run ``worker`` in this thread until SIGINT or SIGTERM, then end the job in hand."""

    def stop(_signal: int, _frame: FrameType | None) -> None:
        # Only asks: the loop ends once the job in hand has ended (or been released).
        worker.stop(timeout=0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    worker.run()
