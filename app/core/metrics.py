"""Prometheus metrics: requests, latencies, errors and database connections.

With several worker processes (``presseschau serve --workers N``) every worker writes its
values to PROMETHEUS_MULTIPROC_DIR and /metrics adds them up, whichever worker answers.
"""

import os
from typing import Any

from fastapi.routing import APIRoute
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import Engine, event

from app.core.openapi import operation_id

REQUESTS = Counter(
    "presseschau_http_requests_total",
    "HTTP requests answered, by method, operation id and status code.",
    ["method", "operation", "status"],
)
LATENCY = Histogram(
    "presseschau_http_request_duration_seconds",
    "Time from receiving a request to the end of its response, by method and operation.",
    ["method", "operation"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ERRORS = Counter(
    "presseschau_http_server_errors_total",
    "Responses with a 5xx status, by operation id.",
    ["operation"],
)
DB_CONNECTIONS_IN_USE = Gauge(
    "presseschau_db_connections_in_use",
    "Database connections checked out of the pool right now.",
    multiprocess_mode="livesum",
)
DB_CONNECTIONS_OPENED = Counter(
    "presseschau_db_connections_opened_total", "Database connections opened."
)


def operation_of(route: object) -> str:
    """The OpenAPI operation id of a matched route (its name for others): few label values."""
    if isinstance(route, APIRoute):
        return operation_id(route)
    return str(getattr(route, "name", None) or "unmatched")


# Looking up a labelled child costs more than updating it; there are few label combinations.
_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def observe_request(method: str, operation: str, status: int, seconds: float) -> None:
    key = (method, operation, status)
    children = _children.get(key)
    if children is None:
        children = (
            REQUESTS.labels(method, operation, str(status)),
            LATENCY.labels(method, operation),
        )
        _children[key] = children
    children[0].inc()
    children[1].observe(seconds)
    if status >= 500:
        ERRORS.labels(operation).inc()


def instrument_engine(engine: Engine) -> None:
    def on_connect(*_args: Any) -> None:
        DB_CONNECTIONS_OPENED.inc()

    def on_checkout(*_args: Any) -> None:
        DB_CONNECTIONS_IN_USE.inc()

    def on_checkin(*_args: Any) -> None:
        DB_CONNECTIONS_IN_USE.dec()

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "checkout", on_checkout)
    event.listen(engine, "checkin", on_checkin)


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
