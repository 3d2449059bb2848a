"""A WordPress export file (WXR 1.0–1.2, "Tools → Export") read as a stream of posts.

The file is parsed a piece at a time and each ``item`` is dropped as soon as it has become
an ``ImportedPost``, so an export of any size is read in the memory of about one item. Only
``post`` items become posts; pages, attachments, menu entries and the like are counted as
skipped. An item that cannot be read becomes an ``ItemFailure`` and reading goes on; a file
that is not well-formed XML ends the reading with ``InvalidInput`` naming line and column.

Not read: comments, custom fields, and the terms and pages around the posts.

Expat 2.4.1 and newer refuses entity-expansion bombs and ElementTree never fetches external
entities, so the standard library parser is safe for uploaded files.
"""

import html
import os
from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import BinaryIO, Self, cast
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError, XMLPullParser
from xml.parsers.expat import errors as expat_errors

from app.core.errors import InvalidInput
from app.core.text import plain_line
from app.core.types import as_aware
from app.importers.html_body import body_and_origin, refusal
from app.importers.records import ImportedAuthor, ImportedPost, ItemFailure
from app.posts.models import TITLE_MAX, PostStatus

_PREFIXES = {
    **{f"http://wordpress.org/export/{version}/": "wp" for version in ("1.0", "1.1", "1.2")},
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    **{
        f"http://wordpress.org/export/{version}/excerpt/": "excerpt"
        for version in ("1.0", "1.1", "1.2")
    },
}
_CHUNK_BYTES = 64 * 1024
# Posts whose revisions are found by a GUID of their own (any other's by the GUID WordPress
# gives a post of that id): about 200 bytes each.
_KEYS_MAX = 20_000
# XML forbids these control characters, yet exports carry them (pasted from word processors)
# and one would end the whole import. In UTF-8 such a byte is never part of another character.
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NO_DATE = "0000-00-00 00:00:00"
# The version tells an export from a feed; the addresses make keys for items without a GUID.
_CHANNEL_FIELDS = frozenset({"link", "wp:wxr_version", "wp:base_site_url", "wp:base_blog_url"})
_STATUSES = {
    "publish": PostStatus.published,
    # Published at its time: stored as scheduled while that lies ahead (app.posts.workflow).
    "future": PostStatus.scheduled,
    "draft": PostStatus.draft,
    "pending": PostStatus.pending,
    "private": PostStatus.draft,
    "trash": PostStatus.trashed,
}
# What WordPress notes of a post it moved to the trash: its status before, and when (Unix
# time). Only these of an item's postmeta are read.
_TRASH_STATUS = "_wp_trash_meta_status"
_TRASH_TIME = "_wp_trash_meta_time"
_POSTMETA_KEYS = frozenset({_TRASH_STATUS, _TRASH_TIME})
# Digits of a trash time: past any date a post has (10**11 s is the year 5138).
_TRASH_TIME_DIGITS = 11
# WordPress renames a trashed post's slug so its own slug is free meanwhile; here a trashed
# post keeps its slug taken, so it gets its own back.
_TRASHED_SLUG = "__trashed"
# Why an item is not imported, for the summary; other post types are named as they are.
_SKIPPED_TYPES = {
    "attachment": "an attachment, not a post",
    "page": "a page, not a post",
    "nav_menu_item": "a menu entry, not a post",
}
_SKIPPED_STATUSES = {
    "auto-draft": "an automatic draft",
    "inherit": "a post revision (status inherit)",
}
# WordPress leaves an unscheduled draft's date open (GMT "0000-00-00 ..."), to be set when it
# is published; its local post_date only says when it was saved, so that is its created_at.
_UNDATED_STATUSES = frozenset({"draft", "pending"})
_TAG_DOMAINS = frozenset({"post_tag", "tag"})  # "tag" in WXR 1.0
# A title and an excerpt lose their markup before their length counts, and cleaning costs more
# the more markup there is: one far longer than any post has is refused before it is cleaned.
_TITLE_SOURCE_MAX = 10 * TITLE_MAX
_EXCERPT_SOURCE_MAX = 20_000


class _BadItem(Exception):
    """An item this reader cannot turn into a post; the message says why."""


@dataclass(slots=True)
class _Item:
    values: dict[str, str] = field(default_factory=dict)  # first child of each name
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # The postmeta of _POSTMETA_KEYS, by key.
    meta: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "").strip()


