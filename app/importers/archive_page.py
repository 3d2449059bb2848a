"""A WordPress day-archive page: its day and its entries, in the page's order, as posts.

Read here when saved as text; ``archive_html`` reads it saved as HTML.

Saved as text (as a browser copies the page), it has this shape::

    Archive for Januar 10th, 2022        (heading; optional)
    10. Januar 2022                      (each entry: its date line,
    Title (Source)                        its title,
    paragraphs of the body ...            and its body up to the next entry's date line)
    %d Bloggern gefällt das:             (page furniture after the last entry; dropped)

Dates are read in German ("10. Januar 2022") or English ("January 10, 2022").
"""

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from babel.dates import get_month_names

from app.core.errors import InvalidInput
from app.importers.body import take_origin
from app.importers.records import ImportedPost, ItemFailure
from app.posts.models import PostStatus

# Widgets and navigation WordPress themes print below the posts.
_FURNITURE = re.compile(
    r"^(?:%d Bloggern gefällt das:?|Gefällt mir:?|Like this:?|Teilen mit:?|Share this:?|"
    r"Gefällt mir Wird geladen …|Loading\.\.\.|Ältere Beiträge|Neuere Beiträge|Older posts|"
    r"Newer posts)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    position: int  # 1 for the page's first (newest) entry
    title: str  # as the page shows it, source suffix included
    body: str  # Markdown (a page saved as text) or HTML, without the link and credit below
    original_url: str | None
    credit: str | None
    # When the page tells the time (an HTML page's <time datetime>); aware.
    published_at: datetime | None = None
    # Why the entry cannot be imported, when it cannot (the page's other entries can).
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class ArchivePage:
    day: date
    entries: list[ArchiveEntry]


@cache
def _months() -> dict[str, int]:
    names: dict[str, int] = {}
    for language in ("de", "en"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=language).items():
                names[name.lower().rstrip(".")] = number
    return names


_GERMAN_DATE = re.compile(r"^(\d{1,2})\.\s*([^\W\d_]+\.?)\s+(\d{4})$")
_ENGLISH_DATE = re.compile(r"^([^\W\d_]+)\s+(\d{1,2})(?:st|nd|rd|th)?,\s*(\d{4})$")


def parse_date_line(line: str) -> date | None:
    """``10. Januar 2022`` or ``January 10, 2022`` as a date; None for any other line."""
    text = line.strip()
    if german := _GERMAN_DATE.match(text):
        day, month_name, year = german.groups()
    elif english := _ENGLISH_DATE.match(text):
        month_name, day, year = english.groups()
    else:
        return None
    month = _months().get(month_name.lower().rstrip("."))
    if month is None:
        return None
    try:
        return date(int(year), month, int(day))
    except ValueError:
        return None


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    return paragraphs


def parse_archive_text(text: str) -> ArchivePage:
    """The page's entries; InvalidInput when it has none or mixes days."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and (not lines[-1].strip() or _FURNITURE.match(lines[-1].strip())):
        lines.pop()
    # An entry starts at a date line whose next non-blank line is its title.
    starts: list[tuple[int, date, int]] = []  # (date line, day, title line)
    for number, line in enumerate(lines):
        day = parse_date_line(line)
        if day is None:
            continue
        title_line = next((i for i in range(number + 1, len(lines)) if lines[i].strip()), None)
        if title_line is not None and parse_date_line(lines[title_line]) is None:
            starts.append((number, day, title_line))
    if not starts:
        raise InvalidInput(
            "The page has no entries: each needs a date line (10. Januar 2022) and a title."
        )
    page_day = starts[0][1]
    entries: list[ArchiveEntry] = []
    for position, (_, day, title_line) in enumerate(starts, start=1):
        if day != page_day:
            raise InvalidInput(
                f"Entry {position} is dated {day.isoformat()}, the page's first entry "
                f"{page_day.isoformat()}: a day archive holds one day."
            )
        end = starts[position][0] if position < len(starts) else len(lines)
        origin = take_origin(_paragraphs(lines[title_line + 1 : end]))
        entries.append(
            ArchiveEntry(
                position=position,
                title=lines[title_line].strip(),
                body="\n\n".join(plain_to_markdown(text) for text in origin.paragraphs),
                original_url=origin.original_url,
                credit=origin.credit,
            )
        )
    return ArchivePage(day=page_day, entries=entries)


ARCHIVE_KEY_PREFIX = "archive:"
# A page saved as text tells the day, not the time: entries are spread back from midday
# (local time), a minute apart, so newest-first lists keep the page's order. A page with more
# entries than fit a minute apart into the morning has them closer together: an entry always
# stays on its page's day.
_FIRST_ENTRY_AT = time(12, 0)
_ENTRY_STEP = timedelta(minutes=1)
# Characters that would make plain text into Markdown markup.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<])")
_MARKDOWN_BLOCK_START = re.compile(r"^(\s*)([#>+-](?=\s)|\d+(?=[.)]\s))", re.MULTILINE)


def plain_to_markdown(paragraph: str) -> str:
    """A plain-text paragraph as Markdown that renders as the same text."""
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", paragraph)
    # "1. " is escaped after the number ("1\. "), a marker character before itself.
    return _MARKDOWN_BLOCK_START.sub(_escape_block_start, escaped)


def _escape_block_start(found: re.Match[str]) -> str:
    indent, marker = found[1], found[2]
    return f"{indent}{marker}\\" if marker.isdigit() else f"{indent}\\{marker}"


def entry_key(day: date, title: str, occurrence: int = 1) -> str:
    """What identifies a page's entry across imports: its day and title, not its place on the
    page (a page saved again later has newer entries above it). ``occurrence`` tells apart
    entries of one day with the same title and different texts, counted from the page's
    bottom, its oldest entry: newer entries added above leave the older ones' keys as they
    were."""
    digest = hashlib.sha256(" ".join(title.split()).encode()).hexdigest()[:24]
    key = f"{ARCHIVE_KEY_PREFIX}{day.isoformat()}:{digest}"
    return key if occurrence == 1 else f"{key}:{occurrence}"


def is_archive_key(key: str) -> bool:
    """Whether an import key is a day page entry's (``entry_key``): made from a day and a
    title, it does not tell two posts apart as a WordPress GUID does."""
    return key.startswith(ARCHIVE_KEY_PREFIX)


def _entry_keys(page: ArchivePage) -> list[str]:
    """Each entry's ``entry_key``: entries with one title and the same text and link (a page
    that shows one post twice) share a key; with different texts they are different posts."""
    # Per title, each different text and its occurrence number: looked up, never searched.
    texts_by_title: dict[str, dict[tuple[str, str | None, str | None], int]] = {}
    keys: list[str] = []
    for entry in reversed(page.entries):
        title = " ".join(entry.title.split())
        texts = texts_by_title.setdefault(title, {})
        occurrence = texts.setdefault(
            (entry.body, entry.original_url, entry.credit), len(texts) + 1
        )
        keys.append(entry_key(page.day, title, occurrence))
    return keys[::-1]


def _moments(page: ArchivePage, zone: ZoneInfo) -> list[datetime]:
    """When each entry was published, in UTC: its own time where the page tells it; else a
    step below the entry above it (the first at midday), never before its day's start."""
    day_start = datetime.combine(page.day, time(0), tzinfo=zone).astimezone(UTC)
    first = datetime.combine(page.day, _FIRST_ENTRY_AT, tzinfo=zone).astimezone(UTC)
    untimed = sum(1 for entry in page.entries if entry.published_at is None)
    # Counted in elapsed time (UTC), so a daylight-saving change in the morning is no gap.
    step = min(_ENTRY_STEP, (first - day_start) / (untimed + 1))
    moments: list[datetime] = []
    for entry in page.entries:
        if entry.published_at is not None:
            moment = entry.published_at.astimezone(UTC)
        elif moments:
            moment = max(moments[-1] - step, day_start)
        else:
            moment = first
        moments.append(moment)
    return moments


def archive_posts(page: ArchivePage, zone: ZoneInfo) -> Iterator[ImportedPost | ItemFailure]:
    """The page's entries as published posts on its day, in its order; an entry that cannot
    be imported as a failure."""
    keys = _entry_keys(page)
    for entry, key, moment in zip(page.entries, keys, _moments(page, zone), strict=True):
        position = f"entry {entry.position} ({entry.title[:60]})"
        if entry.problem is not None:
            yield ItemFailure(position=position, reason=entry.problem)
            continue
        yield ImportedPost(
            position=position,
            title=entry.title,
            body=entry.body,
            status=PostStatus.published,
            published_at=moment,
            import_key=key,
            original_url=entry.original_url,
            credit=entry.credit,
        )
