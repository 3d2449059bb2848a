"""Markdown to safe HTML, and markup out of plain text: with app.core.markdown, which this
sanitises, the only places HTML is made."""

import html
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import nh3

from app.core.markdown import markdown_to_html
from app.core.nesting import MAX_NESTING, nests_deeper_than

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


class TooDeeplyNested(ValueError):
    """HTML nested deeper than ``MAX_NESTING``, which the sanitiser would take quadratic time
    over."""

    def __init__(self) -> None:
        super().__init__(
            f"nests block quotes, lists or HTML elements more than {MAX_NESTING} levels deep"
        )


def sanitize_html(fragment: str) -> str:
    """``fragment`` with only safe markup left; ``TooDeeplyNested`` when it nests too deep."""
    if nests_deeper_than(fragment, MAX_NESTING):
        raise TooDeeplyNested
    return nh3.clean(
        fragment,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=_embed_filter,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str, *, strict: bool = False) -> str:
    """Markdown (with any inline HTML) to HTML that is safe to insert into a page as it is.

    Markdown nested too deep raises ``TooDeeplyNested`` when ``strict`` (a writer is told);
    otherwise (a post stored or exported before the limit) its text is shown as it is."""
    try:
        return sanitize_html(markdown_to_html(text))
    except TooDeeplyNested:
        if strict:
            raise
        return "".join(f"<p>{html.escape(block)}</p>\n" for block in text.split("\n\n"))


# Text without these comes out of nh3 as it went in (once decoded): a further round would
# change nothing. (Carriage returns and NULs are what the HTML parser itself rewrites.)
_NOTHING_TO_CLEAN = re.compile(r"[<&\r\x00]")


def strip_tags(text: str) -> str:
    """Plain text with every tag removed, also tags hidden behind entities (``&lt;b&gt;``).

    Repeats until a further round could change nothing, so decoding the result never yields
    markup again.
    """
    if _NOTHING_TO_CLEAN.search(text) is None:
        return text  # most titles and names: nothing nh3 would change
    for _ in range(10):
        stripped = html.unescape(_without_tags(text))
        if stripped == text or _NOTHING_TO_CLEAN.search(stripped) is None:
            return stripped
        text = stripped
    return text


def _without_tags(text: str) -> str:
    """``text`` without its tags (and the content of scripts and styles), still escaped."""
    if not nests_deeper_than(text, MAX_NESTING):
        return nh3.clean(text, tags=set(), clean_content_tags={"script", "style"})
    # Too deep for the sanitiser in linear time: every "<" to the next ">" goes, and any "<"
    # left with it. (Text nested that deep is no one's title; it only must come out harmless.)
    kept = []
    position = 0
    while (start := text.find("<", position)) >= 0:
        kept.append(text[position:start])
        end = text.find(">", start)
        if end < 0:
            position = len(text)
            break
        position = end + 1
    kept.append(text[position:])
    return html.escape("".join(kept), quote=False)


_LINK_ONLY_LINE = re.compile(
    r"^\s*(?:Weiterlesen|VIDEO|(?:VIDEO\s*)?https?://\S+)\s*$", re.IGNORECASE
)
# nh3 escapes "<" and ">" in text and in attribute values alike, and keeps no comments: in
# its output, every "<" opens a tag and the next ">" ends it.
_SANITIZED_TAG = re.compile(r"<[^>]*>")


def make_excerpt(body: str, *, limit: int = 280, rendered: str | None = None) -> str:
    """The first words of a body as plain text, without link-only lines, cut at a word.

    ``rendered`` is ``render_markdown(body)`` when the caller has it: a body without
    link-only lines is not rendered a second time (rendering is most of a write's work).
    Otherwise only its first paragraphs are rendered, as long as they give enough text."""
    lines = body.splitlines()
    kept = [line for line in lines if not _LINK_ONLY_LINE.match(line)]
    if rendered is not None and len(kept) == len(lines):
        whole = rendered
        return _first_words(_leading_html(rendered, enough=4 * limit), lambda: whole, limit)
    leading = _leading(kept, enough=4 * limit)
    start = None if leading is None else render_markdown("\n".join(leading))
    return _first_words(start, lambda: render_markdown("\n".join(kept)), limit)


