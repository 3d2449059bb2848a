"""Queuing, claiming and ending jobs. Claims, renewals and ends are each one short
transaction; a job runs between them, outside any transaction.

A claim sets the job's lease (owner and expiry) and counts an attempt; everything that ends a
job or extends its lease checks the lease is still the caller's (``WHERE id = ? AND
lease_owner = ?``), so a worker whose lease expired and whose job another worker has taken
cannot end it, nor commit the effect it would end it with.

Times are the workers' clocks: workers on several machines need them in sync (NTP) to within
a small part of the shortest lease.
"""

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, delete, func, literal, or_, select, update
from sqlmodel import Session

from app.core.db import Database, on_conflict_do_nothing
from app.core.types import utcnow
from app.worker.models import ERROR_MAX, JOBS, KEY_MAX, KIND_MAX, JobState

DEFAULT_MAX_ATTEMPTS = 5
# A periodic task's job: its attempts go back to 0 after each run that succeeds, and one that
# keeps failing is retried at each interval, never ended (see Registry.every).
PERIODIC_MAX_ATTEMPTS = 2**31 - 1
# Set on a connection whose transaction queued a job; app.worker.wakeup reads it at commit.
QUEUED_FLAG = "presseschau_job_queued"
# Rows a claim looks at before it gives up for this round: jobs found out of attempts are
# marked failed on the way, and a long run of them must not hold the write lock long.
CLAIM_SCAN = 10


class ClaimedJob(NamedTuple):
    id: int
    kind: str
    key: str | None
    payload: dict[str, Any]
    # Attempts started, this one included.
    attempts: int
    max_attempts: int
    lease_expires_at: datetime


class LeaseLost(Exception):
    """The job is no longer this worker's: its lease expired and another worker took it, or
    it ended meanwhile. Nothing was changed."""


