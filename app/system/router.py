import anyio.to_thread
from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from app.core.db import Database
from app.core.deps import DatabaseDep
from app.core.errors import DomainError, error_responses
from app.core.metrics import exposition
from app.core.migrations import current_revision, schema_lag
from app.system.metrics_access import require_metrics_access

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str


class Readiness(Health):
    database: str
    migration: str | None


class NotReady(DomainError):
    status = 503


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up (no database check)."""
    return Health(status="ok")


def _check(database: Database) -> Readiness:
    try:
        # Reading the schema's revision shows the database answers, too.
        with database.engine.connect() as connection:
            revision = current_revision(connection)
    except Exception as exc:
        raise NotReady(f"The database is not reachable: {type(exc).__name__}.") from exc
    if (lag := schema_lag(revision)) is not None:
        raise NotReady(f"{lag}.")
    return Readiness(status="ok", database=database.engine.dialect.name, migration=revision)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
        **error_responses(401, 403),
    },
    dependencies=[Depends(require_metrics_access)],
)
async def metrics() -> Response:
    """Prometheus metrics: requests, latencies, errors, database connections.

    Served to callers on the server's own machine (a loopback address, no proxy between)
    and to those sending `Authorization: Bearer` with PRESSESCHAU_METRICS_TOKEN; others get
    401 (a token is configured) or 403 (none is)."""
    body, content_type = exposition()
    return Response(body, media_type=content_type)


@router.get("/readyz", response_model=Readiness, responses=error_responses(503))
async def readyz(database: DatabaseDep) -> Readiness:
    """The database is reachable and its schema is at the latest migration."""
    return await anyio.to_thread.run_sync(_check, database)