def plain_text(rendered: str, limit: int) -> str:
    """The text of the first ``limit`` characters of sanitised HTML (a tag cut there is left
    out), its white space folded."""
    head = rendered[:limit]
    opened = head.rfind("<")
    if opened > head.rfind(">"):
        head = head[:opened]
    return _plain(head)


def _plain(rendered: str) -> str:
    """The text of sanitised HTML, its white space folded: what ``strip_tags`` makes of it,
    without parsing the HTML again where its tags can simply be cut out."""
    text = html.unescape(_SANITIZED_TAG.sub("", rendered))
    if _NOTHING_TO_CLEAN.search(text) is not None:
        text = strip_tags(text)  # markup written as entities, or an iframe's raw text
    return " ".join(text.split())


def _plain_start(rendered: str, limit: int) -> str:
    """``_plain(rendered)``, or its start when that is longer than ``limit``: of a long body
    without blocks to cut at (200,000 ampersands), the text of ever longer starts is taken
    until it is long enough, not the whole of it, which costs a second."""
    size = 16 * limit
    while size < len(rendered):
        start = rendered[:size]
        # A start ends before a tag or an entity it would cut in two.
        tag = start.rfind("<")
        if tag >= 0 and start.find(">", tag) < 0:
            start = start[:tag]
        entity = start.rfind("&", len(start) - 32)
        if entity >= 0 and start.find(";", entity) < 0:
            start = start[:entity]
        text = _plain(start)
        if len(text) > limit + 1:  # the word cut in two at its end is left off in any case
            return text[: limit + 1]
        size *= 4
    return _plain(rendered)


def _first_words(start: str | None, whole: Callable[[], str], limit: int) -> str:
    """The first words of the rendered ``start`` when its text is longer than ``limit``, or
    else of the ``whole`` rendered body."""
    text = "" if start is None else _plain_start(start, limit)
    if len(text) <= limit:
        text = _plain_start(whole(), limit)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:–-")
    return f"{cut} …"


# The end of a block in rendered HTML: what comes after it adds text only after its text.
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|ul|ol|blockquote|pre|figure)>\n")


def _leading_html(rendered: str, *, enough: int) -> str | None:
    """The rendered blocks up to the first to end after ``enough`` characters, or None when
    that is all of them."""
    end = _BLOCK_END.search(rendered, enough)
    return rendered[: end.end()] if end is not None and end.end() < len(rendered) else None


# A link reference definition, which text before it may use.
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:")
# Blocks that go on over blank lines: code fences, and raw HTML that ends only at its closing
# tag (CommonMark's HTML blocks 1 to 5).
_SPANS_BLANK_LINES = re.compile(
    r"^ {0,3}(?:```|~~~|<(?:pre|script|style|textarea)\b|<!--|<\?|<![A-Za-z]|<!\[CDATA\[)",
    re.IGNORECASE,
)


def _leading(lines: list[str], *, enough: int) -> list[str] | None:
    """The first blocks of ``lines`` (cut at a blank line after ``enough`` characters), with
    every link reference definition after them; None when that would be all of them, or
    when a block before the cut may go on over blank lines.

    Blocks render the same without the ones after them, except for references to links
    defined later, which is why the definitions come along."""
    size = 0
    for index, line in enumerate(lines):
        if _SPANS_BLANK_LINES.match(line):
            return None
        size += len(line) + 1
        if size >= enough and not line.strip():
            later = [line for line in lines[index:] if _REFERENCE.match(line)]
            return [*lines[:index], "", *later]
    return None
