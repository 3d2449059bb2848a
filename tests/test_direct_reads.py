"""Anonymous reads answered straight from the driver give exactly what the framework gives.

Each URL is asked of two apps on the same database, each with its own engine, kept counts
and response cache: one with direct reads (the default), one without. Status, body bytes and
every header a client reads must be the same, including for the requests the direct reads
leave to the framework (odd parameters, unknown rows, invalid values).
"""

import random
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import anyio
import pytest
from fastapi.testclient import TestClient
from pydantic_core import to_json
from sqlalchemy import String, cast, delete, func, literal, null, select, text

from app.core.db import Database
from app.core.driver import DriverConnection
from app.core.encoding import encode_json
from app.core.json_sql import json_text
from app.direct_reads.reader import DirectReader
from app.posts.queries import DOCUMENTS
from app.sources import service as sources
from app.sources.schemas import SourceUpdate
from tests.factories import make_account, make_post, make_source

API = "/api/v1"
COMPARED_HEADERS = ("content-type", "x-total-count", "link", "etag", "cache-control", "vary")


@pytest.fixture
def content(db: Database) -> dict[str, Any]:
    """Posts in several sources, tags, days (one just after local midnight), a draft, a
    scheduled post, a post without source, and text well beyond ASCII."""
    editor = make_account(db, name="Jürgen Çelik")
    junge = make_source(
        db, name="junge Welt", domains=["www.jungewelt.de", "jungewelt.de"],
        homepage_url="https://www.jungewelt.de/", language="de",
        description="Tageszeitung „für“ Berlin – mit \"Zitaten\" und Ümlauten.",
    )  # fmt: skip
    tass = make_source(db, name="TASS")
    make_source(db, name="Ägyptische Zeitung", domains=[])  # no posts, no domains
    posts = [
        make_post(
            db, editor, source_id=junge.id, tags=["Außenpolitik", "Ökonomie"],
            title="Führung aus einer Hand (II)", original_url="https://www.jungewelt.de/a/1",
            credit="Übersetzung Linke Zeitung", published_at="2022-01-10T08:00:00Z",
        ),
        make_post(
            db, editor, source_id=tass.id, tags=["Ökonomie"],
            published_at="2022-01-09T23:30:00Z",  # 00:30 on the 10th in Berlin
        ),
        make_post(db, editor, title="Ohne Quelle „zitiert“", published_at="2022-01-10T12:00:00Z"),
        make_post(db, editor, source_id=junge.id, published_at="2022-01-12T07:00:00Z"),
        make_post(db, editor, source_id=junge.id, published_at="2021-12-31T10:00:00Z"),
    ]  # fmt: skip
    draft = make_post(db, editor, status="draft", source_id=junge.id)
    later = datetime.now(UTC) + timedelta(days=3)
    scheduled = make_post(db, editor, source_id=junge.id, published_at=later.isoformat())
    return {"posts": posts, "draft": draft, "scheduled": scheduled, "sources": [junge, tass]}


def _plain_urls(content: dict[str, Any]) -> list[str]:
    """URLs the direct reads answer themselves."""
    first = content["posts"][0]
    junge = content["sources"][0].slug
    return [
        f"{API}/posts",
        f"{API}/posts?page=2&per_page=2",
        f"{API}/posts?per_page=100",
        f"{API}/posts?page=40",
        f"{API}/posts?sort=title",
        f"{API}/posts?sort=title&tag=oekonomie",
        f"{API}/posts?sort=title&source={junge}&per_page=2",
        f"{API}/posts?sort=published_at&per_page=3",
        f"{API}/posts?sort=-published_at&status=published",
        f"{API}/posts?source={junge}",
        f"{API}/posts?source={junge}&page=2&per_page=1",
        f"{API}/posts?tag=oekonomie",
        f"{API}/posts?date=2022-01-10",
        f"{API}/posts?source={junge}&tag=aussenpolitik&date=2022-01-10",
        f"{API}/posts?tag=keiner",
        f"{API}/posts/{first.id}",
        f"{API}/posts/{first.slug}",
        f"{API}/posts/{content['posts'][2].slug}",
        f"{API}/archives/2022/01/10",
        f"{API}/archives/2022/01/10?page=2&per_page=1",
        f"{API}/archives/2022/01/10?source={junge}",
        f"{API}/archives/2022/01/11",
        f"{API}/archives/2021/12/31",
        f"{API}/archives/2022/01/12?source={junge}",
        f"{API}/sources",
        f"{API}/sources?page=2&per_page=1",
        f"{API}/sources?page=9",
        f"{API}/sources/{junge}",
        f"{API}/sources/{content['sources'][1].id}",
        f"{API}/sources/aegyptische-zeitung",
    ]


