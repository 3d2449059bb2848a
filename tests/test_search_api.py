"""GET /api/v1/search, and q on /posts and the archives, on both databases: what a reader
finds for what they type, what they may see, and what comes with it."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.db import Database
from app.core.pagination import PageParams
from app.posts import service as posts_service
from app.posts.models import Post
from app.search import service
from app.search.index import index_queued
from app.search.matching import matching_posts
from app.search.rendering import source_token
from app.search.schemas import SearchFilters
from tests.counting import read_queries_for
from tests.factories import make_account, make_post, make_source

API = "/api/v1"


def _indexed(db: Database, settings: Settings) -> None:
    """What the worker does within a second of a write: index the posts it queued."""
    index_queued(db, settings.search_languages)


def _search(client: TestClient, q: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"{API}/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _titles(client: TestClient, q: str, **params: Any) -> list[str]:
    return [hit["title"] for hit in _search(client, q, **params)["items"]]


def test_words_are_found_in_their_forms_spellings_and_compounds(
    client: TestClient, db: Database, settings: Settings
) -> None:
    editor = make_account(db)
    make_post(db, editor, title="Unruhen in Kasachstan", body="Die Lage bleibt angespannt.")
    make_post(db, editor, title="Ärzte warnen", body="In der Straße von Löwenthal.")
    make_post(db, editor, title="Energiewende", body="Die deutsche Außenpolitik und das Land.")
    make_post(db, editor, title="Corona-Krise", body="Sie dauert an.")
    make_post(db, editor, title="Elections in China", body="The elections were held.")
    _indexed(db, settings)

    assert _titles(client, "Unruhe") == ["Unruhen in Kasachstan"]
    assert _titles(client, "Kasachstans") == ["Unruhen in Kasachstan"]
    for spelling in ("ärzte", "ÄRZTE", "Aerzte", "Arzte"):
        assert _titles(client, spelling) == ["Ärzte warnen"], spelling
    assert _titles(client, "Strasse") == ["Ärzte warnen"]
    for spelling in ("Loewenthal", "Lowenthal", "löwenthal"):
        assert _titles(client, spelling) == ["Ärzte warnen"], spelling
    assert _titles(client, "Wende") == ["Energiewende"]
    assert _titles(client, "Energie") == ["Energiewende"]
    assert _titles(client, "Politik") == ["Energiewende"]
    assert _titles(client, "Krise") == ["Corona-Krise"]
    assert _titles(client, "Coronakrise") == ["Corona-Krise"]
    assert _titles(client, "election") == ["Elections in China"]


def test_query_language(client: TestClient, db: Database, settings: Settings) -> None:
    editor = make_account(db)
    make_post(db, editor, title="Die neue Seidenstraße", body="China baut Häfen.")
    make_post(db, editor, title="Neue Häfen", body="Eine Straße aus Seide ist es nicht.")
    make_post(db, editor, title="Kasachstan und China", body="Nachbarn.")
    make_post(db, editor, title="Kasachstan allein", body="Ohne Nachbarn.")
    _indexed(db, settings)

    assert _titles(client, '"neue Seidenstraße"') == ["Die neue Seidenstraße"]
    assert sorted(_titles(client, "neue")) == ["Die neue Seidenstraße", "Neue Häfen"]
    assert _titles(client, "Kasachstan -China") == ["Kasachstan allein"]
    assert sorted(_titles(client, "Seidenstraße OR allein")) == [
        "Die neue Seidenstraße",
        "Kasachstan allein",
    ]
    assert sorted(_titles(client, "Kasach*")) == ["Kasachstan allein", "Kasachstan und China"]
    # All words must match.
    assert _titles(client, "Kasachstan Häfen") == []


def test_malformed_queries_get_a_reading_or_a_clear_422(
    client: TestClient, db: Database, settings: Settings
) -> None:
    editor = make_account(db)
    make_post(db, editor, title="Kasachstan", body="Text.")
    _indexed(db, settings)
    # A sensible reading: an unbalanced quote closes at the end, a lone operator is ignored.
    assert _titles(client, '"Kasachstan') == ["Kasachstan"]
    assert _titles(client, "Kasachstan -") == ["Kasachstan"]
    assert _titles(client, "OR Kasachstan OR") == ["Kasachstan"]
    for hostile in (
        "-Kasachstan",
        "-",
        '"',
        "OR",
        "*",
        "* * *",
        '""',
        " ".join(["a"] * 1000)[:500],
    ):
        response = client.get(f"{API}/search", params={"q": hostile})
        assert response.status_code == 422, (hostile, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"]
    too_long = client.get(f"{API}/search", params={"q": "x" * 501})
    assert too_long.status_code == 422


def test_filters_facets_and_status(client: TestClient, db: Database, settings: Settings) -> None:
    editor = make_account(db)
    tass = make_source(db, name="TASS", domains=["tass.ru"])
    xinhua = make_source(db, name="Xinhua", domains=["xinhuanet.com"])
    january = "2022-01-10T09:00:00Z"
    make_post(db, editor, title="Kasachstan eins", source_id=tass.id, published_at=january,
              tags=["Asien"])  # fmt: skip
    make_post(db, editor, title="Kasachstan zwei", source_id=tass.id,
              published_at="2022-02-01T09:00:00Z")  # fmt: skip
    make_post(db, editor, title="Kasachstan drei", source_id=xinhua.id, published_at=january)
    make_post(db, editor, title="Kasachstan Entwurf", status="draft", published_at=None)
    _indexed(db, settings)

    found = _search(client, "Kasachstan")
    assert found["total"] == 3
    assert found["total_exact"] is True
    assert found["facets"]["sources"] == [
        {"slug": "tass", "name": "TASS", "count": 2},
        {"slug": "xinhua", "name": "Xinhua", "count": 1},
    ]
    assert [(m["year"], m["month"], m["label"], m["count"]) for m in found["facets"]["months"]] == [
        (2022, 2, "Februar 2022", 1),
        (2022, 1, "Januar 2022", 2),
    ]
    assert sorted(_titles(client, "Kasachstan", source="tass")) == [
        "Kasachstan eins",
        "Kasachstan zwei",
    ]
    assert _titles(client, "Kasachstan", tag="asien") == ["Kasachstan eins"]
    assert sorted(_titles(client, "Kasachstan", date="2022-01-10")) == [
        "Kasachstan drei",
        "Kasachstan eins",
    ]
    assert _titles(client, "Kasachstan", after="2022-01-20T00:00:00Z") == ["Kasachstan zwei"]
    assert sorted(_titles(client, "Kasachstan", before="2022-01-20T00:00:00Z")) == [
        "Kasachstan drei",
        "Kasachstan eins",
    ]
    # Days at the calendar's ends are days like any other.
    assert _titles(client, "Kasachstan", date="9999-12-31") == []
    assert _titles(client, "Kasachstan", date="0001-01-01") == []
    # A draft's words find nothing anonymously; its author's token finds it when asked.
    assert _titles(client, "Entwurf") == []
    assert (
        client.get(f"{API}/search", params={"q": "Entwurf", "status": "draft"}).status_code == 401
    )
    drafts = client.get(
        f"{API}/search", params={"q": "Entwurf", "status": "draft"}, headers=editor.headers
    )
    assert [hit["title"] for hit in drafts.json()["items"]] == ["Kasachstan Entwurf"]


def test_many_matches_are_counted_to_a_cap_and_the_newest_of_them_ranked(
    client: TestClient, db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past COUNTED matches the total, facets and pages stop at the newest COUNTED; past
    RANKED only the newest RANKED are ranked, the rest follow newest first."""
    monkeypatch.setattr(service, "COUNTED", 6)
    monkeypatch.setattr(service, "RANKED", 3)
    editor = make_account(db)
    tass = make_source(db, name="TASS", domains=["tass.ru"])
    xinhua = make_source(db, name="Xinhua", domains=["xinhuanet.com"])
    # Newest first: (title, source, month). In the title, the word scores more than past the
    # body's excerpt.
    body = "Ein Bericht. " * 25 + "Aus Kasachstan."
    posts = [
        ("Bericht eins", tass, 3),
        ("Kasachstan zwei", xinhua, 3),
        ("Bericht drei", tass, 2),
        ("Kasachstan vier", tass, 2),  # the best, but fourth newest: outside the window
        ("Bericht fünf", xinhua, 2),
        ("Bericht sechs", tass, 1),
        ("Kasachstan sieben", xinhua, 1),  # the seventh: not counted
        ("Kasachstan acht", tass, 1),
    ]
    for number, (title, source, month) in enumerate(posts):
        make_post(db, editor, title=title, body=body, source_id=source.id,
                  published_at=f"2022-0{month}-20T09:{59 - number:02}:00Z")  # fmt: skip
    _indexed(db, settings)

    found = _search(client, "Kasachstan", per_page=2)
    assert (found["total"], found["total_exact"], found["ranking"]) == (6, False, "recent-window")
    assert [(s["name"], s["count"]) for s in found["facets"]["sources"]] == [
        ("TASS", 4),
        ("Xinhua", 2),
    ]
    assert [(m["month"], m["count"]) for m in found["facets"]["months"]] == [(3, 2), (2, 3), (1, 1)]
    pages = [_titles(client, "Kasachstan", per_page=2, page=page) for page in (1, 2, 3, 4)]
    assert pages == [
        ["Kasachstan zwei", "Bericht eins"],  # the three newest, best first
        ["Bericht drei", "Kasachstan vier"],  # then the others, newest first
        ["Bericht fünf", "Bericht sechs"],
        [],
    ]
    scores = [hit["score"] for hit in _search(client, "Kasachstan", per_page=6)["items"]]
    assert scores == [8, 2, 2, 8, 2, 2]  # in the title; a keyword of the body's
    newest = _titles(client, "Kasachstan", per_page=6, sort="-published_at")
    assert newest == [title for title, _, _ in posts[:6]]
    # Within the caps, everything is ranked.
    within = _search(client, "Kasachstan", source="xinhua")
    assert (within["total"], within["total_exact"], within["ranking"]) == (3, True, "relevance")
    assert [hit["title"] for hit in within["items"]] == [
        "Kasachstan zwei",
        "Kasachstan sieben",
        "Bericht fünf",
    ]


