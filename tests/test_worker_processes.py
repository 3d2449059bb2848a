"""The worker in real processes: one killed while holding a job leaves it to another once its
lease ends; `presseschau worker` stops on SIGTERM; `presseschau serve` runs jobs unless told
not to."""

import signal
import subprocess
import sys
import time
from pathlib import Path

from app.core.db import Database
from app.worker.queue import enqueue
from app.worker.registry import JobContext, Registry
from app.worker.runner import Worker
from app.worker.tasks import EMPTY_TRASH, REFRESH_DOCUMENTS
from tests.factories import make_account, make_post
from tests.jobs import (
    PATIENCE_SECONDS,
    document_formats,
    documents_are_current,
    eventually,
    jobs,
    make_documents_stale,
)
from tests.live_server import ROOT, served, url_of, working

LEASE_SECONDS = 3
# A worker process whose one handler takes its job and never lets go.
HOLDER = f"""
import pathlib, sys, time
from datetime import timedelta
from app.derived.root import open_database
from app.worker.registry import Registry
from app.worker.runner import Worker

def hold(context):
    pathlib.Path(sys.argv[2]).write_text(context.owner)
    time.sleep(3600)

registry = Registry()
registry.handle("test.held", hold, lease=timedelta(seconds={LEASE_SECONDS}))
Worker(open_database(sys.argv[1]), registry, poll_seconds=0.05).run()
"""


def test_a_job_held_by_a_killed_worker_is_run_by_another_after_its_lease(
    db: Database, tmp_path: Path
) -> None:
    with db.session() as session:
        enqueue(session, "test.held", {"report": 12})
    marker = tmp_path / "holding"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url_of(db), str(marker)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        eventually(marker.exists, "the first worker takes the job")
    finally:
        holder.kill()  # SIGKILL: nothing of it runs after this
        holder.wait(timeout=PATIENCE_SECONDS)
    (job,) = jobs(db)
    assert job["lease_owner"] == marker.read_text()

    ran: list[dict[str, object]] = []

    def finish_it(context: JobContext) -> None:
        ran.append({"attempt": context.job.attempts, **context.job.payload})

    registry = Registry()
    registry.handle("test.held", finish_it)
    other = Worker(db, registry)
    # Its lease (3 s from the claim) still runs: the job is left alone...
    assert other.run_once() is False
    # ... until it ends, and another worker finishes the job.
    eventually(other.run_once, "another worker takes the job after the lease")
    assert ran == [{"attempt": 2, "report": 12}]
    assert jobs(db) == []


def _posts_with_stale_documents(db: Database) -> None:
    author = make_account(db)
    for _ in range(3):
        make_post(db, author)
    make_documents_stale(db)
    assert document_formats(db) == {""}


def test_the_worker_command_refreshes_documents_and_stops_on_sigterm(db: Database) -> None:
    _posts_with_stale_documents(db)
    with working(url_of(db), stderr=subprocess.PIPE) as process:
        eventually(lambda: documents_are_current(db), "the worker stores the documents anew")
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=PATIENCE_SECONDS)
    assert process.returncode == 0, errors.decode()
    # The periodic tasks, queued again for their next runs, not held.
    assert {(job["kind"], job["state"], job["lease_owner"]) for job in jobs(db)} == {
        (REFRESH_DOCUMENTS, "queued", None),
        (EMPTY_TRASH, "queued", None),
    }


def test_serve_runs_the_jobs_by_default(db: Database) -> None:
    _posts_with_stale_documents(db)
    with served(url_of(db), environment={"PRESSESCHAU_WORKER_POLL_SECONDS": "0.1"}):
        eventually(lambda: documents_are_current(db), "the server's worker refreshes them")
        assert {job["kind"] for job in jobs(db)} == {REFRESH_DOCUMENTS, EMPTY_TRASH}


def test_serve_runs_no_jobs_with_the_worker_setting_off(db: Database) -> None:
    _posts_with_stale_documents(db)
    environment = {"PRESSESCHAU_WORKER": "false", "PRESSESCHAU_WORKER_POLL_SECONDS": "0.1"}
    with served(url_of(db), environment=environment):
        time.sleep(1)  # ten polls of a worker, had it one
        assert jobs(db) == []
        assert document_formats(db) == {""}