def enqueue(
    target: Session | Connection,
    kind: str,
    payload: Mapping[str, Any] | None = None,
    *,
    key: str | None = None,
    run_at: datetime | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> int | None:
    """Queue a job of ``kind`` in the transaction of ``target``, due at ``run_at`` (now when
    not given): it is queued if, and when, that transaction commits. A job with a ``key``
    is queued once: while one with the same key exists (queued, running, or failed and
    kept), this adds nothing and returns None; otherwise the new job's id."""
    if not 0 < len(kind) <= KIND_MAX:
        raise ValueError(f"a job kind has 1 to {KIND_MAX} characters: {kind!r}")
    if key is not None and not 0 < len(key) <= KEY_MAX:
        raise ValueError(f"a job key has 1 to {KEY_MAX} characters")
    if max_attempts < 1:
        raise ValueError("a job needs at least one attempt")
    connection = target.connection() if isinstance(target, Session) else target
    now = utcnow()
    values = {
        "kind": kind,
        "key": key,
        "payload": dict(payload or {}),
        "run_at": run_at or now,
        "attempts": 0,
        "max_attempts": max_attempts,
        "state": JobState.queued,
        "created_at": now,
        "updated_at": now,
    }
    statement = (
        on_conflict_do_nothing(connection, JOBS, [JOBS.c.key.name])
        .values(**values)
        .returning(JOBS.c.id)
    )
    job_id = connection.execute(statement).scalar()
    if job_id is not None:
        connection.info[QUEUED_FLAG] = True
    return job_id


def _due(kinds: Mapping[str, timedelta], now: datetime) -> Any:
    return (
        (JOBS.c.state == JobState.queued)
        & (JOBS.c.run_at <= now)
        & or_(JOBS.c.lease_expires_at.is_(None), JOBS.c.lease_expires_at <= now)
        & JOBS.c.kind.in_(list(kinds))
    )


def claim(
    database: Database,
    leases: Mapping[str, timedelta],
    owner: str,
    *,
    abandoned: Callable[[str], None] | None = None,
) -> ClaimedJob | None:
    """The oldest due job of one of the kinds of ``leases`` (kind: lease time), now leased to
    ``owner``; None when there is none. A job whose lease expired (its worker died) is due
    again; one that had used its last attempt then is marked failed (``abandoned`` is told
    its kind) instead of being run once more."""
    if not leases:
        return None
    now = utcnow()
    due = _due(leases, now)
    # A read first, which takes no lock: an idle worker must not take SQLite's write lock
    # at every poll.
    with database.session(write=False) as session:
        if session.execute(select(JOBS.c.id).where(due).limit(1)).first() is None:
            return None
    with database.session() as session:
        connection = session.connection()
        # SKIP LOCKED: PostgreSQL workers pass over the rows others are claiming instead of
        # waiting for them; on SQLite the write transaction (BEGIN IMMEDIATE) is the lock.
        query = (
            select(JOBS)
            .where(due)
            .order_by(JOBS.c.run_at, JOBS.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        for _ in range(CLAIM_SCAN):
            row = connection.execute(query).mappings().first()
            if row is None:
                return None
            # Held by a worker whose lease ran out (a failure clears the owner): it died.
            if row["lease_owner"] is not None and row["attempts"] >= row["max_attempts"]:
                connection.execute(
                    update(JOBS)
                    .where(JOBS.c.id == row["id"])
                    .values(
                        state=JobState.failed,
                        lease_owner=None,
                        lease_expires_at=None,
                        last_error=_abandoned_error(row["lease_owner"]),
                        updated_at=now,
                    )
                )
                if abandoned is not None:
                    abandoned(row["kind"])
                continue
            expires = now + leases[row["kind"]]
            connection.execute(
                update(JOBS)
                .where(JOBS.c.id == row["id"])
                .values(
                    lease_owner=owner,
                    lease_expires_at=expires,
                    attempts=row["attempts"] + 1,
                    updated_at=now,
                )
            )
            return ClaimedJob(
                id=row["id"],
                kind=row["kind"],
                key=row["key"],
                payload=row["payload"],
                attempts=row["attempts"] + 1,
                max_attempts=row["max_attempts"],
                lease_expires_at=expires,
            )
    return None


def _abandoned_error(owner: str | None) -> str:
    return f"LeaseExpired: the worker running the last attempt ({owner}) stopped before the end"


def _mine(job: ClaimedJob, owner: str) -> Any:
    return (JOBS.c.id == job.id) & (JOBS.c.lease_owner == owner)


def finish(
    database: Database,
    job: ClaimedJob,
    owner: str,
    effect: Callable[[Session], None] | None = None,
    *,
    again_after: timedelta | None = None,
) -> None:
    """End ``job`` done: deleted, or for a periodic task queued again ``again_after`` from now; in
    the same transaction, ``effect`` does its database work. ``LeaseLost`` (and no change,
    no effect) when the job is no longer ``owner``'s."""
    with database.session() as session:
        connection = session.connection()
        now = utcnow()
        if again_after is None:
            statement: Any = delete(JOBS).where(_mine(job, owner))
        else:
            statement = (
                update(JOBS)
                .where(_mine(job, owner))
                .values(
                    run_at=now + again_after,
                    attempts=0,
                    lease_owner=None,
                    lease_expires_at=None,
                    last_error=None,
                    updated_at=now,
                )
            )
        _change_mine(connection, statement, job, owner)
        if effect is not None:
            effect(session)


def _change_mine(connection: Connection, statement: Any, job: ClaimedJob, owner: str) -> None:
    """Run ``statement`` (an UPDATE or DELETE of ``job`` held by ``owner``); ``LeaseLost``
    when the job is no longer ``owner``'s, so nothing changed."""
    # RETURNING says whether the row was there; psycopg's row counts are not relied on.
    if connection.execute(statement.returning(literal(1))).first() is None:
        raise LeaseLost(f"job {job.id} ({job.kind}) is no longer {owner}'s")


def describe(error: BaseException) -> str:
    """An error as a job records it: its type and message, cut to ``ERROR_MAX`` characters."""
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= ERROR_MAX else text[: ERROR_MAX - 1] + "…"


def fail(
    database: Database,
    job: ClaimedJob,
    owner: str,
    error: BaseException,
    delay: timedelta,
    *,
    periodic: bool = False,
) -> JobState:
    """Record that ``job``'s attempt failed with ``error``: queued again ``delay`` from now,
    or, its attempts used up (never for a periodic task), ``failed`` and kept. Returns its
    state; ``LeaseLost`` when it is no longer ``owner``'s."""
    now = utcnow()
    state = (
        JobState.failed if job.attempts >= job.max_attempts and not periodic else JobState.queued
    )
    values: dict[str, Any] = {
        "state": state,
        "lease_owner": None,
        "lease_expires_at": None,
        "last_error": describe(error),
        "updated_at": now,
    }
    if state is JobState.queued:
        values["run_at"] = now + delay
    with database.session() as session:
        statement = update(JOBS).where(_mine(job, owner)).values(**values)
        _change_mine(session.connection(), statement, job, owner)
    return state


def renew(database: Database, job: ClaimedJob, owner: str, lease: timedelta) -> None:
    """Extend ``owner``'s lease on ``job`` to ``lease`` from now (``LeaseLost`` if it has
    none)."""
    now = utcnow()
    with database.session() as session:
        statement = (
            update(JOBS)
            .where(_mine(job, owner))
            .values(lease_expires_at=now + lease, updated_at=now)
        )
        _change_mine(session.connection(), statement, job, owner)


def release(database: Database, job: ClaimedJob, owner: str) -> None:
    """Give ``job`` back unrun: due at once for any worker, this attempt not counted. Nothing
    happens when it is no longer ``owner``'s."""
    with database.session() as session:
        session.execute(
            update(JOBS)
            .where(_mine(job, owner))
            .values(
                lease_owner=None,
                lease_expires_at=None,
                attempts=JOBS.c.attempts - 1,
                updated_at=utcnow(),
            )
        )


class Depth(NamedTuple):
    kind: str
    state: str
    jobs: int


def depth(database: Database) -> list[Depth]:
    """How many jobs there are, by kind and state."""
    with database.session(write=False) as session:
        rows = session.execute(
            select(JOBS.c.kind, JOBS.c.state, func.count()).group_by(JOBS.c.kind, JOBS.c.state)
        ).all()
    return [Depth(kind, state, jobs) for kind, state, jobs in rows]
