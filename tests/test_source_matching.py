"""Recognising a post's source by its title and original URL, and learning sources' domains.

The title shapes are those of the real day archive (titles written anew in the same shape).
"""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session, col

from app.core.db import Database
from app.core.errors import NotFound
from app.events.models import Event
from app.sources import matching
from app.sources import service as sources
from app.sources.matching import SourceMatch, SuffixShape, learn_domain, split_title
from app.sources.schemas import DOMAINS_PER_SOURCE_MAX, MatchReason
from tests.counting import count_queries
from tests.factories import make_account, make_source


def match(db: Database, title: str | None = None, url: str | None = None) -> SourceMatch:
    with db.session(write=False) as session:
        return matching.match_source(session, title=title, url=url)


def source_id(found: SourceMatch) -> int | None:
    return found.source.id if found.source is not None else None


def domains_of(db: Database, slug: str) -> list[str]:
    return db.call(sources.get_source, id_or_slug=slug).domains


# -- the title rules, without a database --------------------------------------------------


@pytest.mark.parametrize(
    ("published", "title", "source_name", "shape"),
    [
        ("Etwas über Handel (Global Times China)", "Etwas über Handel", "Global Times China",
         SuffixShape.PARENTHESES),
        ("Gas und die Energiewende (german-foreign-policy.com)", "Gas und die Energiewende",
         "german-foreign-policy.com", SuffixShape.PARENTHESES),
        ("Radio: Jemand über Verträge und Nicht-Abkommen (World Beyond War)",
         "Radio: Jemand über Verträge und Nicht-Abkommen", "World Beyond War",
         SuffixShape.PARENTHESES),
        ("Gespräche über Raketen sind möglich (TASS)", "Gespräche über Raketen sind möglich",
         "TASS", SuffixShape.PARENTHESES),
        ("Umstürze im 21. Jahrhundert (Orinoco Tribune)", "Umstürze im 21. Jahrhundert",
         "Orinoco Tribune", SuffixShape.PARENTHESES),
        ("Einheit aus einem Guss (II) german-foreign-policy.com", "Einheit aus einem Guss (II)",
         "german-foreign-policy.com", SuffixShape.TRAILING),
        # The archive page has non-breaking spaces inside source names.
        ("Etwas über Handel (Global\xa0Times\xa0China)", "Etwas über Handel",
         "Global Times China", SuffixShape.PARENTHESES),
        ("Etwas über Handel – german-foreign-policy.com", "Etwas über Handel",
         "german-foreign-policy.com", SuffixShape.TRAILING),
    ],
)  # fmt: skip
def test_titles_ending_in_a_source(
    published: str, title: str, source_name: str, shape: SuffixShape
) -> None:
    split = split_title(published)
    assert (split.title, split.source_name, split.shape) == (title, source_name, shape)


@pytest.mark.parametrize(
    "published",
    [
        "Einheit aus einem Guss (II)",
        "Die Lage in Zahlen (2)",
        "Die Lage im Rückblick (2022)",
        "Die Lage in Kapiteln (1/3)",
        "Die Lage im Überblick (Teil 1)",
        "Die Lage im Überblick (Part 2)",
        "Die Lage am Abend (Update)",
        "Die Lage am Abend (Video)",
        "Die Lage am Abend (mit Video)",
        "Die Lage am Abend (Interview mit einer Ministerin)",
        "Die Lage am Abend (Kommentar)",
        "Die Lage im Wandel (XIV)",
        "Die Lage nach Plan (B)",
        "Die Lage, wie sie ist (sic)",
        "Die Lage (und was sie für die Nachbarn heißt, wenn sie so bleibt wie jetzt)",
        # The archive's titles without a source; the last word stays.
        "Chinas Hafenstadt kämpft gegen eine neue Variante",
        "Steppe – Ereignisse der letzten 24 Stunden",
        "Eine Politikerin zum Thema Impfpflicht",
        "Die Preise steigen um 3.5",
        "Die Preise in Mio.Euro",
    ],
)
def test_parentheses_and_last_words_that_belong_to_the_title_stay(published: str) -> None:
    split = split_title(published)
    assert (split.title, split.source_name, split.shape) == (published, None, None)
    assert "belongs to the title" in split.why or split.why == "The title names no source."