def _left_to_the_framework(content: dict[str, Any]) -> list[str]:
    """URLs the direct reads pass on: errors, odd forms, rows that are not there."""
    junge, tass = (source.slug for source in content["sources"])
    return [
        f"{API}/posts?source=unbekannt",
        f"{API}/posts?source={junge}&source={tass}",
        f"{API}/posts?q=Beitrag",
        f"{API}/posts?page=0",
        f"{API}/posts?per_page=101",
        f"{API}/posts?page=abc",
        f"{API}/posts?page=01",
        f"{API}/posts?utm_source=feed",
        f"{API}/posts?sources={tass}",
        f"{API}/posts/{content['posts'][0].slug}?sources={tass}",
        f"{API}/sources/{tass}?page=1",
        f"{API}/archives/2022/01/10?sources={tass}",
        f"{API}/archives/2022/01/10?cursor=abc",
        f"{API}/posts?status=draft",
        f"{API}/posts?date=2022-02-30",
        f"{API}/posts?sort=random",
        f"{API}/posts?cursor=abc",
        f"{API}/posts?per_page=2&cursor=AAAAAAAA",
        f"{API}/posts/{content['draft'].id}",
        f"{API}/posts/{content['scheduled'].slug}",
        f"{API}/posts/0",
        f"{API}/posts/99999999999",
        f"{API}/posts/Gross_Geschrieben",
        f"{API}/posts/",
        f"{API}/archives/2022/1/10",
        f"{API}/archives/2022/02/30",
        f"{API}/archives/2022/01/10?source=unbekannt",
        f"{API}/sources/unbekannt",
        f"{API}/sources/99999999999",
        f"{API}/sources/0",
        f"{API}/sources/match",
        f"{API}/sources/",
        f"{API}/sources?per_page=0",
        f"{API}/sources?sort=name",
    ]


def _same(direct: TestClient, framework: TestClient, url: str) -> None:
    mine, theirs = direct.get(url), framework.get(url)
    assert (mine.status_code, mine.content) == (theirs.status_code, theirs.content), url
    for name in COMPARED_HEADERS:
        assert mine.headers.get(name) == theirs.headers.get(name), (url, name)


@pytest.mark.parametrize("documents", ["stored", "half of them gone"])
def test_direct_reads_answer_exactly_as_the_framework_does(
    client: TestClient,
    framework: TestClient,
    content: dict[str, Any],
    db: Database,
    answered_directly: list[str],
    documents: str,
) -> None:
    """Posts are read from the documents their writes stored; a post without one (a writer
    that does not store them, a database not yet given them) is made from its row."""
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(DOCUMENTS)) == 7
        if documents == "half of them gone":
            session.execute(delete(DOCUMENTS).where(DOCUMENTS.c.post_id % 2 == 0))
    for url in _plain_urls(content):
        _same(client, framework, url)
    assert len(answered_directly) == len(_plain_urls(content))
    for url in _left_to_the_framework(content):
        _same(client, framework, url)
    assert len(answered_directly) == len(_plain_urls(content))


def test_direct_reads_follow_writes(
    client: TestClient,
    framework: TestClient,
    content: dict[str, Any],
    db: Database,
    answered_directly: list[str],
) -> None:
    editor = make_account(db)
    urls = _plain_urls(content)
    for url in urls:
        client.get(url)
    make_post(db, editor, source_id=content["sources"][0].id, tags=["Ökonomie"],
              published_at="2022-01-10T10:00:00Z")  # fmt: skip
    # A day between two days with posts: their neighbours change.
    make_post(db, editor, published_at="2022-01-11T10:00:00Z")
    db.call(
        sources.update_source,
        id_or_slug=content["sources"][1].slug,
        data=SourceUpdate(description="Neu beschrieben", domains=["tass.example"]),
    )
    answered_directly.clear()
    tass = client.get(f"{API}/sources/{content['sources'][1].slug}").json()
    assert (tass["description"], tass["domains"]) == ("Neu beschrieben", ["tass.example"])
    answered_directly.clear()
    new_total = client.get(f"{API}/posts?date=2022-01-10")
    assert new_total.headers["x-total-count"] == "4"
    for url in urls:
        _same(client, framework, url)
    # Every URL once since the write (the day's list was asked first, then kept).
    assert len(answered_directly) == len(urls)


