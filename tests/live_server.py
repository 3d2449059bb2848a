"""``presseschau serve`` as its own process on a free port, for tests that need a real server."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from app.core.db import Database
from tests.postgres_server import free_port

ROOT = Path(__file__).resolve().parents[1]
# How long a server is given to stop before it is killed.
STOP_SECONDS = 30


def url_of(database: Database) -> str:
    """``database``'s URL with its password, for a server process to open it too."""
    return database.engine.url.render_as_string(hide_password=False)


@contextmanager
def served(
    url: str,
    *,
    environment: Mapping[str, str] | None = None,
    arguments: Sequence[str] = (),
    log: Path | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """The server on database ``url`` (with ``environment`` added to this process's, and
    ``arguments`` to `serve`'s; its output into ``log``, if given), once its /healthz
    answers; it is killed afterwards."""
    port = free_port()
    output = log.open("wb") if log is not None else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), *arguments],
        cwd=ROOT,
        env={**os.environ, "PRESSESCHAU_DATABASE_URL": url, **(environment or {})},
        stdout=output,
        stderr=output,
        preexec_fn=preexec_fn,  # only resource limits, set before exec
    )
    if not isinstance(output, int):
        output.close()  # the server holds its own
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield process, base
    finally:
        if process.poll() is None:
            # Stopped, not killed: the server then stops its worker process and waits for it,
            # so no worker of this test goes on writing into the next one's tables.
            process.terminate()
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
        process.wait(timeout=10)


@contextmanager
def working(
    url: str, *, environment: Mapping[str, str] | None = None, stderr: int = subprocess.DEVNULL
) -> Iterator[subprocess.Popen[bytes]]:
    """``presseschau worker`` on database ``url``, as an operator runs it, polling every 0.1 s
    (``environment`` added to this process's); killed afterwards if it still runs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "worker"],
        cwd=ROOT,
        env={
            **os.environ,
            "PRESSESCHAU_DATABASE_URL": url,
            "PRESSESCHAU_WORKER_POLL_SECONDS": "0.1",
            **(environment or {}),
        },
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=STOP_SECONDS)
