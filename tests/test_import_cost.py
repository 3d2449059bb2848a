"""Hostile post bodies and day pages: read in linear time, and one never holds up an import.

Each input below once took seconds to minutes of CPU (a pattern retried from every ``<``, a
subtree searched again for every nested ``<article>``). Each is tried at the size the issue
reported and at doubled sizes up to the largest an item may have, and must stay well under a
second of CPU at every size: a cost that grows with the square of the size fails long before.
"""

import io
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.config import DEFAULT_SEARCH_LANGUAGES
from app.core.db import Database
from app.importers.archive_html import parse_archive_html
from app.importers.files import import_archive_page, import_wxr
from app.importers.html_body import HTML_MAX, body_and_origin
from app.posts.models import BODY_MAX
from app.search.index import index_queued
from tests.cost import cpu_seconds
from tests.factories import make_account
from tests.test_wxr import export

BERLIN = ZoneInfo("Europe/Berlin")
# Generous: each of these takes a few milliseconds when read in linear time.
CPU_SECONDS = 1.0

# A piece and how often the issue repeated it; each is also tried at doubled counts.
HOSTILE: dict[str, tuple[str, int]] = {
    "links that never close": ('<a href="x" ', 400),
    "editor comments that never close": ("<!-- wp:", 16_000),
    "tags that never close": ("<", 200_000),
    "line breaks that never close": ("<br", 60_000),
    "link addresses that never close": ('<a href="', 30_000),
    "link addresses whose quote never closes": ("<a href='x>", 30_000),
    "links without a closing tag": ('<a href="x">', 20_000),
    "blanks between blocks": ("</p>" + " \t" * 50_000 + "x", 1),
}


def sizes(piece: str, count: int) -> list[int]:
    """``count``, doubled until a body would be longer than an item may be."""
    counts = [count]
    while len(piece) * counts[-1] * 2 <= HTML_MAX:
        counts.append(counts[-1] * 2)
    return counts


@pytest.mark.parametrize("case", HOSTILE, ids=str)
def test_a_hostile_body_is_read_in_linear_time(case: str) -> None:
    piece, count = HOSTILE[case]
    for times in sizes(piece, count):
        spent = cpu_seconds(lambda: body_and_origin(piece * times))  # noqa: B023
        assert spent < CPU_SECONDS, (case, times, spent)


def wxr_item(post_id: int, title: str, content: str) -> str:
    return f"""<item><title>{title}</title>
<guid isPermaLink="false">https://blog.example/?p={post_id}</guid>
<content:encoded><![CDATA[{content}]]></content:encoded>
<wp:post_id>{post_id}</wp:post_id>
<wp:post_date_gmt>2022-07-10 06:{post_id:02d}:00</wp:post_date_gmt>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
</item>
"""


