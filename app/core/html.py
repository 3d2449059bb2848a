"""Markdown to safe HTML, and markup out of plain text: the only places HTML is made."""

import html
import re
from urllib.parse import urlsplit

import nh3
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt

# Raw HTML in Markdown is allowed through the renderer (imported WordPress posts carry it);
# everything the renderer produces then goes through the nh3 allow-list below.
_markdown = MarkdownIt("commonmark", {"linkify": True, "html": True, "typographer": False})
_markdown.linkify = LinkifyIt()
_markdown.enable(["linkify"])

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "figcaption", "figure", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "iframe", "img", "li", "ol", "p", "pre", "s", "strong",
    "sub", "sup", "u", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "iframe": {"src", "title", "width", "height", "allowfullscreen"},
}
VIDEO_EMBED_HOSTS = frozenset(
    {
        "www.youtube.com",
        "www.youtube-nocookie.com",
        "youtube.com",
        "player.vimeo.com",
        "www.facebook.com",
        "www.dailymotion.com",
        "rumble.com",
        "odysee.com",
    }
)
_URL_SCHEMES = {"http", "https", "mailto"}


def _embed_filter(tag: str, attribute: str, value: str) -> str | None:
    """Iframes keep a source only when it is an https video player on an allowed host."""
    if tag == "iframe" and attribute == "src":
        url = urlsplit(value)
        if url.scheme != "https" or url.hostname not in VIDEO_EMBED_HOSTS:
            return None
    return value


def sanitize_html(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=_embed_filter,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> str:
    """Markdown (with any inline HTML) to HTML that is safe to insert into a page as it is."""
    return sanitize_html(_markdown.render(text))


def strip_tags(text: str) -> str:
    """Plain text with every tag removed, also tags hidden behind entities (``&lt;b&gt;``).

    Repeats until nothing changes, so decoding the result never yields markup again.
    """
    for _ in range(10):
        stripped = html.unescape(
            nh3.clean(text, tags=set(), clean_content_tags={"script", "style"})
        )
        if stripped == text:
            break
        text = stripped
    return text


_LINK_ONLY_LINE = re.compile(
    r"^\s*(?:Weiterlesen|VIDEO|(?:VIDEO\s*)?https?://\S+)\s*$", re.IGNORECASE
)
_WHITESPACE = re.compile(r"\s+")


def make_excerpt(body: str, *, limit: int = 280, rendered: str | None = None) -> str:
    """The first words of a body as plain text, without link-only lines, cut at a word.

    ``rendered`` is ``render_markdown(body)`` when the caller has it: a body without
    link-only lines is not rendered a second time (rendering is most of a write's work)."""
    lines = body.splitlines()
    kept = [line for line in lines if not _LINK_ONLY_LINE.match(line)]
    if rendered is None or len(kept) < len(lines):
        rendered = render_markdown("\n".join(kept))
    text = _WHITESPACE.sub(" ", strip_tags(rendered)).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:–-")
    return f"{cut} …"
