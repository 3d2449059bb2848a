"""RSS 2.0 and Atom 1.0 (RFC 4287), written by ElementTree's serializer: every text and
attribute is escaped by it, never pasted into markup, and cleaned of what XML 1.0 forbids."""

from datetime import datetime
from email.utils import format_datetime
from xml.etree.ElementTree import Element, SubElement, tostring

from app.feeds.shape import Feed
from app.feeds.text import content_html, xml_text

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
GENERATOR = "Presseschau"


def _add(parent: Element, tag: str, text: str | None = None, **attributes: str) -> Element:
    element = SubElement(parent, tag, {name: xml_text(value) for name, value in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _document(root: Element) -> bytes:
    document: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def rss(feed: Feed) -> bytes:
    # Prefixed names declared on the root by hand: ElementTree's own prefixes are a
    # process-wide registry, and its generated ones (ns0) would read badly.
    root = Element(
        "rss",
        {"version": "2.0", "xmlns:atom": ATOM, "xmlns:content": CONTENT, "xmlns:dc": DC},
    )
    channel = SubElement(root, "channel")
    _add(channel, "title", feed.title)
    _add(channel, "link", feed.home_url)
    _add(channel, "description", feed.description)
    _add(channel, "language", feed.language)
    _add(channel, "generator", GENERATOR)
    _add(channel, "atom:link", href=feed.self_url, rel="self", type="application/rss+xml")
    if feed.entries:
        _add(channel, "lastBuildDate", format_datetime(feed.updated))
    for entry in feed.entries:
        post = entry.post
        item = SubElement(channel, "item")
        _add(item, "title", post.title)
        _add(item, "link", entry.link)
        _add(item, "guid", entry.id, isPermaLink="false")
        _add(item, "pubDate", format_datetime(entry.published))
        _add(item, "dc:creator", post.author.name)
        for tag in post.tags:
            _add(item, "category", tag.name)
        _add(item, "description", post.excerpt)
        _add(item, "content:encoded", content_html(entry))
        if post.original_url:
            # RSS has no element for the article a post republishes; Atom's "via" says it.
            _add(item, "atom:link", href=post.original_url, rel="via")
        if post.source is not None and entry.source_url:
            # RSS's <source> needs a URL: the source's home page.
            _add(item, "source", post.source.name, url=entry.source_url)
        if post.credit:
            _add(item, "dc:contributor", post.credit)
    return _document(root)


def atom(feed: Feed) -> bytes:
    root = Element("feed", {"xmlns": ATOM, "xml:lang": feed.language})
    _add(root, "id", feed.self_url)
    _add(root, "title", feed.title)
    _add(root, "subtitle", feed.description)
    _add(root, "updated", _rfc3339(feed.updated))
    _add(root, "link", href=feed.self_url, rel="self", type="application/atom+xml")
    _add(root, "link", href=feed.home_url, rel="alternate", type="text/html")
    _add(root, "generator", GENERATOR)
    for entry in feed.entries:
        post = entry.post
        element = SubElement(root, "entry")
        _add(element, "id", entry.id)
        _add(element, "title", post.title, type="text")
        _add(element, "published", _rfc3339(entry.published))
        _add(element, "updated", _rfc3339(entry.updated))
        author = SubElement(element, "author")
        _add(author, "name", post.author.name)
        if post.credit:
            contributor = SubElement(element, "contributor")
            _add(contributor, "name", post.credit)
        _add(element, "link", href=entry.link, rel="alternate", type="text/html")
        if post.original_url:
            via = {"title": post.source.name} if post.source is not None else {}
            _add(element, "link", href=post.original_url, rel="via", **via)
        if post.source is not None and entry.source_url:
            _add(element, "link", href=entry.source_url, rel="related", title=post.source.name)
        for tag in post.tags:
            _add(element, "category", term=tag.name)
        _add(element, "summary", post.excerpt, type="text")
        _add(element, "content", content_html(entry), type="html")
    return _document(root)