def test_known_names_count_whatever_their_shape() -> None:
    def known(name: str) -> bool:
        return name.lower() in {"junge welt", "tass"}

    # Lower-case, so no publication by its shape, but a known source.
    assert split_title("Konzerne unter Aufsicht (junge Welt)").source_name is None
    split = split_title("Konzerne unter Aufsicht (junge Welt)", is_known=known)
    assert (split.title, split.source_name, split.known) == ("Konzerne unter Aufsicht",
                                                            "junge Welt", True)  # fmt: skip
    # A bare last word is a source only when it is known (or a domain).
    assert split_title("Gespräche in Genf TASS").source_name is None
    trailing = split_title("Gespräche in Genf TASS", is_known=known)
    assert (trailing.title, trailing.shape) == ("Gespräche in Genf", SuffixShape.TRAILING)
    # A title is never cut down to nothing.
    assert split_title("TASS", is_known=known).title == "TASS"
    assert split_title("(TASS)", is_known=known).title == "(TASS)"


# -- matching against the sources in the database -----------------------------------------


def test_a_title_suffix_names_a_known_source_in_any_case(db: Database) -> None:
    times = make_source(db, name="Global Times China", domains=["globaltimes.cn"])
    welt = make_source(db, name="junge Welt", domains=["jungewelt.de"])
    uebersicht = make_source(db, name="Überblick Ost", domains=["ueberblick.example"])
    for title, source in [
        ("Handel (Global Times China)", times),
        ("Handel (GLOBAL TIMES CHINA)", times),
        ("Handel (globaltimes.cn)", times),
        ("Handel (en.globaltimes.cn)", times),
        ("Handel (junge Welt)", welt),
        ("Handel (ÜBERBLICK OST)", uebersicht),  # not only ASCII letters change case
    ]:
        found = match(db, title)
        assert found.source is not None, title
        assert (found.source.id, found.title, found.reason) == (
            source.id, "Handel", MatchReason.title_suffix), title  # fmt: skip
        assert found.suggested_name is None


def test_a_trailing_domain_names_a_source_and_keeps_the_roman_numeral(db: Database) -> None:
    gfp = make_source(db, name="german-foreign-policy.com", domains=["german-foreign-policy.com"])
    found = match(db, "Einheit aus einem Guss (II) german-foreign-policy.com")
    assert found.source is not None
    assert found.source.id == gfp.id
    assert found.title == "Einheit aus einem Guss (II)"
    assert found.reason is MatchReason.title_trailing_name
    alone = match(db, "Einheit aus einem Guss (II)")
    assert (alone.source, alone.title, alone.reason) == (
        None, "Einheit aus einem Guss (II)", MatchReason.none)  # fmt: skip


def test_a_url_matches_by_subdomain_and_without_www(db: Database) -> None:
    times = make_source(db, name="Global Times", domains=["globaltimes.cn"])
    for url in (
        "https://en.globaltimes.cn/page/202201/1245.shtml",
        "https://www.globaltimes.cn/content/1.html",
        "http://WWW.GlobalTimes.CN:8080/",
        "https://a.b.en.globaltimes.cn/x",
    ):
        found = match(db, "Kasachstan braucht Ruhe", url)
        assert found.source is not None, url
        assert (found.source.id, found.reason) == (times.id, MatchReason.url_domain), url
        assert found.title == "Kasachstan braucht Ruhe"
        assert "globaltimes.cn" in found.detail
    # A host that merely ends in the same letters is another site.
    other = match(db, url="https://notglobaltimes.cn/x")
    assert (other.source, other.reason, other.title) == (None, MatchReason.none, None)


def test_the_longest_matching_domain_wins(db: Database) -> None:
    site = make_source(db, name="Beispiel", domains=["example.com"])
    news = make_source(db, name="Beispiel Nachrichten", domains=["news.example.com"])
    deep = match(db, url="https://de.news.example.com/artikel")
    shop = match(db, url="https://shop.example.com/")
    assert source_id(deep) == news.id
    assert source_id(shop) == site.id


