"""The jobs table: every job that waits, runs or has failed for good."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, ids_never_reused, utcnow

KIND_MAX = 100
KEY_MAX = 200
OWNER_MAX = 200
# Enough to tell one error from another; a traceback belongs in the log.
ERROR_MAX = 2000


class JobState(StrEnum):
    # Waiting for its run_at, or running while a worker holds its lease.
    queued = "queued"
    # Out of attempts: kept, with its last error, for an operator to look at.
    failed = "failed"


class Job(SQLModel, table=True):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'failed')", name="state"),
        # The claim: the oldest due queued job (its lease is checked on the rows found).
        Index("ix_jobs_state_run_at", "state", "run_at", "id"),
        # A job queued under a key is queued once, however many writes ask for it.
        Index("ix_jobs_key", "key", unique=True),
        ids_never_reused(),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=Column(String(KIND_MAX), nullable=False))
    key: str | None = Field(default=None, sa_column=Column(String(KEY_MAX)))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    run_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # Runs started, counted when a worker claims the job; back to 0 after a periodic run.
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    max_attempts: int = Field(sa_column=Column(Integer, nullable=False))
    lease_owner: str | None = Field(default=None, sa_column=Column(String(OWNER_MAX)))
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    state: str = Field(sa_column=Column(String(16), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


JOBS = Job.metadata.tables["jobs"]