def test_an_export_of_hostile_bodies_is_imported_quickly_and_whole(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    hostile = [(piece * count)[:BODY_MAX] for piece, count in HOSTILE.values()]
    items = [
        wxr_item(1, "Eine gewöhnliche Meldung", "<p>Ein Absatz.</p>"),
        *(wxr_item(number, f"Feindlich {number}", body) for number, body in enumerate(hostile, 2)),
        # Longer than any post may be: refused before it is read, the others go on.
        wxr_item(20, "Zu lang", "<p>" + "x" * HTML_MAX + "</p>"),
        # Markup costs more to clean the deeper it nests: a title like this one is refused
        # before it is cleaned.
        wxr_item(22, "&lt;div&gt;" * 60_000 + "Titel", "<p>Ein Absatz.</p>"),
        # Read, but longer than a post's body may be: refused before it is rendered.
        wxr_item(23, "Auch zu lang", "<p>" + "x" * (BODY_MAX + 1) + "</p>"),
        wxr_item(21, "Noch eine Meldung", "<p>Noch ein Absatz.</p>"),
    ]
    document = export(*items)
    summary = None

    def run() -> None:
        nonlocal summary
        summary = import_wxr(db, io.BytesIO(document), zone=BERLIN, language="de")

    spent = cpu_seconds(run)
    assert summary is not None
    assert (summary.created, summary.failed) == (len(hostile) + 2, 3), summary.failures
    assert summary.failures[0].position == f"item {len(hostile) + 2} (post 20)"
    assert f"more than {HTML_MAX:,}" in summary.failures[0].reason
    assert summary.failures[1].position == f"item {len(hostile) + 3} (post 22)"
    assert "its title is 300,005 characters long" in summary.failures[1].reason
    assert summary.failures[2].reason.startswith("its body is 200,0")
    assert summary.failures[2].reason.endswith(f"more than {BODY_MAX:,} allowed")
    # The whole import, rendering and writing included, on either database.
    assert spent < 10 * CPU_SECONDS, spent
    index_queued(db, DEFAULT_SEARCH_LANGUAGES)
    editor = make_account(db).headers
    listed = client.get(app.url_path_for("list_posts"), params={"q": "Meldung"}, headers=editor)
    assert sorted(post["title"] for post in listed.json()["items"]) == [
        "Eine gewöhnliche Meldung",
        "Noch eine Meldung",
    ]


def test_a_day_page_entry_with_a_title_of_deep_markup_fails_alone(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    # Cleaning nested markup costs more the deeper it nests: it is refused before cleaning.
    page = (
        "3. März 2023\n\nErste Meldung\n\nKurz.\n\n"
        f"3. März 2023\n\n{'<div>' * 60_000}Titel\n\nAuch kurz.\n\n"
        "3. März 2023\n\nLetzte Meldung\n\nNoch kürzer.\n"
    )
    summary = None

    def run() -> None:
        nonlocal summary
        summary = import_archive_page(db, page, zone=BERLIN, language="de")

    spent = cpu_seconds(run)
    assert summary is not None
    assert (summary.created, summary.failed) == (2, 1)
    assert summary.failures[0].position.startswith("entry 2 (<div>")
    assert "its title is 300,005 characters long" in summary.failures[0].reason
    assert spent < CPU_SECONDS, spent
    url = app.url_path_for("day_archive", year=2023, month="03", day="03")
    listed = client.get(url).json()["items"]
    assert [post["title"] for post in listed] == ["Erste Meldung", "Letzte Meldung"]


def nested_page(depth: int) -> str:
    """A day page with one ordinary post, then ``depth`` posts each inside the one before."""
    post = '<article><h2 class="entry-title">{title}</h2><time datetime="{at}">x</time>'
    nested = "".join(
        post.format(title=f"Verschachtelt {level}", at="2023-03-03T09:00:00+01:00")
        + f'<div class="entry-content"><p>Ebene {level}.</p></div>'
        for level in range(depth)
    )
    return (
        "<!DOCTYPE html><html><body>"
        + post.format(title="Obenauf", at="2023-03-03T18:00:00+01:00")
        + '<div class="entry-content"><p>Ein Absatz.</p></div></article>'
        + nested
        + "</article>" * depth
        + "</body></html>"
    )


def test_a_day_page_of_nested_posts_is_read_in_linear_time() -> None:
    for depth in (3_000, 6_000):
        page = nested_page(depth)
        spent = cpu_seconds(lambda: parse_archive_html(page, BERLIN))  # noqa: B023
        # Generous: BeautifulSoup alone parses the larger page (600 KB) in about a second.
        assert spent < 3 * CPU_SECONDS, (depth, spent)
    entries = parse_archive_html(nested_page(3_000), BERLIN).entries
    # A post inside another is that post, and its outermost title names it.
    assert [entry.title for entry in entries] == ["Obenauf", "Verschachtelt 0"]


def test_a_day_page_with_a_post_too_long_imports_the_others(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    post = (
        '<article><h2 class="entry-title">{title}</h2>'
        '<time datetime="2023-03-03T{hour}:00:00+01:00">x</time>'
        '<div class="entry-content"><p>{text}</p></div></article>'
    )
    page = "<!DOCTYPE html><html><body>{}</body></html>".format(
        "".join(
            post.format(title=title, hour=hour, text=text)
            for title, hour, text in [
                ("Erste", "18", "Kurz."),
                ("Viel zu lang", "12", "x" * (BODY_MAX * 2 + 1)),
                ("Letzte", "09", "Auch kurz."),
            ]
        )
    )
    summary = import_archive_page(db, page, zone=BERLIN, language="de")
    assert (summary.created, summary.failed) == (2, 1)
    assert summary.failures[0].position == "entry 2 (Viel zu lang)"
    url = app.url_path_for("day_archive", year=2023, month="03", day="03")
    listed = client.get(url).json()["items"]
    assert [post["title"] for post in listed] == ["Erste", "Letzte"]
    assert date.fromisoformat(listed[0]["date"]) == date(2023, 3, 3)
