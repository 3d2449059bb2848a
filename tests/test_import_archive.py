"""Importing a saved day-archive page: the real one in ../shared/seeds, and pages written here."""

from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.db import Database
from app.core.errors import InvalidInput
from app.importers.archive_html import parse_archive_html
from app.importers.archive_page import parse_archive_text
from app.importers.files import import_archive_page
from app.importers.service import ImportSummary
from tests.conftest import SEED_DIR

BERLIN = ZoneInfo("Europe/Berlin")
SEED = SEED_DIR / "000_274c5883fd8f2946.txt"
# The same page as PAGE below, saved as HTML from a common WordPress theme.
PAGE_HTML = (Path(__file__).parent / "data" / "day-archive.html").read_text(encoding="utf-8")

PAGE = """Archive for März 3rd, 2023

3. März 2023

Häfen im Wandel (Hafenblatt)

Übersetzung Kollektiv Zwischenzeilen

Die Umschlagzahlen steigen wieder.

1. Quartal: so gut wie nie.

https://www.hafenblatt.example/2023/03/haefen

3. März 2023

Ein Gespräch ohne Quelle

3. März 2023

Neue Linien (2) seeweg.example

Kurzer Auszug über neue Fährlinien …

Weiterlesen
https://seeweg.example/linien

%d Bloggern gefällt das:
"""


def run_import(db: Database, text: str, *, dry_run: bool = False) -> ImportSummary:
    return import_archive_page(db, text, zone=BERLIN, language="de", dry_run=dry_run)


def day_archive(client: TestClient, app: FastAPI, day: date) -> list[dict[str, Any]]:
    url = app.url_path_for("day_archive", year=day.year, month=f"{day:%m}", day=f"{day:%d}")
    response = client.get(url, params={"per_page": 100})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@pytest.mark.parametrize("saved_as", ["text", "html"])
def test_a_page_becomes_posts_on_its_day_in_its_order(
    app: FastAPI, client: TestClient, db: Database, saved_as: str
) -> None:
    summary = run_import(db, PAGE if saved_as == "text" else PAGE_HTML)
    assert (summary.created, summary.skipped, summary.failed) == (3, 0, 0)
    assert sorted(summary.new_sources) == ["Hafenblatt", "seeweg.example"]
    posts = day_archive(client, app, date(2023, 3, 3))
    assert [post["title"] for post in posts] == [
        "Häfen im Wandel",
        "Ein Gespräch ohne Quelle",
        "Neue Linien (2)",
    ]
    harbour, interview, lines = posts
    assert harbour["source"]["name"] == "Hafenblatt"
    assert harbour["original_url"] == "https://www.hafenblatt.example/2023/03/haefen"
    assert harbour["credit"] == "Übersetzung Kollektiv Zwischenzeilen"
    # Plain text stays plain text: "1. Quartal" is no numbered list.
    assert "<p>1. Quartal: so gut wie nie.</p>" in harbour["body_html"]
    assert interview["source"] is None
    assert interview["original_url"] is None
    assert lines["source"]["name"] == "seeweg.example"
    assert lines["original_url"] == "https://seeweg.example/linien"
    assert lines["excerpt"] == "Kurzer Auszug über neue Fährlinien …"
    # The new sources learnt their links' hosts: later posts from there are recognised.
    sources = client.get(app.url_path_for("get_source", id_or_slug="hafenblatt")).json()
    assert sources["domains"] == ["hafenblatt.example"]


