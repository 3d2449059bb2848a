"""The worker as `presseschau serve` runs it: one process of its own beside the server's,
started with the server, started again whenever it ends, stopped with the server.

Why a process, not a thread of each server process: the worker's heaviest work is indexing
posts for search, Python analysis of 2 to 4 ms a post. In a thread it held the server's GIL
while requests waited, and with one server process per ``--workers`` each ran its own indexer
beside the others. As a process it runs on another core, one for the whole server, at a lower
CPU priority (``WORKER_NICENESS``): when the machine is busy, requests come first and the
index catches up in what CPU is left.

The child reads its standard input, a pipe only this process holds open: when the server
ends in any way (SIGKILL included), the pipe closes and the worker stops by itself, so no
worker outlives its server.
"""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

logger = logging.getLogger("presseschau.worker")

# How long a stopping server waits for its worker to end the job in hand; a job still running
# then is left to its lease, and another worker takes it once that expires.
STOP_SECONDS = 20.0
# A worker that ended is started again after this, doubled each time it ends again soon
# after starting (a database away, a broken setting), up to the most; one that ran for
# RESTART_RESET_SECONDS starts again after the least.
RESTART_SECONDS = 1.0
RESTART_MAX_SECONDS = 30.0
RESTART_RESET_SECONDS = 60.0
# Added to the worker's niceness: under full load it gets about a third of a core a request
# thread would get (Linux's CFS weights 1024 at 0 and 335 at 5), never none.
WORKER_NICENESS = 5


def worker_command() -> list[str]:
    """`presseschau worker`, stopping when its standard input closes."""
    return [sys.executable, "-m", "app", "worker", "--with-server"]


class WorkerProcess:
    """Keeps one process running ``command`` until ``stop``."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        restart_seconds: float = RESTART_SECONDS,
        stop_seconds: float = STOP_SECONDS,
    ) -> None:
        self.command = list(command)
        self.restart_seconds = restart_seconds
        self.stop_seconds = stop_seconds
        self.starts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        """The running worker's process id, or None between two of them."""
        with self._lock:
            process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._supervise, name="presseschau-worker-process", daemon=True
        )
        self._thread.start()

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        with self._lock:
            if self._stopping.is_set():
                return None
            # A session of its own: a Ctrl-C in the terminal reaches the server, which stops
            # its worker itself, rather than both at once (the worker then started again).
            self._process = subprocess.Popen(  # noqa: S603 (this program, as it was started)
                self.command, stdin=subprocess.PIPE, start_new_session=True
            )
            self.starts += 1
            return self._process

    def _supervise(self) -> None:
        delay = self.restart_seconds
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                process = self._spawn()
            except OSError:
                logger.exception("the worker process could not be started")
                process = None
            else:
                if process is None:
                    return
                code = process.wait()
                if self._stopping.is_set():
                    return
                logger.error("the worker process ended (exit status %s); starting another", code)
            if time.monotonic() - started >= RESTART_RESET_SECONDS:
                delay = self.restart_seconds
            self._stopping.wait(delay)
            delay = min(delay * 2, RESTART_MAX_SECONDS)

    def stop(self) -> None:
        """Ask the worker to stop (SIGTERM: it ends the job in hand first) and wait for it,
        up to ``stop_seconds``; then it is killed, its job left to its lease."""
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(self.stop_seconds)
            except subprocess.TimeoutExpired:
                logger.warning("the worker did not stop within %s s: killed", self.stop_seconds)
                process.kill()
                process.wait()
            else:
                if process.returncode != 0:
                    logger.warning(
                        "the worker process stopped with exit status %s", process.returncode
                    )
        if process is not None and process.stdin is not None:
            process.stdin.close()
        if self._thread is not None:
            self._thread.join()


STDIN = 0
# What stops a server: uvicorn raises it again once it has shut down.
_STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def running(worker: WorkerProcess | None) -> Iterator[None]:
    """``worker`` (if any) running while the block serves; stopped once the block ends,
    however it ends. uvicorn, once shut down by a signal, raises the signal again under the
    handler it found: here one that only notes it, so the worker is stopped before the
    signal takes its usual course (the process ending by it)."""
    noted: list[int] = []

    def note(signum: int, _frame: FrameType | None) -> None:
        noted.append(signum)

    found = {signum: signal.signal(signum, note) for signum in _STOPPING_SIGNALS}
    if worker is not None:
        worker.start()
    try:
        yield
    finally:
        if worker is not None:
            worker.stop()
        for stopping, handler in found.items():
            signal.signal(stopping, handler)
        for signum in noted:
            signal.raise_signal(signum)


def stop_with_server() -> None:
    """In the worker's process: lower its priority, and send itself SIGTERM (a stop that
    ends the job in hand first) once standard input, the server's pipe, closes."""
    os.nice(WORKER_NICENESS)

    def watch() -> None:
        # Blocks until the server closes its end, or ends: then EOF. The descriptor itself,
        # not sys.stdin: this daemon thread, blocked in a buffered read, would hold the
        # buffer's lock that the interpreter takes as it shuts down (a fatal error at exit).
        while os.read(STDIN, 4096):
            pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="presseschau-server-watch", daemon=True).start()