def test_ranking_highlights_and_suggestion(
    client: TestClient, db: Database, settings: Settings
) -> None:
    editor = make_account(db)
    make_post(db, editor, title="Ein Tag", body="Später auch über Kasachstan.",
              published_at="2022-01-12T09:00:00Z")  # fmt: skip
    make_post(db, editor, title="Kasachstan & Wandel", body="Es geht um Kasachstan.",
              published_at="2022-01-10T09:00:00Z")  # fmt: skip
    _indexed(db, settings)

    found = _search(client, "kasachstan")
    assert found["ranking"] == "relevance"
    first, second = found["items"]
    # A title match ranks above a newer post that has the word only in its body.
    assert first["title"] == "Kasachstan & Wandel"
    assert first["score"] > second["score"]
    assert first["highlights"]["title"] == "<mark>Kasachstan</mark> &amp; Wandel"
    assert "<mark>Kasachstan</mark>" in second["highlights"]["body"]
    newest = _search(client, "kasachstan", sort="-published_at")
    assert newest["ranking"] == "recency"
    assert [hit["title"] for hit in newest["items"]] == ["Ein Tag", "Kasachstan & Wandel"]

    misspelt = _search(client, "Kasachstn")
    assert misspelt["total"] == 0
    assert misspelt["suggestion"] == "Kasachstan"
    assert found["suggestion"] is None

    # A word only a draft holds is suggested to no one who may not see the draft.
    make_post(db, editor, title="Geheimplan", status="draft", published_at=None)
    _indexed(db, settings)
    assert _search(client, "Geheimplam")["suggestion"] is None
    assert _search(client, "Geheimplan")["suggestion"] is None
    drafts = client.get(
        f"{API}/search", params={"q": "Geheimplam", "status": "draft"}, headers=editor.headers
    )
    assert drafts.json()["suggestion"] == "Geheimplan"


