"""Text as feeds carry it: what XML 1.0 cannot hold taken out, and a post's attribution."""

import re
from html import escape

from app.feeds.shape import FeedEntry

# The characters XML 1.0 forbids (§ 2.2): C0 controls but tab, line feed and carriage return,
# lone surrogates, U+FFFE and U+FFFF. Posts may hold them (only NUL is refused on input), and
# one of them makes a whole feed unreadable. A single character class: linear, no
# backtracking whatever the text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 does not allow."""
    return _NOT_XML.sub("", value)


def content_html(entry: FeedEntry) -> str:
    """The post's HTML and, after it, where it comes from: the original article under its
    source's name, and the credit. A feed reader shows only the content, and a republished
    article must name its origin wherever it is shown."""
    post = entry.post
    parts = []
    name = post.source.name if post.source is not None else None
    if post.original_url:
        label = escape(name or post.original_url)
        parts.append(f'<a href="{escape(post.original_url)}">{label}</a>')
    elif name:
        parts.append(escape(name))
    if post.credit:
        parts.append(escape(post.credit))
    if not parts:
        return post.body_html
    return f"{post.body_html}\n<p>{' · '.join(parts)}</p>"