def test_an_html_page_gives_its_posts_their_times_and_is_the_text_pages_twin(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    run_import(db, PAGE_HTML)
    harbour, interview, lines = day_archive(client, app, date(2023, 3, 3))
    # The page's own times where it has them; one without comes just below the one above.
    assert harbour["published_at"] == "2023-03-03T18:40:00+01:00"
    assert interview["published_at"] == "2023-03-03T09:05:00+01:00"
    assert lines["published_at"] == "2023-03-03T09:04:00+01:00"
    assert "<strong>vor allem</strong>" in harbour["body_html"]
    # Saved as text or as HTML, it is the same page: importing the other adds nothing.
    assert run_import(db, PAGE).created == 0


def test_importing_a_page_again_adds_nothing(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    run_import(db, PAGE)
    before = day_archive(client, app, date(2023, 3, 3))
    again = run_import(db, PAGE)
    assert (again.created, again.skipped, again.failed) == (0, 3, 0)
    assert again.new_sources == []
    assert day_archive(client, app, date(2023, 3, 3)) == before
    listed = client.get(app.url_path_for("list_sources")).json()
    assert listed["total"] == 2


def test_a_dry_run_reports_and_writes_nothing(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    summary = run_import(db, PAGE, dry_run=True)
    assert (summary.created, summary.failed) == (3, 0)
    assert sorted(summary.new_sources) == ["Hafenblatt", "seeweg.example"]
    assert day_archive(client, app, date(2023, 3, 3)) == []
    assert client.get(app.url_path_for("list_sources")).json()["total"] == 0


def test_a_bad_entry_is_reported_and_the_others_are_imported(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    too_long = "Lang " * 80
    page = PAGE.replace("Ein Gespräch ohne Quelle", f"{too_long.strip()} (Nirgendblatt)")
    summary = run_import(db, page)
    assert (summary.created, summary.failed) == (2, 1)
    assert summary.failures[0].position.startswith("entry 2")
    assert "title" in summary.failures[0].reason
    assert len(day_archive(client, app, date(2023, 3, 3))) == 2
    # The publication it names is not made a source for a post that did not go in.
    assert "Nirgendblatt" not in summary.new_sources
    assert client.get(app.url_path_for("list_sources")).json()["total"] == 2


def test_pages_without_entries_or_with_two_days_are_refused() -> None:
    with pytest.raises(InvalidInput, match="no entries"):
        parse_archive_text("Archive for März 3rd, 2023\n\nNur Text, kein Eintrag.\n")
    mixed = PAGE.replace("3. März 2023\n\nEin Gespräch", "4. März 2023\n\nEin Gespräch")
    with pytest.raises(InvalidInput, match="Entry 2 is dated 2023-03-04"):
        parse_archive_text(mixed)
    with pytest.raises(InvalidInput, match="no posts"):
        parse_archive_html("<!DOCTYPE html><html><body><p>Leer.</p></body></html>", BERLIN)
    undated = PAGE_HTML.replace('<span class="entry-date">3. März 2023</span>', "")
    with pytest.raises(InvalidInput, match="Entry 3 has no date"):
        parse_archive_html(undated, BERLIN)


def test_the_real_day_archive(app: FastAPI, client: TestClient, db: Database) -> None:
    if not SEED.exists():
        pytest.skip(f"the real day archive is not here ({SEED.name} under ../shared/seeds)")
    text = SEED.read_text(encoding="utf-8")
    summary = run_import(db, text)
    assert (summary.created, summary.failed) == (11, 0)
    posts = day_archive(client, app, date(2022, 1, 10))
    assert len(posts) == 11
    # The page's order, newest first, titles without their source.
    page_titles = [" ".join(entry.title.split()) for entry in parse_archive_text(text).entries]
    assert all(
        page_title.startswith(str(post["title"]))
        for post, page_title in zip(posts, page_titles, strict=True)
    )
    assert posts[0]["title"] == "Kasachstan und die Energiewende"
    assert posts[-1]["title"] == "Führung aus einer Hand (II)"
    by_source: dict[str, int] = {}
    for post in posts:
        source = post["source"]
        name = source["name"] if isinstance(source, dict) else None
        by_source[str(name)] = by_source.get(str(name), 0) + 1
    assert by_source == {
        "german-foreign-policy.com": 2,
        "Global Times China": 2,
        "junge Welt": 1,
        "TASS": 1,
        "World Beyond War": 1,
        "Orinoco Tribune": 1,
        "None": 3,
    }
    assert client.get(app.url_path_for("list_sources")).json()["total"] == 6
    # No source suffix is left on a title; the "(II)" that belongs to one stays.
    closing = [post["title"] for post in posts if str(post["title"]).endswith(")")]
    assert closing == ["Führung aus einer Hand (II)"]
    urls = {str(post["title"])[:20]: post["original_url"] for post in posts}
    assert urls["Kasachstan und die E"] == "https://www.german-foreign-policy.com/news/detail/8807/"
    assert urls["USA sind bereit, mit"] == "https://tass.ru/mezhdunarodnaya-panorama/13376943"
    assert urls["China’s Tianjin figh"] is None
    credited = [post for post in posts if post["credit"]]
    assert [post["credit"] for post in credited] == ["Übersetzung Linke Zeitung"]
    assert credited[0]["source"]["name"] == "Global Times China"
    # A second import adds nothing.
    again = run_import(db, text)
    assert (again.created, again.skipped, again.new_sources) == (0, 11, [])
    assert len(day_archive(client, app, date(2022, 1, 10))) == 11


def test_every_entry_of_a_long_page_lands_on_its_day_in_its_order(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    # More entries than fit a minute apart between midnight and midday.
    count = 800
    page = "".join(
        f"3. März 2023\n\nMeldung {number}\n\nText der Meldung {number}.\n\n"
        for number in range(1, count + 1)
    )
    summary = run_import(db, page)
    assert (summary.created, summary.failed) == (count, 0)
    url = app.url_path_for("day_archive", year=2023, month="03", day="03")
    first = client.get(url, params={"per_page": 100}).json()
    assert first["count"] == count
    assert [post["title"] for post in first["items"]] == [f"Meldung {n}" for n in range(1, 101)]
    last = client.get(url, params={"per_page": 100, "page": 8}).json()
    assert [post["title"] for post in last["items"]] == [
        f"Meldung {n}" for n in range(701, count + 1)
    ]
    day_before = app.url_path_for("day_archive", year=2023, month="03", day="02")
    assert client.get(day_before).json()["count"] == 0


def test_entries_with_one_title_and_different_texts_are_different_posts(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    page = (
        "3. März 2023\n\nPressespiegel\n\nHeute aus Hamburg.\n\n"
        "3. März 2023\n\nPressespiegel\n\nHeute aus Bremen.\n\n"
        "3. März 2023\n\nPressespiegel\n\nHeute aus Bremen.\n\n"  # the one above, shown twice
    )
    summary = run_import(db, page)
    assert (summary.created, summary.failed) == (2, 0)
    assert summary.skip_reasons == {"appears twice in the file": 1}
    posts = day_archive(client, app, date(2023, 3, 3))
    assert [(post["title"], post["body"]) for post in posts] == [
        ("Pressespiegel", "Heute aus Hamburg."),
        ("Pressespiegel", "Heute aus Bremen."),
    ]
    assert len({post["slug"] for post in posts}) == 2
    # Saved again later with a newer entry of that title on top: only that one is new.
    later = "3. März 2023\n\nPressespiegel\n\nHeute aus Kiel.\n\n" + page
    again = run_import(db, later)
    assert (again.created, again.skip_reasons["imported before"]) == (1, 2)
    titles_and_bodies = [
        (post["title"], post["body"]) for post in day_archive(client, app, date(2023, 3, 3))
    ]
    assert ("Pressespiegel", "Heute aus Kiel.") in titles_and_bodies
    assert len(titles_and_bodies) == 3
