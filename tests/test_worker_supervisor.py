"""`presseschau serve` runs the background jobs in one worker process of its own, whatever
--workers says: started with the server, started again when it dies, stopped with the
server however the server ends, and the server's own processes run none."""

import os
import signal
import time
from pathlib import Path

from app.core.db import Database
from app.search.index import queued_count
from app.worker.supervisor import WORKER_NICENESS
from tests.factories import make_account, make_post
from tests.jobs import (
    PATIENCE_SECONDS,
    documents_are_current,
    eventually,
    jobs,
    make_documents_stale,
)
from tests.live_server import served, url_of

FAST_POLLS = {"PRESSESCHAU_WORKER_POLL_SECONDS": "0.1"}


def _parent_and_state(pid: int) -> tuple[int, str] | None:
    """A process's parent and state letter, or None when there is no such process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), fields[0]


def _alive(pid: int) -> bool:
    found = _parent_and_state(pid)
    # A zombie has ended; only its parent's wait is missing (in a container, nobody's).
    return found is not None and found[1] != "Z"


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _parent_and_state(int(entry.name))):
            children.setdefault(found[0], []).append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        for child in children.get(pending.pop(), []):
            tree.append(child)
            pending.append(child)
    return tree


def _workers(server: int) -> list[int]:
    """The server's running `presseschau worker` processes."""
    found = []
    for pid in _descendants(server):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"worker" in command and _alive(pid):
            found.append(pid)
    return found


def _the_worker(server: int) -> int:
    found: list[int] = []

    def one() -> bool:
        found[:] = _workers(server)
        return len(found) == 1

    eventually(one, "the server runs one worker process")
    return found[0]


def _indexed(db: Database) -> bool:
    """Whether every post is in the search index: what the worker's sweep does at each poll."""
    return queued_count(db) == 0


def _idle(db: Database) -> bool:
    """Whether the worker's first runs of its periodic tasks are over: no job is held."""
    return all(job["state"] == "queued" and job["lease_owner"] is None for job in jobs(db))


def test_serve_runs_one_worker_process_for_all_its_processes_and_none_in_them(
    db: Database,
) -> None:
    author = make_account(db)
    make_post(db, author)
    make_documents_stale(db)
    with served(url_of(db), environment=FAST_POLLS, arguments=["--workers", "2"]) as (server, _):
        worker = _the_worker(server.pid)
        eventually(lambda: documents_are_current(db), "the worker process refreshes them")
        eventually(lambda: _indexed(db), "the worker process indexes the post")
        # Below the server's priority: under load, requests come first.
        assert os.getpriority(os.PRIO_PROCESS, worker) == (
            os.getpriority(os.PRIO_PROCESS, server.pid) + WORKER_NICENESS
        )
        eventually(lambda: _idle(db), "the worker's first periodic runs end")
        # With it paused, nothing else indexes: the server's processes run no worker.
        os.kill(worker, signal.SIGSTOP)
        try:
            make_post(db, author)
            time.sleep(1)  # ten polls of a worker thread, had a server process one
            assert queued_count(db) == 1
        finally:
            os.kill(worker, signal.SIGCONT)
        eventually(lambda: _indexed(db), "the worker indexes the post once resumed")
        assert _workers(server.pid) == [worker]


def test_a_worker_process_that_dies_is_started_again(db: Database) -> None:
    author = make_account(db)
    with served(url_of(db), environment=FAST_POLLS) as (server, _):
        first = _the_worker(server.pid)
        os.kill(first, signal.SIGKILL)
        eventually(lambda: not _alive(first), "the first worker is gone")
        second = _the_worker(server.pid)
        assert second != first
        make_post(db, author)
        eventually(lambda: _indexed(db), "the new worker indexes the post")


def test_the_worker_process_stops_with_its_server(db: Database, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with served(url_of(db), environment=FAST_POLLS, log=log) as (server, _):
        worker = _the_worker(server.pid)
        eventually(lambda: len(jobs(db)) == 2 and _idle(db), "the worker is at work")
        server.send_signal(signal.SIGTERM)
        # Ended by the signal, as uvicorn ends, once its worker has ended...
        assert server.wait(timeout=PATIENCE_SECONDS) == -signal.SIGTERM
        assert not _alive(worker)
    # ... cleanly (exit status 0, no fatal error as its interpreter shut down).
    output = log.read_text()
    assert "worker process stopped with exit status" not in output
    assert "Fatal Python error" not in output


def test_the_worker_process_stops_when_its_server_is_killed(db: Database) -> None:
    with served(url_of(db), environment=FAST_POLLS) as (server, _):
        worker = _the_worker(server.pid)
        server.kill()
        server.wait(timeout=PATIENCE_SECONDS)
        eventually(lambda: not _alive(worker), "the worker of a killed server stops")