@lru_cache(maxsize=512)
def _name(tag: str) -> str:
    """``{http://wordpress.org/export/1.2/}status`` as ``wp:status``, whatever the version."""
    if not tag.startswith("{"):
        return tag
    uri, _, local = tag[1:].partition("}")
    prefix = _PREFIXES.get(uri)
    return f"{prefix}:{local}" if prefix else tag


class WxrExport:
    """One pass over an export: iterate for posts and failures in file order.

    ``bytes_read`` is how far reading has got, for a progress bar. ``skipped`` counts the items that are not posts by reason
    ("an attachment, not a post": 12), for the summary.
    """

    def __init__(self, stream: BinaryIO, *, site_zone: tzinfo, owns_stream: bool) -> None:
        self._stream = stream
        self._owns_stream = owns_stream
        self._zone = site_zone
        self.bytes_read = 0
        self.skipped: Counter[str] = Counter()
        self._channel: dict[str, str] = {}
        self._authors: dict[str, ImportedAuthor] = {}
        self._depth = 0
        self._parent: Element | None = None
        self._items_seen = 0
        # The import keys of posts whose GUID is not what WordPress makes of their id, by that
        # id, for the revisions that follow them (at most _KEYS_MAX: memory stays bounded).
        self._keys: dict[str, str] = {}
        self._header_read = False
        self._entries = self._read()

    def __iter__(self) -> Iterator[ImportedPost | ItemFailure]:
        return self._entries

    def close(self) -> None:
        self._entries.close()
        if self._owns_stream:
            self._stream.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _read(self) -> Generator[ImportedPost | ItemFailure, None, None]:
        parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
        try:
            for chunk in self._chunks():
                parser.feed(chunk)
                yield from self._take_events(parser)
            parser.close()
            yield from self._take_events(parser)
            if not self._header_read:  # not even a channel
                self._end_header()
        except ParseError as error:
            line, column = error.position
            raise InvalidInput(
                f"The export breaks off or is damaged at line {line}, column {column} "
                f"({expat_errors.messages[error.code]}): it is not well-formed XML. "
                "The items before that point were read."
            ) from None

    def _chunks(self) -> Iterator[bytes]:
        strip_controls: bool | None = None
        while chunk := self._stream.read(_CHUNK_BYTES):
            self.bytes_read += len(chunk)
            if strip_controls is None:
                # UTF-16 and UTF-32 files have NUL bytes in their first character; those are
                # not what WordPress writes, and are left as they are.
                strip_controls = b"\x00" not in chunk[:4]
            yield chunk.translate(None, _CONTROL_BYTES) if strip_controls else chunk

    def _take_events(
        self, parser: "XMLPullParser[Element]"
    ) -> Iterator[ImportedPost | ItemFailure]:
        # Only start and end events were asked for: each comes with its element.
        events = cast("Iterator[tuple[str, Element]]", parser.read_events())
        for event, element in events:
            if event == "start":
                self._depth += 1
                if self._depth == 1 and element.tag != "rss":
                    raise InvalidInput(
                        f"This is not a WordPress export: its root element is <{element.tag}>, "
                        "not <rss>."
                    )
                if self._depth == 2:
                    self._parent = element
                elif self._depth == 3 and element.tag == "item" and not self._header_read:
                    self._end_header()
                continue
            if self._depth == 3 and self._parent is not None:
                entry = self._channel_child(element) if self._parent.tag == "channel" else None
                # Each child is dropped once read: the tree never holds more than one item.
                del self._parent[:]
                if entry is not None:
                    yield entry
            elif self._depth == 2 and not self._header_read:  # a channel without items
                self._end_header()
            self._depth -= 1

    def _end_header(self) -> None:
        if not self._channel.get("wp:wxr_version"):
            raise InvalidInput(
                "This is not a WordPress export: its channel has no wp:wxr_version (a plain "
                "RSS feed?). WordPress writes one with Tools → Export."
            )
        self._header_read = True

    def _channel_child(self, element: Element) -> ImportedPost | ItemFailure | None:
        name = _name(element.tag)
        if name == "item":
            self._items_seen += 1
            return self._item(element)
        if name == "wp:author":
            author = _author(element)
            if author is not None:
                self._authors[author.login] = author
        elif name in _CHANNEL_FIELDS:
            self._channel[name] = (element.text or "").strip()
        return None

    # One item.

    def _item(self, element: Element) -> ImportedPost | ItemFailure | None:
        item = _item_values(element)
        post_id = item.value("wp:post_id")
        position = f"item {self._items_seen}" + (f" (post {post_id})" if post_id else "")
        try:
            return self._post(item, position, post_id)
        except _BadItem as bad:
            return ItemFailure(position=position, reason=str(bad))

    def _post(self, item: _Item, position: str, post_id: str) -> ImportedPost | None:
        post_type = item.value("wp:post_type")
        if not post_type:
            raise _BadItem("it has no wp:post_type, so it is no item of a WordPress export")
        if post_type == "revision":
            return self._revision(item, position)
        if post_type != "post":
            self.skipped[_SKIPPED_TYPES.get(post_type, f"post type {post_type}, not a post")] += 1
            return None
        wp_status = item.value("wp:status")
        if wp_status in _SKIPPED_STATUSES:
            self.skipped[_SKIPPED_STATUSES[wp_status]] += 1
            return None
        if post_id and not (post_id.isascii() and post_id.isdigit()):
            raise _BadItem(f"its wp:post_id {post_id[:40]!r} is not a number")
        password = item.value("wp:post_password")
        status = _status(wp_status, password=password)
        trashed_from = trashed_at = None
        if status is PostStatus.trashed:
            # Dated as the post was before it went to the trash.
            wp_status = item.meta.get(_TRASH_STATUS, "")
            if _STATUSES.get(wp_status, PostStatus.trashed) is PostStatus.trashed:
                wp_status = "draft"  # not noted, or nothing a post goes back to
            trashed_from = PostStatus.draft if password else _STATUSES[wp_status]
            trashed_at = _trash_time(item)
        published_at, created_at = self._dates(item, wp_status)
        content = item.value("content:encoded")
        if (too_long := refusal(content)) is not None:
            raise _BadItem(too_long)
        title = _plain_field(item, "title", _TITLE_SOURCE_MAX)
        body, original_url, credit = body_and_origin(content)
        if not title and not body:
            raise _BadItem("it has neither a title nor a text")
        login = item.value("dc:creator")
        import_key = item.value("guid") or self._fallback_key(post_id)
        if (
            post_id
            and import_key
            and import_key != self._fallback_key(post_id)
            and len(self._keys) < _KEYS_MAX
        ):
            self._keys[post_id] = import_key
        return ImportedPost(
            position=position,
            title=title,
            body=body,
            status=status,
            published_at=published_at,
            import_key=import_key,
            slug=_slug(item, trashed=status is PostStatus.trashed),
            original_url=original_url,
            credit=credit,
            tags=item.tags,
            categories=item.categories,
            author=self._authors.get(login, ImportedAuthor(login)) if login else None,
            modified_at=_moment(item, "wp:post_modified_gmt", UTC)
            or _moment(item, "wp:post_modified", self._zone),
            created_at=created_at,
            excerpt=_plain_field(item, "excerpt:encoded", _EXCERPT_SOURCE_MAX) or None,
            trashed_from=trashed_from,
            trashed_at=trashed_at,
        )

    def _revision(self, item: _Item, position: str) -> ImportedPost | None:
        """An earlier state of a post the export listed before it (WordPress lists items by
        id, and a revision gets its id when it is saved, after its post's)."""
        parent_id = item.value("wp:post_parent")
        if not (parent_id.isascii() and parent_id.isdigit()) or parent_id == "0":
            raise _BadItem("a revision needs the wp:post_parent it is a revision of")
        parent = self._keys.get(parent_id) or self._fallback_key(parent_id)
        saved = _moment(item, "wp:post_date_gmt", UTC) or _moment(item, "wp:post_date", self._zone)
        if saved is None:
            raise _BadItem("a revision needs a date, and wp:post_date is empty")
        content = item.value("content:encoded")
        if (too_long := refusal(content)) is not None:
            raise _BadItem(too_long)
        body, _original_url, _credit = body_and_origin(content)
        return ImportedPost(
            position=position,
            title=_plain_field(item, "title", _TITLE_SOURCE_MAX),
            body=body,
            status=PostStatus.draft,
            published_at=None,
            created_at=saved,
            excerpt=_plain_field(item, "excerpt:encoded", _EXCERPT_SOURCE_MAX) or None,
            revision_of=parent,
        )

    def _dates(self, item: _Item, wp_status: str) -> tuple[datetime | None, datetime | None]:
        """When the post is (to be) published, and when an undated draft was written."""
        published_at = _moment(item, "wp:post_date_gmt", UTC)
        if published_at is not None:
            return published_at, None
        local = _moment(item, "wp:post_date", self._zone)
        if wp_status in _UNDATED_STATUSES:
            return None, local
        if local is None:
            raise _BadItem(f"a {wp_status} post needs a date, and wp:post_date is empty")
        return local, None

    def _fallback_key(self, post_id: str) -> str | None:
        # What WordPress itself writes as the GUID of a new post.
        return f"{self._site_url() or ''}/?p={post_id}" if post_id else None

    def _site_url(self) -> str | None:
        for name in ("link", "wp:base_blog_url", "wp:base_site_url"):
            if url := self._channel.get(name, "").rstrip("/"):
                return url
        return None


