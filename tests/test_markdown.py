"""A body's Markdown as readers see it: CommonMark, with the links WordPress would make."""

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
