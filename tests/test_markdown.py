"""A body's Markdown as readers see it: CommonMark, with the links WordPress would make."""

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.core.html import render_markdown

REL = 'rel="noopener noreferrer nofollow"'


@pytest.mark.parametrize(
    ("body", "html"),
    [
        (
            "Weiterlesen https://zeitung.example/artikel?id=7",
            f'<p>Weiterlesen <a href="https://zeitung.example/artikel?id=7" {REL}>'
            "https://zeitung.example/artikel?id=7</a></p>",
        ),
        (
            "(siehe www.zeitung.example/a).",
            f'<p>(siehe <a href="http://www.zeitung.example/a" {REL}>www.zeitung.example/a</a>).'
            "</p>",
        ),
        (
            "Leserbriefe an leser@zeitung.example",
            f'<p>Leserbriefe an <a href="mailto:leser@zeitung.example" {REL}>'
            "leser@zeitung.example</a></p>",
        ),
        # A bare host name is a word in a sentence ("bei welt.de erschienen"), not a link.
        ("Zuerst bei zeitung.de erschienen.", "<p>Zuerst bei zeitung.de erschienen.</p>"),
        ("`https://nicht.example`", "<p><code>https://nicht.example</code></p>"),
        (
            "[Der Artikel](https://zeitung.example/a)",
            f'<p><a href="https://zeitung.example/a" {REL}>Der Artikel</a></p>',
        ),
    ],
)
def test_addresses_become_links_as_wordpress_would_make_them(body: str, html: str) -> None:
    assert render_markdown(body).strip() == html


def test_commonmark_blocks_and_raw_html_render_and_stay_within_the_allow_list() -> None:
    body = (
        "## Zwischentitel\n\n"
        "Ein *betonter* und **fetter** Satz,\nüber zwei Zeilen.\n\n"
        "> Ein Zitat\n\n"
        "- eins\n- zwei\n\n"
        '<figure><img src="https://bild.example/a.jpg" alt="Bild"></figure>\n\n'
        "| keine | Tabelle |\n|---|---|\n"
    )
    assert render_markdown(body) == (
        "<h2>Zwischentitel</h2>\n"
        "<p>Ein <em>betonter</em> und <strong>fetter</strong> Satz,\nüber zwei Zeilen.</p>\n"
        "<blockquote>\n<p>Ein Zitat</p>\n</blockquote>\n"
        "<ul>\n<li>eins</li>\n<li>zwei</li>\n</ul>\n"
        '<figure><img src="https://bild.example/a.jpg" alt="Bild"></figure>\n'
        # Only CommonMark: a GitHub table is text, as it was before tables were asked for.
        "<p>| keine | Tabelle |\n|---|---|</p>\n"
    )


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux's /proc")
def test_rendering_gives_back_its_memory() -> None:
    """A server renders every post it is sent: memory the renderer keeps would add up."""
    body = "\n\n".join(
        f"Absatz {number} mit *Betonung*, einem [Verweis](https://zeitung.example/{number}) "
        f"und www.zeitung.example/{number} im Text, dazu leser@zeitung.example. " * 4
        for number in range(8)
    )
    render_markdown(body)
    before = _resident_mb()
    for _ in range(3000):
        render_markdown(body)
    # A renderer that kept its document tree and HTML (as cmarkgfm's own wrapper does) holds
    # on to hundreds of megabytes here.
    assert _resident_mb() - before < 10


def test_renders_in_several_threads_at_once_are_the_renders_made_one_by_one() -> None:
    """Writes run in a thread pool: two posts saved at once must both get their links."""
    bodies = [
        f"Bericht {number}: https://zeitung.example/{number} und www.blatt.example/{number}, "
        f"*betont* und leser{number}@zeitung.example.\n\nZweiter Absatz {number}."
        for number in range(1500)
    ]
    one_by_one = [render_markdown(body) for body in bodies]
    assert all(html.count("<a href") == 3 for html in one_by_one)
    with ThreadPoolExecutor(8) as pool:
        for _ in range(3):
            assert list(pool.map(render_markdown, bodies)) == one_by_one
