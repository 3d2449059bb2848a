"""Bare links become links exactly as LinkifyIt alone would make them, with the quick look."""

import random

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt

from app.core import html

PIECES = [
    "Text", "ohne", "Verweis", "z.B.", "u.a.", "d.h.", "Nr.5", "3.5", "Satz.", "Ende.Die",
    "zeitung.de", "www.beispiel.org", "https://quelle.example/a?b=1", "HTTP://GROSS.DE",
    "ftp://dateien.example", "mailto:redaktion@zeitung.de", "leser@zeitung.de", "//cdn.example",
    "192.168.0.1", "bild.jpg", "Dr.Müller", "xn--80ak6aa92e.com", "пример.рф", "a.b",
    "(siehe heise.de)", "„welt.de“", "**fett.de**", "`code.de`", "[Text](https://a.example)",
    "<https://spitz.example>", "\n", "\n\n", "- ", "> ",
]  # fmt: skip


def test_quick_linkify_makes_the_same_html_as_linkify_alone() -> None:
    plain = MarkdownIt("commonmark", {"linkify": True, "html": True, "typographer": False})
    plain.linkify = LinkifyIt()
    plain.enable(["linkify"])
    rng = random.Random(3)
    for _ in range(1500):
        text = " ".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 12)))
        assert html._markdown.render(text) == plain.render(text), text