def test_a_token_is_checked_not_bypassed(
    client: TestClient, content: dict[str, Any], answered_directly: list[str]
) -> None:
    revoked = client.get(f"{API}/posts", headers={"Authorization": "Bearer psk_unknown"})
    assert revoked.status_code == 401
    assert revoked.headers["content-type"] == "application/problem+json"
    assert not answered_directly


def test_their_json_is_the_frameworks_json_for_any_text_and_time() -> None:
    rng = random.Random(7)
    alphabet = [chr(code) for code in range(0x20)] + list('"\\/ aÄß€\u2028\u2029\x7f😀')
    berlin = ZoneInfo("Europe/Berlin")
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(30)))
        moment = datetime(2022, 1, 10, 8, rng.randrange(60), tzinfo=UTC) + timedelta(
            microseconds=rng.choice([0, 1, 999_999])
        )
        document = {
            "text": text,
            "utc": moment,
            "local": moment.astimezone(berlin),
            "day": moment.date(),
            "none": None,
            "number": rng.randrange(-(2**40), 2**40),
            "list": [text, {"nested": text}],
        }
        assert encode_json(document) == to_json(document)


def test_the_databases_json_strings_are_the_frameworks_for_any_text(db: Database) -> None:
    # Everything a stored text may hold (no NUL: the API refuses it, PostgreSQL cannot store it).
    rng = random.Random(11)
    alphabet = [chr(code) for code in range(1, 0x20)] + list('"\\/ aÄß€\u2028\u2029\x7f😀')
    texts = [
        "",
        *("".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 40))) for _ in range(200)),
    ]
    with db.engine.connect() as connection:
        for text in texts:
            (fragment,) = connection.execute(select(json_text(literal(text, String())))).one()
            assert encode_json({"t": fragment}) == to_json({"t": text}), repr(text)
        assert encode_json(connection.scalar(select(json_text(cast(null(), String()))))) == b"null"


@pytest.mark.parametrize(
    ("error", "message", "logged"),
    [("OperationalError", "database is locked", False),
     ("ProgrammingError", "Incorrect number of bindings", True)],
)  # fmt: skip
def test_a_failed_direct_read_leaves_the_answer_to_the_framework(
    db: Database,
    client: TestClient,
    framework: TestClient,
    content: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    error: str,
    message: str,
    logged: bool,
) -> None:
    calls: list[str] = []
    driver_error = getattr(db.engine.dialect.loaded_dbapi, error)  # sqlite3's or psycopg's

    def failing(*_args: Any, **_kwargs: Any) -> None:
        calls.append("answer")
        raise driver_error(message)

    monkeypatch.setattr(DirectReader, "_answer", failing)
    url = f"{API}/posts/{content['posts'][0].id}"
    _same(client, framework, url)
    assert calls == ["answer"]  # the direct read was tried, and failed
    # A busy database is the framework's to report; any other failure is a bug to see.
    failures = [r for r in caplog.records if r.getMessage().startswith("a direct read of")]
    assert bool(failures) is logged


def test_connections_the_server_dropped_are_replaced_without_a_failure(
    db: Database, backend: str
) -> None:
    """PostgreSQL may drop idle connections (a restart, a failover, an idle timeout): the
    next read on a kept connection finds it broken and runs again on a new one."""
    if backend == "sqlite":
        pytest.skip("SQLite has no server that could drop a connection")
    driver = DriverConnection(db)

    def backend_pid(cursor: Any) -> int:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])

    def read() -> int:
        return anyio.run(partial(driver.run, backend_pid, short=True))

    try:
        first = read()
        assert read() == first  # kept, not a new one
        with db.engine.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        replaced = read()
        assert replaced != first
        assert read() == replaced
    finally:
        driver.close()
