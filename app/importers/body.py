"""What a republished post's body says about its origin, taken out of the body.

Press-review posts carry the link to the original article inside the text: an excerpt that
ends in "Weiterlesen" and the URL, or the URL alone on a line before or after the text. A
translation credit ("Übersetzung Linke Zeitung") sits on a line of its own at either end.
These become the post's ``original_url`` and ``credit``; the rest stays the body.

The rules work on paragraphs (blank-line separated blocks) of plain text. Bodies written in
HTML are turned into such paragraphs by the importer that reads them.
"""

import re
from dataclasses import dataclass

URL = re.compile(r"^https?://[^\s<>\"]+$")
_READ_MORE = re.compile(
    r"^(?:Weiterlesen|Read more|Mehr lesen|Zum Artikel)\s*[:…]?$", re.IGNORECASE
)
# Short lines naming who translated or supplied the text; longer ones are prose.
_CREDIT = re.compile(
    r"^(?:Übersetzung|Übersetzt von|Übertragen von|Translation|Translated by)\b[^\n]{1,120}$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Origin:
    paragraphs: list[str]
    # Where ``paragraphs`` are among the non-blank paragraphs given: only ends are taken.
    kept: slice
    original_url: str | None
    credit: str | None


def _trailing_read_more(paragraphs: list[str]) -> tuple[str, int] | None:
    """The URL of a closing "Weiterlesen" link, and how many paragraphs it takes up (label
    and URL may share a paragraph or have one each)."""
    words = paragraphs[-1].split()
    if len(words) >= 2 and URL.match(words[-1]) and _READ_MORE.match(" ".join(words[:-1])):
        return words[-1], 1
    if len(paragraphs) >= 2 and URL.match(paragraphs[-1]) and _READ_MORE.match(paragraphs[-2]):
        return paragraphs[-1], 2
    return None


def take_origin(paragraphs: list[str]) -> Origin:
    """Split the original article's link and a credit line off the ends of a body."""
    given = [paragraph.strip() for paragraph in paragraphs if paragraph.strip()]
    start, end = 0, len(given)
    url: str | None = None
    credit: str | None = None
    while start < end:
        if url is None and (read_more := _trailing_read_more(given[start:end])) is not None:
            url, size = read_more
            end -= size
            continue
        for at_start in (True, False):
            paragraph = given[start] if at_start else given[end - 1]
            if url is None and URL.match(paragraph):
                url = paragraph
            elif credit is None and _CREDIT.match(paragraph):
                credit = paragraph
            else:
                continue
            if at_start:
                start += 1
            else:
                end -= 1
            break
        else:
            break
    kept = slice(start, end)
    return Origin(paragraphs=given[kept], kept=kept, original_url=url, credit=credit)