def test_search_responses_are_cached_and_revalidated(
    client: TestClient, db: Database, settings: Settings
) -> None:
    editor = make_account(db)
    make_post(db, editor, title="Kasachstan", body="Text.")
    _indexed(db, settings)
    first = client.get(f"{API}/search", params={"q": "Kasachstan"})
    assert first.status_code == 200
    assert first.headers["cache-control"].startswith("public")
    again = client.get(
        f"{API}/search",
        params={"q": "Kasachstan"},
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304


def test_a_cached_search_answer_lasts_only_until_the_index_changes(
    client: TestClient, db: Database, settings: Settings
) -> None:
    editor = make_account(db)
    make_post(db, editor, title="Kasachstan", body="Text.")
    # Asked before the worker indexed the post: nothing, and the answer is kept.
    assert _search(client, "Kasachstan")["total"] == 0
    _indexed(db, settings)
    assert _titles(client, "Kasachstan") == ["Kasachstan"]


def test_q_narrows_posts_and_archives(
    app: FastAPI, client: TestClient, db: Database, settings: Settings
) -> None:
    editor = make_account(db)
    make_post(db, editor, title="Unruhen in Kasachstan", published_at="2022-01-10T09:00:00Z")
    make_post(db, editor, title="Energiewende", published_at="2022-01-10T10:00:00Z")
    make_post(db, editor, title="Unruhe in Almaty", published_at="2022-01-11T10:00:00Z")
    _indexed(db, settings)

    listed = client.get(f"{API}/posts", params={"q": "Unruhe"}).json()
    assert [post["title"] for post in listed["items"]] == [
        "Unruhe in Almaty",
        "Unruhen in Kasachstan",
    ]
    assert listed["total"] == 2
    day = client.get(f"{API}/archives/2022/01/10", params={"q": "Unruhe"}).json()
    assert [post["title"] for post in day["items"]] == ["Unruhen in Kasachstan"]
    assert day["count"] == 1
    month = client.get(f"{API}/archives/2022/01", params={"q": "Unruhe"}).json()
    assert [(d["date"], d["count"]) for d in month["days"]] == [
        ("2022-01-10", 1),
        ("2022-01-11", 1),
    ]
    assert client.get(f"{API}/posts", params={"q": "-Unruhe"}).status_code == 422


def test_a_list_narrowed_by_q_holds_the_newest_counted_matches(
    client: TestClient, db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As search counts them: past COUNTED matches, a list narrowed by q holds the newest
    COUNTED, in its own order, and says its total is not exact."""
    monkeypatch.setattr(posts_service, "COUNTED", 3)
    editor = make_account(db)
    titles = ["Zagreb", "Athen", "Riga", "Bern", "Oslo"]  # newest first
    for number, title in enumerate(titles):
        make_post(db, editor, title=f"{title} und Kasachstan",
                  published_at=f"2022-01-10T09:0{9 - number}:00Z")  # fmt: skip
    # The newest match of all (its key is its creation time), which no reader may see: it
    # takes none of the three places.
    make_post(db, editor, title="Kasachstan Entwurf", status="draft", published_at=None)
    _indexed(db, settings)

    listed = client.get(f"{API}/posts", params={"q": "Kasachstan", "per_page": 2})
    body = listed.json()
    assert (body["total"], body["total_exact"]) == (3, False)
    assert listed.headers["X-Total-Count"] == "3"
    assert [post["title"] for post in body["items"]] == [
        "Zagreb und Kasachstan",
        "Athen und Kasachstan",
    ]
    second = client.get(f"{API}/posts", params={"q": "Kasachstan", "per_page": 2, "page": 2})
    assert [post["title"] for post in second.json()["items"]] == ["Riga und Kasachstan"]
    by_title = client.get(f"{API}/posts", params={"q": "Kasachstan", "sort": "title"})
    assert [post["title"] for post in by_title.json()["items"]] == [
        "Athen und Kasachstan",
        "Riga und Kasachstan",
        "Zagreb und Kasachstan",
    ]
    narrowed = client.get(
        f"{API}/posts", params={"q": "Kasachstan", "before": "2022-01-10T09:08:00Z"}
    )
    assert (narrowed.json()["total"], narrowed.json()["total_exact"]) == (3, True)
    assert client.get(f"{API}/posts").json()["total_exact"] is True


def test_a_search_takes_the_same_few_queries_however_much_it_finds(
    client: TestClient, db: Database, settings: Settings
) -> None:
    editor = make_account(db)
    sources = [make_source(db) for _ in range(3)]

    def add(count: int) -> None:
        for number in range(count):
            make_post(db, editor, title=f"Kasachstan {number}", source_id=sources[number % 3].id,
                      tags=[f"Tag {number}", "Alle"])  # fmt: skip
        _indexed(db, settings)

    add(3)
    # The instance's key, which seals cursors, is read once per process, by the first request.
    assert client.get(f"{API}/search", params={"q": "Kasachstan", "per_page": 1}).is_success
    few = read_queries_for(client, db, f"{API}/search", q="Kasachstan")
    add(40)
    many = read_queries_for(client, db, f"{API}/search", q="Kasachstan", per_page=100)
    assert many == few
    # PostgreSQL adds one, the planner settings (app.search.matching.newest_matches), and
    # reads the matches once, with what they are counted by: not again to count them.
    assert few <= (6 if db.engine.dialect.name == "postgresql" else 5)


def test_a_prefix_finds_every_way_its_word_is_written(
    client: TestClient, db: Database, settings: Settings
) -> None:
    editor = make_account(db)
    make_post(db, editor, title="Besuch in Löwenthal", body="Der Bürgermeister empfängt.")
    make_post(db, editor, title="Straßenbau", body="Die Straße bleibt gesperrt.")
    make_post(db, editor, title="Loewe", body="Ein Tier.")  # low: the stem of Löwen
    _indexed(db, settings)

    for spelling in ("Loewen*", "Lowen*", "Löwen*", "LÖWEN*"):
        assert sorted(_titles(client, spelling)) == ["Besuch in Löwenthal", "Loewe"], spelling
    for spelling in ("Loewenth*", "Löwenth*", "Lowenth*"):
        assert _titles(client, spelling) == ["Besuch in Löwenthal"], spelling
    for spelling in ("Strass*", "Straß*", "STRASSE*", "Straße*"):
        assert _titles(client, spelling) == ["Straßenbau"], spelling
    for spelling in ("Buergerm*", "Bürgerm*", "Burgerm*"):
        assert _titles(client, spelling) == ["Besuch in Löwenthal"], spelling


def test_a_prefix_of_two_letters_is_refused_with_a_reason(
    client: TestClient, db: Database, settings: Settings
) -> None:
    editor = make_account(db)
    make_post(db, editor, title="Abkommen", body="Text.")
    _indexed(db, settings)
    assert _titles(client, "Abk*") == ["Abkommen"]
    for short in ("Ab*", "Berlin Öl*", "Abkommen -ab*"):
        response = client.get(f"{API}/search", params={"q": short})
        assert response.status_code == 422, short
        assert response.headers["content-type"] == "application/problem+json"
        detail = response.json()["detail"]
        assert "A prefix needs at least 3 letters" in detail
        assert "Type more of the word" in detail


def test_a_suggestion_corrects_each_word_where_it_was_typed(
    client: TestClient, db: Database, settings: Settings
) -> None:
    editor = make_account(db)
    make_post(db, editor, title="Unruhen in Kasachstan", body="Proteste in Almaty.")
    make_post(db, editor, title="Acht Tage", body="Ein Besuch.")
    _indexed(db, settings)

    for typed, suggested in (
        ("Kasachstan achst", "Kasachstan Acht"),  # not inside Kasachstan
        ("-Moskau Kasachstn", "-Moskau Kasachstan"),
        ('"Kasachstn Almaty" Kasachstn', '"Kasachstn Almaty" Kasachstan'),
        ("Kasachstn, Almaty! Kasachstn", "Kasachstan, Almaty! Kasachstan"),
    ):
        found = _search(client, typed)
        assert found["total"] == 0, typed
        assert found["suggestion"] == suggested, typed


def _plans_of_what_ran(
    request: pytest.FixtureRequest, db: Database, work: Callable[[Session], None]
) -> list[str]:
    """The plans of the statements ``work`` ran that look words up in the index, as the
    database ran them (PostgreSQL: auto_explain, in the test server's log; SQLite: the
    statements explained again, its plans depending on nothing but the statement)."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "MATCH" in statement or "@@" in statement:
            seen.append((statement, parameters))

    postgresql = db.engine.dialect.name == "postgresql"
    log = request.getfixturevalue("postgres_server").root / "log" if postgresql else None
    start = log.stat().st_size if log else 0
    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        with db.session(write=False) as session:
            if postgresql:
                session.connection().exec_driver_sql("LOAD 'auto_explain'")
                session.connection().exec_driver_sql("SET LOCAL auto_explain.log_min_duration = 0")
            work(session)
            if log is None:
                ran = list(seen)  # before the explaining adds to it
                return [
                    "\n".join(
                        str(row[-1])
                        for row in session.connection().exec_driver_sql(
                            f"EXPLAIN QUERY PLAN {statement}", parameters
                        )
                    )
                    for statement, parameters in ran
                ]
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    with log.open(encoding="utf-8") as text:
        text.seek(start)
        logged = text.read()
    return [plan for plan in logged.split("duration:") if "@@" in plan]


def test_a_rare_word_is_looked_up_in_the_index_not_in_every_post(
    request: pytest.FixtureRequest, db: Database, settings: Settings
) -> None:
    """Searches and lists narrowed by q find a rare word's posts through the index. On
    PostgreSQL the planner prices testing a post's document by the pointer its table holds
    rather than the document, and here left to itself walks the key index testing every
    document for the search (at 100,000 posts 0.5 s for a word in 42 posts, 8 ms through the
    index); the list's plan here is the index's either way, and is held to it."""
    editor = make_account(db)
    for number in range(40):
        make_post(db, editor, title=f"Bericht {number}", body="Die Regierung tagt.")
    make_post(db, editor, title="Monitoringland", body="Ein seltenes Wort.")
    _indexed(db, settings)
    if db.engine.dialect.name == "postgresql":
        # An index of some size, with the statistics autovacuum would have gathered: where
        # PostgreSQL prices testing every document below a look in the index.
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO post_search_text (key, document, pairs) SELECT key, CAST(("
                "SELECT string_agg('w' || mod(key * 7 + word, 100000), ' ') "
                "FROM generate_series(1, 400) AS word) AS tsvector), ''::tsvector "
                "FROM generate_series(1, 5000) AS key"
            )
            connection.exec_driver_sql("ANALYZE post_search_text")

    def search_and_list(session: Session) -> None:
        found = service.search(
            session, viewer=None, filters=SearchFilters(q="Monitoringland"),
            paging=PageParams(), zone=settings.zone, languages=settings.search_languages,
            site_language=settings.language,
        )  # fmt: skip
        assert [hit.title for hit in found.items] == ["Monitoringland"]
        listed = select(Post.id).where(
            matching_posts(session, "Monitoringland", settings.search_languages)
        )
        assert len(session.exec(listed).all()) == 1

    plans = _plans_of_what_ran(request, db, search_and_list)
    assert len(plans) >= 2  # the search's matches, the list's
    for plan in plans:
        if db.engine.dialect.name == "sqlite":
            assert "VIRTUAL TABLE INDEX" in plan, plan
        else:
            assert "ix_post_search_text_document" in plan, plan
            assert "Seq Scan on post_search_text" not in plan, plan
            assert "Index Scan Backward using pk_post_search_text" not in plan, plan


def test_a_source_filter_is_part_of_what_the_index_looks_up(
    request: pytest.FixtureRequest, db: Database, settings: Settings
) -> None:
    """A search and a list narrowed by q and a source hand the index the source's token with
    the words (what the index then gives: tests/test_search_sources.py), and the index is
    how the database reads them: the posts of other sources that hold the word are not each
    looked up to be tested."""
    editor = make_account(db)
    busy, quiet = make_source(db, name="Busy"), make_source(db, name="Quiet")
    for number in range(30):
        make_post(db, editor, title=f"Regierung {number}", source_id=busy.id)
    for day in ("Montag", "Dienstag", "Mittwoch"):  # enough to ask for no suggestion
        make_post(db, editor, title=f"Regierung tagt {day}", source_id=quiet.id)
    _indexed(db, settings)
    asked: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "MATCH" in statement or "@@" in statement:
            asked.append(str(parameters))

    def search_and_list(session: Session) -> None:
        filters = SearchFilters(q="Regierung", source=[quiet.slug])
        found = service.search(
            session, viewer=None, filters=filters, paging=PageParams(), zone=settings.zone,
            languages=settings.search_languages, site_language=settings.language,
        )  # fmt: skip
        quiets = ["Regierung tagt Dienstag", "Regierung tagt Mittwoch", "Regierung tagt Montag"]
        assert sorted(hit.title for hit in found.items) == quiets
        page = posts_service.list_posts(
            session, viewer=None, filters=filters, paging=PageParams(), zone=settings.zone,
            languages=settings.search_languages,
        )  # fmt: skip
        assert sorted(post.title for post in page.items) == quiets

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        plans = _plans_of_what_ran(request, db, search_and_list)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    token = source_token(quiet.id)
    assert asked
    assert all(token in parameters for parameters in asked), asked
    assert plans
    for plan in plans:
        if db.engine.dialect.name == "sqlite":
            assert "VIRTUAL TABLE INDEX" in plan, plan
        else:
            assert "ix_post_search_text_document" in plan, plan
            assert "Seq Scan on post_search_text" not in plan, plan
