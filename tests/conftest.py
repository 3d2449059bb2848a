"""Every database test runs on SQLite and on a throwaway PostgreSQL server."""

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from starlette.datastructures import URL
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import Settings, get_settings
from app.core.db import Database
from app.core.metrics import instrument_engine
from app.core.migrations import upgrade
from app.derived.content_version import Freshness
from app.derived.root import open_database
from app.direct_reads.reader import Answer, DirectReader
from app.direct_reads.routing import Read
from app.main import create_app
from app.models import metadata
from app.search.models import SEARCH_TEXT
from tests.postgres_server import PostgresServer, find_bindir

BACKENDS = ["sqlite", "postgresql"]
_names = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bindir = find_bindir()
    if bindir is None:
        pytest.fail(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found; install the "
            "'postgresql' package or set PRESSESCHAU_PG_BINDIR"
        )
    server = PostgresServer(bindir)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fresh_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> "FreshDatabase":
    """Makes new, empty databases on demand (for migration tests)."""
    return FreshDatabase(request, tmp_path_factory)


class FreshDatabase:
    def __init__(self, request: pytest.FixtureRequest, tmp: pytest.TempPathFactory) -> None:
        self._request = request
        self._tmp = tmp

    def __call__(self, backend: str) -> str:
        name = f"presseschau_{next(_names)}"
        if backend == "sqlite":
            return f"sqlite:///{self._tmp.mktemp('db') / name}.sqlite3"
        server: PostgresServer = self._request.getfixturevalue("postgres_server")
        return server.create_database(name)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, fresh_database_url: FreshDatabase) -> str:
    url = fresh_database_url(backend)
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def session_database(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    instrument_engine(database.engine)
    yield database
    database.dispose()


def empty_all_tables(database: Database) -> None:
    # content_state is the one row that must survive: its version only ever goes up.
    tables = [t.name for t in reversed(metadata.sorted_tables) if t.name != "content_state"]
    with database.engine.begin() as connection:
        # No model declares the search index's text table (app.search.models).
        connection.execute(text(f"DELETE FROM {SEARCH_TEXT}"))  # noqa: S608
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608
            # As RESTART IDENTITY does on PostgreSQL: each test's ids start at 1.
            connection.execute(text("DELETE FROM sqlite_sequence"))


@pytest.fixture
def db(session_database: Database) -> Iterator[Database]:
    """The test run's database, emptied after each test."""
    yield session_database
    empty_all_tables(session_database)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, timezone="Europe/Berlin", language="de")


@pytest.fixture
def app(settings: Settings, db: Database) -> FastAPI:
    return create_app(settings=settings, database=db)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def framework(settings: Settings, db: Database) -> Iterator[TestClient]:
    """An app on the same database without direct reads: what the framework path answers
    (its own engine, kept counts and response cache)."""
    other = open_database(settings.database_url)
    app = create_app(settings=settings.model_copy(update={"direct_reads": False}), database=other)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    other.dispose()


@pytest.fixture
def command_line(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """Runs ``presseschau ...`` in this process against a database URL."""
    runner = CliRunner()

    def run(url: str, *args: str, stdin: bytes | None = None) -> Any:
        monkeypatch.setenv("PRESSESCHAU_DATABASE_URL", url)
        get_settings.cache_clear()
        return runner.invoke(cli, list(args), input=stdin)

    yield run
    get_settings.cache_clear()


SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture
def answered_directly(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URL of every request the direct reads answered themselves (the rest went on to
    the framework)."""
    answered: list[str] = []
    answer = DirectReader.answer

    async def recording(
        self: DirectReader, read: Read, url: URL, freshness: Freshness | None
    ) -> Answer | None:
        found = await answer(self, read, url, freshness)
        if found is not None:
            answered.append(str(url))
        return found

    monkeypatch.setattr(DirectReader, "answer", recording)
    return answered