def test_an_unknown_publication_is_suggested_as_a_new_source(db: Database) -> None:
    make_source(db, name="TASS", domains=["tass.ru"])
    found = match(db, "Etwas über Handel (Neue Rundschau)", "https://rundschau.example/a")
    assert found.source is None
    assert found.reason is MatchReason.new_source_from_title
    assert found.suggested_name == "Neue Rundschau"
    assert found.title == "Etwas über Handel"
    domain = match(db, "Einheit (II) unbekannt-news.example")
    assert (domain.title, domain.suggested_name) == ("Einheit (II)", "unbekannt-news.example")
    # The URL's host settles it when the title's publication is unknown by that name.
    by_url = match(db, "Gespräche in Genf (TASS Russland)", "https://tass.ru/politika/1")
    assert by_url.source is not None
    assert by_url.source.name == "TASS"
    assert (by_url.reason, by_url.title, by_url.suggested_name) == (
        MatchReason.url_domain, "Gespräche in Genf", None)  # fmt: skip


def test_a_lower_case_publication_counts_when_it_spells_the_urls_host(db: Database) -> None:
    title = "Neues vom Markt (kleine Zeitung)"
    spelled = match(db, title, "https://www.kleinezeitung.example/artikel/1")
    assert (spelled.reason, spelled.suggested_name) == (
        MatchReason.new_source_from_title, "kleine Zeitung")  # fmt: skip
    assert spelled.title == "Neues vom Markt"
    # Without that URL, a lower-case remark in parentheses stays part of the title.
    alone = match(db, title, "https://other.example/1")
    assert (alone.reason, alone.title) == (MatchReason.none, title)


def test_the_title_wins_over_the_url_and_the_detail_says_so(db: Database) -> None:
    tass = make_source(db, name="TASS", domains=["tass.ru"])
    make_source(db, name="Global Times", domains=["globaltimes.cn"])
    found = match(db, "Gespräche in Genf (TASS)", "https://globaltimes.cn/x")
    assert source_id(found) == tass.id
    assert found.reason is MatchReason.title_suffix
    assert "Global Times" in found.detail


def test_nothing_to_recognise(db: Database) -> None:
    make_source(db, name="TASS", domains=["tass.ru"])
    found = match(db, "Eine Politikerin zum Thema Impfpflicht", "https://unbekannt.example/x")
    assert (found.source, found.reason, found.suggested_name) == (None, MatchReason.none, None)
    assert found.title == "Eine Politikerin zum Thema Impfpflicht"
    assert "unbekannt.example" in found.detail


def _statements(db: Database, title: str, url: str) -> int:
    with count_queries(db) as statements:
        match(db, title, url)
    return len([s for s in statements if not s.lstrip().upper().startswith(("PRAGMA", "BEGIN"))])


def test_matching_costs_the_same_few_queries_however_many_sources(db: Database) -> None:
    first = make_source(db, name="Erste Quelle", domains=["erste.example"])
    for _ in range(2):
        make_source(db)
    title, url = "Etwas (Unbekannte Zeitung)", "https://a.b.erste.example/x"
    few = _statements(db, title, url)
    for _ in range(30):
        make_source(db)
    many = _statements(db, title, url)
    assert few == many <= 2
    found = match(db, title, url)
    assert source_id(found) == first.id


# -- learning a source's domains from its posts' URLs -------------------------------------


def test_learn_domain_records_a_new_host_once(db: Database) -> None:
    source = make_source(db, name="Neue Rundschau", domains=[])
    assert db.call(learn_domain, source_id=source.id, url="https://WWW.Rundschau.example/a")
    assert domains_of(db, source.slug) == ["rundschau.example"]
    assert not db.call(learn_domain, source_id=source.id, url="https://rundschau.example/b")
    # Covered by a domain it has already: nothing new to learn.
    assert not db.call(learn_domain, source_id=source.id, url="https://de.rundschau.example/")
    assert domains_of(db, source.slug) == ["rundschau.example"]
    found = match(db, url="https://rundschau.example/c")
    assert source_id(found) == source.id
    # What the source shows changed: the audit log says so, once.
    with db.session(write=False) as session:
        learnt = (
            session.execute(
                select(col(Event.data)).where(
                    col(Event.action) == "source.updated", col(Event.object_id) == source.id
                )
            )
            .scalars()
            .all()
        )
    assert [entry["learnt"] for entry in learnt] == ["rundschau.example"]


