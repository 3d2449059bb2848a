"""Background jobs: queued with the write that asks for them, claimed by one worker at a time
under a lease, retried with growing delays, kept when they fail for good."""

import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import update
from sqlmodel import Session

from app.core.config import Settings
from app.core.db import Database
from app.core.metrics import exposition
from app.core.types import utcnow
from app.posts.documents import FORMAT
from app.worker.models import JOBS
from app.worker.queue import LeaseLost, claim, enqueue, finish
from app.worker.registry import Effect, JobContext, Registry, Released, Retry
from app.worker.runner import Worker
from app.worker.tasks import (
    REFRESH_BATCH,
    REFRESH_DOCUMENTS,
    REFRESH_INTERVAL,
    standard_registry,
)
from tests.factories import make_account, make_post
from tests.jobs import (
    document_formats,
    documents_are_current,
    eventually,
    jobs,
    make_documents_stale,
)

LONG = timedelta(minutes=5)


def test_a_job_queued_by_a_write_that_rolls_back_is_never_run(db: Database) -> None:
    ran: list[int] = []
    registry = Registry()
    registry.handle("test.note", lambda context: ran.append(context.job.id))

    def in_a_session() -> None:
        with db.session() as session:
            enqueue(session, "test.note", {"n": 1})
            raise RuntimeError("the write fails after queuing its job")

    def on_a_connection() -> None:
        with db.write_connection() as connection:
            enqueue(connection, "test.note", {"n": 2})
            raise RuntimeError("so does this one")

    for write in (in_a_session, on_a_connection):
        with pytest.raises(RuntimeError):
            write()

    assert Worker(db, registry).run_once() is False
    assert ran == []
    assert jobs(db) == []


def test_a_keyed_job_is_queued_once_and_runs_with_its_payload(db: Database) -> None:
    payloads: list[object] = []
    registry = Registry()
    registry.handle("test.note", lambda context: payloads.append(context.job.payload))
    with db.session() as session:
        first = enqueue(session, "test.note", {"post": 7, "tags": ["a"]}, key="post:7")
        again = enqueue(session, "test.note", {"post": 7, "tags": ["b"]}, key="post:7")
    assert first is not None
    assert again is None

    worker = Worker(db, registry)
    assert worker.run_once() is True
    assert worker.run_once() is False
    assert payloads == [{"post": 7, "tags": ["a"]}]
    assert jobs(db) == []


def test_workers_run_only_the_kinds_they_know(db: Database) -> None:
    with db.session() as session:
        enqueue(session, "test.elsewhere")
    assert Worker(db, Registry()).run_once() is False
    assert [job["kind"] for job in jobs(db)] == ["test.elsewhere"]


