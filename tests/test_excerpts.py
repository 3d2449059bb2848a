"""Excerpts made from a body's first blocks are the excerpts of the whole body."""

import random
import re

from app.core import html
from app.core.html import make_excerpt, render_markdown, strip_tags

BLOCKS = [
    "Ein Absatz mit *Betonung* und einem [Verweis][quelle] auf die Quelle.",
    "Noch ein Absatz, lang genug: " + "Wort für Wort geht es weiter, " * 12,
    "- erster Punkt\n- zweiter Punkt\n\n- dritter Punkt nach Leerzeile",
    "> Ein Zitat, das über\n> zwei Zeilen geht.",
    "```\nCode mit Leerzeile\n\nund weiter\n```",
    "## Zwischentitel",
    "Weiterlesen",
    "https://zeitung.example/artikel/1",
    "<div>\nRohes HTML\n\nüber einen Absatz hinaus\n</div>",
    "[quelle]: https://quelle.example/text",
    "Kurz.",
    "    eingerückter Code\n\n    nach Leerzeile",
    "1. Punkt\n\n   eingerückt fortgesetzt",
    "<!-- Kommentar\n\nüber eine Leerzeile -->",
    "Titel in Setext\n===",
    "Zahlen &amp; Zeichen: 1 < 2, „Anführung“ — Gedankenstrich.",
    # Text the excerpt takes out of tags without a parser: ">" in attribute values, markup
    # written as entities, an iframe's raw text.
    '[Verweis](https://quelle.example/a "Titel > mit <b>Zeichen</b>") und Text danach.',
    '<img src="https://bild.example/a.png" alt="a > b" title=\'c "> d\'> Bildtext',
    "Ein Satz mit &lt;b&gt;Markup als Entität&lt;/b&gt; und `<i>Code</i>` darin.",
    '<iframe src="https://www.youtube.com/embed/x">Video &lt;i&gt;hier&lt;/i&gt;</iframe>',
    "<pre>\nvorformatiert\n</pre>",
]
LINK_ONLY = re.compile(r"^\s*(?:Weiterlesen|VIDEO|(?:VIDEO\s*)?https?://\S+)\s*$", re.I)


def _whole_body_excerpt(body: str, limit: int = 280) -> str:
    """The excerpt as the definition says: the whole body rendered, without link-only lines."""
    kept = "\n".join(line for line in body.splitlines() if not LINK_ONLY.match(line))
    text = re.sub(r"\s+", " ", strip_tags(render_markdown(kept))).strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:–-") + " …"


def test_an_excerpt_is_the_whole_bodys_excerpt_for_any_body() -> None:
    rng = random.Random(5)
    cut = {"source": 0, "html": 0}  # bodies where the shortcuts were taken, not the whole
    for _ in range(600):
        body = "\n\n".join(rng.choice(BLOCKS) for _ in range(rng.randrange(1, 25)))
        lines = [line for line in body.splitlines() if not LINK_ONLY.match(line)]
        cut["source"] += html._leading(lines, enough=4 * 280) is not None
        cut["html"] += html._leading_html(render_markdown(body), enough=4 * 280) is not None
        expected = _whole_body_excerpt(body)
        assert make_excerpt(body) == expected, body
        assert make_excerpt(body, rendered=render_markdown(body)) == expected, body
        without_links = "\n\n".join(
            block for block in body.split("\n\n") if not LINK_ONLY.match(block)
        )
        rendered = render_markdown(without_links)
        assert make_excerpt(without_links, rendered=rendered) == _whole_body_excerpt(without_links)
    assert min(cut.values()) >= 10, cut