def test_learn_domain_leaves_other_sources_hosts_alone(db: Database) -> None:
    tass = make_source(db, name="TASS", domains=["tass.ru"])
    other = make_source(db, name="Andere", domains=["andere.example"])
    for url in ("https://tass.ru/x", "https://www.tass.ru/y", "https://en.tass.ru/z"):
        assert not db.call(learn_domain, source_id=other.id, url=url), url
    assert domains_of(db, other.slug) == ["andere.example"]
    assert domains_of(db, tass.slug) == ["tass.ru"]


def test_learn_domain_stops_silently_at_the_limit(db: Database) -> None:
    full = [f"d{number}.example" for number in range(DOMAINS_PER_SOURCE_MAX)]
    source = make_source(db, name="Voll", domains=full)
    assert not db.call(learn_domain, source_id=source.id, url="https://noch-einer.example/")
    assert len(domains_of(db, source.slug)) == DOMAINS_PER_SOURCE_MAX


def test_learn_domain_ignores_urls_without_a_host_and_refuses_unknown_sources(
    db: Database,
) -> None:
    source = make_source(db, name="Ohne", domains=[])
    for url in ("", "mailto:", "https://", "https://[::1]/"):
        assert not db.call(learn_domain, source_id=source.id, url=url), url
    assert domains_of(db, source.slug) == []

    def unknown_source(session: Session) -> bool:
        return learn_domain(session, source_id=source.id + 1000, url="https://neu.example/")

    with pytest.raises(NotFound):
        db.call(unknown_source)


# -- the endpoint ---------------------------------------------------------------------------


def test_match_endpoint_needs_an_editor(app: FastAPI, client: TestClient, db: Database) -> None:
    url = app.url_path_for("match_source")
    response = client.post(url, json={"title": "Etwas (TASS)"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_match_endpoint_needs_a_title_or_a_url(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    url = app.url_path_for("match_source")
    for body in ({}, {"title": None, "url": None}, {"title": "   "}):
        response = client.post(url, headers=editor.headers, json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        assert "title" in response.json()["detail"], body
    for body in (
        {"title": "x" * 504},
        {"url": "javascript:alert(1)"},
        {"title": "Etwas (TASS)", "name": "TASS"},
    ):
        assert client.post(url, headers=editor.headers, json=body).status_code == 422, body


def test_match_endpoint_answers(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    times = make_source(db, name="Global Times China", domains=["globaltimes.cn"])
    url = app.url_path_for("match_source")
    response = client.post(
        url,
        headers=editor.headers,
        json={"title": "Handel (Global Times China)", "url": "https://en.globaltimes.cn/x"},
    )
    assert response.status_code == 200, response.text
    assert "public" not in response.headers.get("cache-control", "")
    body = response.json()
    assert body["source"] == {"id": times.id, "slug": times.slug, "name": "Global Times China"}
    assert (body["title"], body["reason"], body["suggested_name"]) == (
        "Handel", "title_suffix", None)  # fmt: skip
    assert body["detail"].startswith("The title ends in (Global Times China), a known source.")
    by_url = client.post(url, headers=editor.headers, json={"url": "https://www.globaltimes.cn/"})
    assert by_url.json()["source"]["id"] == times.id
    assert (by_url.json()["title"], by_url.json()["reason"]) == (None, "url_domain")
    new = client.post(url, headers=editor.headers, json={"title": "Handel (Neue Rundschau)"})
    assert new.json() | {"detail": ""} == {
        "source": None,
        "title": "Handel",
        "reason": "new_source_from_title",
        "detail": "",
        "suggested_name": "Neue Rundschau",
    }