def read_wxr(source: str | os.PathLike[str] | BinaryIO, *, site_zone: tzinfo) -> WxrExport:
    """An export to read once, from a path or a binary stream (left open unless a path).

    ``site_zone`` is the blog's time zone: WordPress writes some dates in local time only.
    """
    if isinstance(source, str | os.PathLike):
        return WxrExport(open(source, "rb"), site_zone=site_zone, owns_stream=True)
    return WxrExport(source, site_zone=site_zone, owns_stream=False)


def _item_values(element: Element) -> _Item:
    item = _Item()
    for child in element:
        name = _name(child.tag)
        if name == "category":
            domain = child.get("domain", "category")
            if domain == "category":
                names = item.categories
            elif domain in _TAG_DOMAINS:
                names = item.tags
            else:
                continue  # post formats and custom taxonomies
            label = " ".join(html.unescape(child.text or "").split())
            if label and label not in names:
                names.append(label)
        elif name == "wp:postmeta":
            values = {_name(part.tag): (part.text or "").strip() for part in child}
            key = values.get("wp:meta_key", "")
            if key in _POSTMETA_KEYS and key not in item.meta:
                item.meta[key] = values.get("wp:meta_value", "")
        elif name not in item.values:
            item.values[name] = child.text or ""
    return item


def _slug(item: _Item, *, trashed: bool) -> str | None:
    slug = unquote(item.value("wp:post_name"))
    if trashed and slug.endswith(_TRASHED_SLUG):
        slug = slug[: -len(_TRASHED_SLUG)]
    return slug or None


