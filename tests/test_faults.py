"""Faults: a killed process loses no acknowledged write; a database outage is a 503, not a crash."""

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.core.config import Settings
from app.core.db import Database
from app.core.migrations import upgrade
from app.derived.root import open_database
from app.main import create_app
from tests.conftest import FreshDatabase
from tests.factories import Account, make_account, make_post
from tests.live_server import served
from tests.postgres_server import PostgresServer, find_bindir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def served_database(
    backend: str, fresh_database_url: FreshDatabase
) -> Iterator[tuple[str, Database, Account]]:
    """A new migrated database for a server process, and an editor account in it."""
    url = fresh_database_url(backend)
    upgrade(url)
    database = open_database(url)
    yield url, database, make_account(database)
    database.dispose()


def test_kill_9_during_a_burst_of_writes_loses_no_acknowledged_write(
    backend: str, served_database: tuple[str, Database, Account]
) -> None:
    url, database, editor = served_database
    acknowledged: list[int] = []
    lock = threading.Lock()

    def write_until_refused(base: str, number: int) -> None:
        with httpx.Client(base_url=base, headers=editor.headers, timeout=5) as client:
            for index in range(10_000):
                try:
                    response = client.post(
                        "/api/v1/posts", json={"title": f"Schreiber {number} Nr. {index}"}
                    )
                except httpx.TransportError:
                    return
                if response.status_code == 201:
                    with lock:
                        acknowledged.append(response.json()["id"])

    with served(url) as (process, base):
        writers = [
            threading.Thread(target=write_until_refused, args=(base, number)) for number in range(4)
        ]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 50 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        for writer in writers:
            writer.join(timeout=30)
    with database.session(write=False) as session:
        if backend == "sqlite":
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        stored = set(session.execute(text("SELECT id FROM posts")).scalars())
    assert set(acknowledged) <= stored
    assert len(acknowledged) >= 50


def test_a_postgresql_outage_is_a_503_and_service_resumes_without_a_restart() -> None:
    bindir = find_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL server binaries were not found")
    server = PostgresServer(bindir)
    server.start()
    database: Database | None = None
    try:
        url = server.create_database("outage")
        upgrade(url)
        database = open_database(url)
        editor = make_account(database)
        make_post(database, editor)
        app = create_app(Settings(database_url=url), database)
        with TestClient(app, raise_server_exceptions=False) as client:
            assert client.get("/api/v1/posts").json()["total"] == 1
            server.pause()
            during = client.get("/api/v1/posts")
            assert during.status_code == 503
            assert during.headers["retry-after"] == "1"
            assert during.headers["content-type"] == "application/problem+json"
            write = client.post("/api/v1/posts", headers=editor.headers, json={"title": "T"})
            assert write.status_code == 503
            assert client.get("/readyz").status_code == 503
            server.resume()
            assert client.get("/api/v1/posts").json()["total"] == 1
            created = client.post("/api/v1/posts", headers=editor.headers, json={"title": "T"})
            assert created.status_code == 201
            assert client.get("/readyz").status_code == 200
    finally:
        if database is not None:
            database.dispose()
        server.stop()


def test_graceful_shutdown_finishes_the_request_in_flight(
    served_database: tuple[str, Database, Account],
) -> None:
    url, database, editor = served_database
    result: dict[str, int] = {}

    def slow_body() -> Iterator[bytes]:
        yield b'{"title": "Langsam'
        time.sleep(3)  # the server is told to stop while this request is still arriving
        yield b' geschrieben"}'

    with served(url) as (process, base):

        def send() -> None:
            response = httpx.post(
                f"{base}/api/v1/posts",
                content=slow_body(),
                headers={**editor.headers, "Content-Type": "application/json"},
                timeout=30,
            )
            result["status"] = response.status_code
            result["id"] = response.json().get("id", 0)

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(1)
        process.send_signal(signal.SIGTERM)
        sender.join(timeout=30)
        # uvicorn re-raises the signal once it has shut down cleanly.
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)
    assert result.get("status") == 201
    with database.session(write=False) as session:
        titles = session.execute(text("SELECT title FROM posts")).scalars().all()
    assert titles == ["Langsam geschrieben"]
