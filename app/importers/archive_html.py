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
from app.importers.html_body import body_and_origin

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


def parse_archive_html(text: str, zone: tzinfo) -> ArchivePage:
    """The page's posts; InvalidInput when it has none, or posts of more than one day."""
    document = BeautifulSoup(text, "html.parser")
    posts = [post for post in document.select(_POSTS) if post.select_one(_TITLE)]
    # An article inside another (a theme's wrapper) is the same post twice.
    found = {id(post) for post in posts}
    posts = [post for post in posts if not any(id(outer) in found for outer in post.parents)]
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
        body, url, credit = body_and_origin(content.decode_contents() if content else "")
        entries.append(
            ArchiveEntry(
                position=position,
                title=title.get_text(" ", strip=True),
                body=body,
                original_url=url,
                credit=credit,
                published_at=moment,
            )
        )
    return ArchivePage(day=days[0], entries=entries)
