"""A WordPress day-archive page saved as HTML ("Save page as…"), read into its entries.

Themes differ, but the markup WordPress itself prints is shared: each post is an
``<article>`` (older themes: ``div.post`` / ``div.hentry``) with its title in
``.entry-title``, its time in ``<time datetime>`` (or a date in words in ``.entry-date``),
and its text in ``.entry-content`` (or ``.entry-summary`` on excerpt pages). The body stays
HTML; its original link and credit are taken off its ends as everywhere else.
"""

from datetime import date, datetime, tzinfo

from bs4 import BeautifulSoup, Tag

from app.core.errors import InvalidInput
from app.core.types import as_aware
from app.importers.archive_page import ArchiveEntry, ArchivePage, parse_date_line
from app.importers.html_body import body_and_origin, refusal

_POSTS = "article, div.post, div.hentry"
_TITLE = ".entry-title, h1, h2"
_CONTENT = ".entry-content, .entry-summary"
_DATE_TEXT = ".entry-date, .posted-on, .published"


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:2048].lower()
    return head.startswith(("<!doctype html", "<html")) or "<article" in head


def _moment(post: Tag, zone: tzinfo) -> tuple[date | None, datetime | None]:
    """The post's day and, when the page tells it, its time."""
    stamp = post.select_one("time[datetime]")
    if stamp is not None:
        try:
            moment = datetime.fromisoformat(str(stamp["datetime"]).strip())
        except ValueError:
            moment = None
        if moment is not None:
            aware = as_aware(moment, zone)
            return aware.astimezone(zone).date(), aware
    shown = post.select_one(_DATE_TEXT)
    return (parse_date_line(shown.get_text(" ", strip=True)) if shown else None), None


def _is_post(element: Tag) -> bool:
    """Whether ``element`` is what ``_POSTS`` selects."""
    classes = element.get_attribute_list("class")
    return element.name == "article" or (
        element.name == "div" and ("post" in classes or "hentry" in classes)
    )


def _is_title(element: Tag) -> bool:
    """Whether ``element`` is what ``_TITLE`` selects."""
    return element.name in ("h1", "h2") or "entry-title" in element.get_attribute_list("class")


def _outermost_posts(document: BeautifulSoup) -> list[Tag]:
    """The posts with a title, in page order; a post inside another (a theme's wrapper) is the
    same post twice, and only the outer one counts.

    Two passes over the page, each element visited once, so that deep nesting (a page of
    thousands of ``<article>`` one inside the other) costs no more than a flat page.
    """
    # Every element with a title inside: each title marks its ancestors up to the first one
    # marked already, so each element is marked at most once.
    titled: set[int] = set()
    for element in document.descendants:
        if isinstance(element, Tag) and _is_title(element):
            for outer in element.parents:
                if id(outer) in titled:
                    break
                titled.add(id(outer))
    posts: list[Tag] = []
    waiting: list[Tag] = [document]  # a stack, not recursion: the page decides the depth
    while waiting:
        element = waiting.pop()
        if element is not document and _is_post(element) and id(element) in titled:
            posts.append(element)
            continue
        waiting.extend(
            child
            for child in reversed(element.contents)
            if isinstance(child, Tag) and id(child) in titled
        )
    return posts


def parse_archive_html(text: str, zone: tzinfo) -> ArchivePage:
    """The page's posts; InvalidInput when it has none, or posts of more than one day."""
    document = BeautifulSoup(text, "html.parser")
    posts = _outermost_posts(document)
    if not posts:
        raise InvalidInput("The page has no posts: no <article> with an .entry-title.")
    entries: list[ArchiveEntry] = []
    days: list[date] = []
    for position, post in enumerate(posts, start=1):
        title = post.select_one(_TITLE)
        assert title is not None
        day, moment = _moment(post, zone)
        if day is None:
            raise InvalidInput(f"Entry {position} has no date: no <time datetime>, no date.")
        days.append(day)
        if day != days[0]:
            raise InvalidInput(
                f"Entry {position} is dated {day.isoformat()}, the page's first entry "
                f"{days[0].isoformat()}: a day archive holds one day."
            )
        content = post.select_one(_CONTENT)
        markup = content.decode_contents() if content else ""
        too_long = refusal(markup)
        body, url, credit = body_and_origin(markup) if too_long is None else ("", None, None)
        entries.append(
            ArchiveEntry(
                position=position,
                title=title.get_text(" ", strip=True),
                body=body,
                original_url=url,
                credit=credit,
                published_at=moment,
                problem=too_long,
            )
        )
    return ArchivePage(day=days[0], entries=entries)
