"""The CPU a piece of work costs, for the tests that bound it (any input within the limits
costs well under a second)."""

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def _without_collections() -> Iterator[None]:
    # A test process accumulates a large heap over the suite, and a full garbage collection
    # that the work happens to set off walks all of it: the work's cost is what is measured,
    # not the collection of what earlier tests left (collections go on between measurements).
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def cpu_seconds(work: Callable[[], Any], *, all_threads: bool = False) -> float:
    """The CPU time ``work`` takes in this thread, where it runs; with ``all_threads``, in
    every thread of the process (a request through a test client is served on others)."""
    clock = time.process_time if all_threads else time.thread_time
    with _without_collections():
        started = clock()
        work()
        return clock() - started
