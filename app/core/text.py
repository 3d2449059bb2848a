"""Text handling shared by every domain: input hygiene, slugs, Markdown and excerpts."""

import html
import re
from typing import Annotated

import nh3
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from pydantic import AfterValidator, StringConstraints
from slugify import slugify as _slugify

# German transliteration first, so "Führung" becomes "fuehrung", not "fuhrung".
_GERMAN = [
    ["Ä", "Ae"],
    ["Ö", "Oe"],
    ["Ü", "Ue"],
    ["ä", "ae"],
    ["ö", "oe"],
    ["ü", "ue"],
    ["ß", "ss"],
]
SLUG_MAX_LENGTH = 200
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _check_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode (no lone surrogates)") from exc
    return value


def _strip_text(value: str) -> str:
    return _check_text(value).strip()


def _not_a_number(value: str) -> str:
    if value.isdigit():
        raise ValueError("must contain a letter; numbers in URLs are ids")
    return value


CleanText = Annotated[str, AfterValidator(_check_text)]
"""Any text stored as given: no NUL bytes, no lone surrogates (neither survives storage)."""

Line = Annotated[str, AfterValidator(_strip_text)]
"""A one-line value with surrounding white space removed."""

Slug = Annotated[
    str,
    StringConstraints(min_length=1, max_length=SLUG_MAX_LENGTH, pattern=SLUG_PATTERN),
    AfterValidator(_not_a_number),
]
"""Lower-case letters, digits and single hyphens, not only digits."""


def slugify(text: str, *, max_length: int = SLUG_MAX_LENGTH) -> str:
    return _slugify(text, replacements=_GERMAN, max_length=max_length, word_boundary=True)


_markdown = MarkdownIt("commonmark", {"linkify": True, "html": False, "typographer": False})
_markdown.linkify = LinkifyIt()
_markdown.enable(["linkify"])

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "strong", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}


def render_markdown(text: str) -> str:
    """Markdown to HTML that is safe to insert into a page as it is."""
    rendered = _markdown.render(text)
    return nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


_LINK_ONLY_LINE = re.compile(
    r"^\s*(?:Weiterlesen|VIDEO|(?:VIDEO\s*)?https?://\S+)\s*$", re.IGNORECASE
)
_WHITESPACE = re.compile(r"\s+")


def plain_text(body_html: str) -> str:
    return html.unescape(nh3.clean(body_html, tags=set()))


def make_excerpt(body: str, *, limit: int = 280) -> str:
    """The first words of a body, without link-only lines, cut at a word boundary."""
    lines = [line for line in body.splitlines() if not _LINK_ONLY_LINE.match(line)]
    text = _WHITESPACE.sub(" ", plain_text(render_markdown("\n".join(lines)))).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:–-")
    return f"{cut} …"