def test_two_workers_never_run_the_same_job_at_once(db: Database) -> None:
    """Four workers on their own connections take jobs side by side: each job runs once."""
    count = 24
    with db.session() as session:
        for number in range(count):
            enqueue(session, "test.slow", {"n": number})

    lock = threading.Lock()
    running: set[int] = set()
    overlaps: list[int] = []
    runs: Counter[int] = Counter()

    def slow(context: JobContext) -> None:
        number = context.job.payload["n"]
        with lock:
            if number in running:
                overlaps.append(number)
            running.add(number)
            runs[number] += 1
        time.sleep(0.01)  # long enough for the others to try for it meanwhile
        with lock:
            running.discard(number)

    registry = Registry()
    registry.handle("test.slow", slow)
    workers = [Worker(db, registry) for _ in range(4)]

    def drain(worker: Worker) -> None:
        while worker.run_once():
            pass

    threads = [threading.Thread(target=drain, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert overlaps == []
    assert runs == Counter(range(count))
    assert jobs(db) == []


def _make_due(db: Database) -> None:
    """What waiting out a job's delay would do, without the wait."""
    with db.engine.begin() as connection:
        connection.execute(update(JOBS).values(run_at=utcnow() - timedelta(seconds=1)))


def test_a_failing_job_is_retried_later_each_time_then_kept_as_failed(db: Database) -> None:
    registry = Registry()
    attempts: list[int] = []

    def broken(context: JobContext) -> None:
        attempts.append(context.job.attempts)
        raise ValueError(f"the receiver said no ({'x' * 5000})")

    first = timedelta(seconds=10)
    registry.handle("test.broken", broken, retry=Retry(first=first, longest=timedelta(hours=1)))
    with db.session() as session:
        enqueue(session, "test.broken", max_attempts=3)
    worker = Worker(db, registry)

    delays = []
    for attempt in (1, 2):
        assert worker.run_once() is True
        (job,) = jobs(db)
        assert job["state"] == "queued"
        assert job["attempts"] == attempt
        assert job["lease_owner"] is None
        assert job["last_error"].startswith("ValueError: the receiver said no (xxx")
        assert len(job["last_error"]) <= 2000
        delay = job["run_at"] - job["updated_at"]
        # Between half and all of first * 2**(attempt-1): growing, with jitter.
        assert first * 2 ** (attempt - 1) / 2 <= delay <= first * 2 ** (attempt - 1)
        delays.append(delay)
        assert worker.run_once() is False  # not before its time
        _make_due(db)

    assert delays[1] >= delays[0]
    assert worker.run_once() is True
    (job,) = jobs(db)
    assert job["state"] == "failed"
    assert job["attempts"] == 3
    assert job["last_error"].startswith("ValueError: the receiver said no")
    _make_due(db)
    assert worker.run_once() is False  # kept for an operator, never run again
    assert attempts == [1, 2, 3]


def test_the_backoff_is_capped() -> None:
    retry = Retry(first=timedelta(seconds=10), longest=timedelta(minutes=1))
    for attempts in (1, 5, 60, 10_000):
        assert timedelta(seconds=5) <= retry.delay(attempts) <= timedelta(minutes=1)


def test_a_worker_whose_lease_was_taken_over_neither_ends_the_job_nor_commits_its_effect(
    db: Database,
) -> None:
    """The effect a handler hands back commits with the job's end: exactly once."""
    with db.session() as session:
        enqueue(session, "test.effect")
    leases = {"test.effect": LONG}
    slow = claim(db, leases, "slow-worker")
    assert slow is not None
    assert claim(db, leases, "other-worker") is None  # leased: nobody else takes it

    with db.engine.begin() as connection:  # the slow worker's lease runs out
        connection.execute(update(JOBS).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    taken = claim(db, leases, "other-worker")
    assert taken is not None
    assert taken.id == slow.id
    assert taken.attempts == 2

    def effect(key: str) -> Effect:
        def queue_another(session: Session) -> None:
            enqueue(session, "test.effect-done", key=key)

        return queue_another

    with pytest.raises(LeaseLost):
        finish(db, slow, "slow-worker", effect("by the slow worker"))
    assert [job["lease_owner"] for job in jobs(db)] == ["other-worker"]
    finish(db, taken, "other-worker", effect("by the other worker"))
    assert [(job["kind"], job["key"]) for job in jobs(db)] == [
        ("test.effect-done", "by the other worker")
    ]


def test_an_effect_that_fails_leaves_nothing_and_the_job_is_retried(db: Database) -> None:
    def effect(session: Session) -> None:
        enqueue(session, "test.effect-done")
        raise RuntimeError("the effect's second statement fails")

    registry = Registry()
    registry.handle("test.effect", lambda _context: effect)
    with db.session() as session:
        enqueue(session, "test.effect")
    assert Worker(db, registry).run_once() is True
    (job,) = jobs(db)
    assert (job["kind"], job["state"], job["attempts"]) == ("test.effect", "queued", 1)
    assert job["last_error"] == "RuntimeError: the effect's second statement fails"


def test_a_long_job_renews_its_lease(db: Database) -> None:
    seen: list[object] = []

    def long_job(context: JobContext) -> None:
        before = jobs(db)[0]["lease_expires_at"]
        time.sleep(0.01)
        context.renew()
        seen.append(jobs(db)[0]["lease_expires_at"] > before)

    registry = Registry()
    registry.handle("test.long", long_job, lease=timedelta(seconds=30))
    with db.session() as session:
        enqueue(session, "test.long")
    assert Worker(db, registry).run_once() is True
    assert seen == [True]


def test_a_write_that_queues_a_job_wakes_the_worker_in_its_process(db: Database) -> None:
    """With a poll far longer than the test's patience, only the wake can start the job."""
    ran = threading.Event()
    registry = Registry()
    registry.handle("test.note", lambda _context: ran.set())
    worker = Worker(db, registry, poll_seconds=3600)
    worker.run_once()  # ready, and nothing is due
    worker.start()
    try:
        time.sleep(0.2)  # it has looked for work, found none, and waits
        with db.session() as session:
            enqueue(session, "test.note")
        eventually(ran.is_set, "the woken worker runs the job")
    finally:
        worker.stop(timeout=30)


def test_a_sweep_takes_work_that_streams_in_many_at_a_time_within_a_moment(
    db: Database,
) -> None:
    """Items come one by one (as posts written one after another queue for the index). With
    a poll far longer than the test's patience, only the gathering after a run that took all
    there was can take the later ones: all of them, in a few runs of at most a batch."""
    waiting: list[int] = []
    lock = threading.Lock()
    taken: list[int] = []  # how many each run took

    def take() -> int:
        with lock:
            batch = waiting[:10]
            del waiting[:10]
        if batch:
            taken.append(len(batch))
        return len(batch)

    registry = Registry()
    registry.sweep("test.stream", take, batch=10)
    worker = Worker(db, registry, poll_seconds=3600, gather_seconds=1.0)
    waiting.append(0)
    worker.start()
    try:
        eventually(lambda: bool(taken), "the first item is taken")
        for item in range(1, 40):
            with lock:
                waiting.append(item)
            time.sleep(0.002)
        eventually(lambda: sum(taken) == 40, "every item is taken, none left to a poll")
    finally:
        worker.stop(timeout=30)
    assert max(taken) == 10
    assert len(taken) < 10


def test_a_job_due_later_starts_when_its_time_comes_without_a_wake(db: Database) -> None:
    started: list[object] = []
    registry = Registry()
    registry.handle("test.later", lambda _context: started.append(utcnow()))
    run_at = utcnow() + timedelta(milliseconds=500)
    with db.session() as session:
        enqueue(session, "test.later", run_at=run_at)
    worker = Worker(db, registry, poll_seconds=0.1)
    worker.start()
    try:
        eventually(lambda: bool(started), "the job starts once due")
    finally:
        worker.stop(timeout=30)
    assert started[0] >= run_at  # type: ignore[operator]


def test_a_periodic_task_runs_again_and_again_on_one_worker_at_a_time(db: Database) -> None:
    lock = threading.Lock()
    running = [0]
    most = [0]
    runs = [0]

    def tick(_context: JobContext) -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
            runs[0] += 1

    registry = Registry()
    registry.every("test.tick", timedelta(milliseconds=50), tick)
    workers = [Worker(db, registry, poll_seconds=0.02) for _ in range(3)]
    for worker in workers:
        worker.start()
    try:
        eventually(lambda: runs[0] >= 5, "the task runs five times")
    finally:
        for worker in workers:
            worker.stop(timeout=30)
    assert most[0] == 1
    (job,) = jobs(db)  # one job, queued again after each run
    assert (job["kind"], job["key"], job["state"]) == ("test.tick", "periodic:test.tick", "queued")


def test_a_failing_periodic_task_is_retried_and_never_ends_failed(db: Database) -> None:
    def broken(_context: JobContext) -> None:
        raise OSError("disk full")

    registry = Registry()
    registry.every("test.broken-tick", timedelta(seconds=2), broken)
    with db.session() as session:
        enqueue(session, "test.broken-tick", key="periodic:test.broken-tick", max_attempts=1)
    worker = Worker(db, registry)
    for _ in range(3):
        assert worker.run_once() is True
        (job,) = jobs(db)
        assert job["state"] == "queued"
        assert job["last_error"] == "OSError: disk full"
        assert job["run_at"] - job["updated_at"] <= timedelta(seconds=2)  # within its interval
        _make_due(db)


def test_a_job_whose_worker_died_on_its_last_attempt_ends_failed_not_run_again(
    db: Database,
) -> None:
    with db.session() as session:
        enqueue(session, "test.poison", max_attempts=1)
    leases = {"test.poison": LONG}
    assert claim(db, leases, "died") is not None
    with db.engine.begin() as connection:
        connection.execute(update(JOBS).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    assert claim(db, leases, "next") is None
    (job,) = jobs(db)
    assert (job["state"], job["attempts"], job["lease_owner"]) == ("failed", 1, None)
    assert job["last_error"].startswith("LeaseExpired: the worker running the last attempt (died)")


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_job_runs_failures_and_the_queue_depth_show_on_metrics(db: Database) -> None:
    def broken(_context: JobContext) -> None:
        raise ValueError("no")

    registry = Registry()
    registry.handle("test.metered", lambda _context: None)
    registry.handle("test.metered-broken", broken)
    runs = "presseschau_job_runs_total"
    done = _sample(runs, kind="test.metered", outcome="done")
    retried = _sample(runs, kind="test.metered-broken", outcome="retry")
    failed = _sample(runs, kind="test.metered-broken", outcome="failed")
    failures = _sample("presseschau_job_failures_total", kind="test.metered-broken")
    with db.session() as session:
        for _ in range(3):
            enqueue(session, "test.metered")
        enqueue(session, "test.metered-broken", max_attempts=2)
    worker = Worker(db, registry)
    worker.count_depth()
    assert _sample("presseschau_jobs", kind="test.metered", state="queued") == 3

    while worker.run_once():
        pass
    _make_due(db)
    assert worker.run_once() is True
    worker.count_depth()

    assert _sample(runs, kind="test.metered", outcome="done") == done + 3
    assert _sample(runs, kind="test.metered-broken", outcome="retry") == retried + 1
    assert _sample(runs, kind="test.metered-broken", outcome="failed") == failed + 1
    assert _sample("presseschau_job_failures_total", kind="test.metered-broken") == failures + 2
    assert _sample("presseschau_jobs", kind="test.metered", state="queued") == 0
    assert _sample("presseschau_jobs", kind="test.metered-broken", state="failed") == 1
    text = exposition()[0].decode()
    assert 'presseschau_jobs{kind="test.metered-broken",state="failed"} 1.0' in text
    assert 'presseschau_job_runs_total{kind="test.metered",outcome="done"}' in text


def test_the_worker_stores_post_documents_of_another_format_again(
    db: Database, settings: Settings
) -> None:
    author = make_account(db)
    for _ in range(3):
        make_post(db, author)
    make_documents_stale(db)
    worker = Worker(db, standard_registry(db, settings.zone))
    assert worker.run_once() is True
    assert documents_are_current(db)
    (job,) = refresh_jobs(db)  # done, and queued for its next round
    assert job["run_at"] - job["updated_at"] == REFRESH_INTERVAL


def test_a_stopping_worker_gives_back_the_job_its_handler_releases(db: Database) -> None:
    started = threading.Event()

    def patient(context: JobContext) -> None:
        started.set()
        context.stopping.wait()
        raise Released

    registry = Registry()
    registry.handle("test.patient", patient)
    with db.session() as session:
        enqueue(session, "test.patient")
    worker = Worker(db, registry)
    worker.start()
    eventually(started.is_set, "the worker takes the job")
    worker.stop(timeout=30)

    (job,) = jobs(db)  # back in the queue, due, this run not counted
    assert (job["state"], job["attempts"], job["lease_owner"]) == ("queued", 0, None)
    registry = Registry()
    registry.handle("test.patient", lambda _context: None)
    assert Worker(db, registry).run_once() is True


def refresh_jobs(db: Database) -> list[dict[str, Any]]:
    return [job for job in jobs(db) if job["kind"] == REFRESH_DOCUMENTS]


def test_a_stopping_worker_gives_back_the_rest_of_the_documents_refresh(
    db: Database, settings: Settings
) -> None:
    author = make_account(db)
    for _ in range(REFRESH_BATCH + 1):
        make_post(db, author)
    make_documents_stale(db)
    worker = Worker(db, standard_registry(db, settings.zone))
    worker.stopping.set()
    assert worker.run_once() is True
    assert sorted(document_formats(db)) == ["", FORMAT]  # one batch stored, the rest left
    (job,) = refresh_jobs(db)
    assert (job["attempts"], job["lease_owner"], job["last_error"]) == (0, None, None)

    # Due at once: the next worker (here, after a restart) goes on with it.
    assert Worker(db, standard_registry(db, settings.zone)).run_once() is True
    assert documents_are_current(db)


def test_a_stopped_worker_closes_what_its_handlers_hold_open(db: Database) -> None:
    """The webhooks' connections and threads, say: closed once the loop has ended, not left
    to the process's exit (a server's worker thread stops while the process goes on)."""
    closed = threading.Event()
    worker = Worker(db, Registry(), poll_seconds=3600, on_stop=[closed.set])
    worker.start()
    assert not closed.is_set()
    worker.stop(timeout=30)
    assert closed.is_set()