def _trash_time(item: _Item) -> datetime | None:
    """When WordPress moved the post to the trash, if it noted that."""
    text = item.meta.get(_TRASH_TIME, "")
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= _TRASH_TIME_DIGITS):
        raise _BadItem(f"its {_TRASH_TIME} {text[:40]!r} is not a Unix time")
    return datetime.fromtimestamp(int(text), UTC)


def _plain_field(item: _Item, name: str, limit: int) -> str:
    """A field as one line of plain text; _BadItem when it is longer than ``limit``."""
    text = item.value(name)
    if len(text) > limit:
        raise _BadItem(f"its {name} is {len(text):,} characters long, more than {limit:,}")
    return plain_line(text)


def _author(element: Element) -> ImportedAuthor | None:
    values = {_name(child.tag): (child.text or "").strip() for child in element}
    login = values.get("wp:author_login")
    if not login:
        return None
    return ImportedAuthor(login=login, display_name=values.get("wp:author_display_name") or None)


def _status(wp_status: str, *, password: str) -> PostStatus:
    status = _STATUSES.get(wp_status)
    if status is None:
        raise _BadItem(
            f"its status {wp_status[:40]!r} is unknown: publish, future, draft, pending, "
            "private and trash are imported"
        )
    # Presseschau has no password-protected posts: publishing one would show it to everyone.
    if password and status is not PostStatus.trashed:
        return PostStatus.draft
    return status


def _moment(item: _Item, name: str, zone: tzinfo) -> datetime | None:
    """A WordPress date ("2022-01-10 08:15:00") in ``zone``, in UTC; None when not set."""
    text = item.value(name)
    if not text or text == _NO_DATE:
        return None
    try:
        moment = datetime.fromisoformat(text)
        return as_aware(moment, zone).astimezone(UTC)
    except (ValueError, OverflowError):  # overflow: year 1 or 9999 moved across midnight
        raise _BadItem(f"its {name} {text[:40]!r} is not a date") from None
