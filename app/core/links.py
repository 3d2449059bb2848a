"""Absolute links to the site's pages: its public URL and the template of a post's address.

A headless API does not know where its frontend shows a post; the frontend says so once, in
``PRESSESCHAU_POST_LINK_TEMPLATE``, and feeds give every post's link from it. The template is
checked when the settings are read, so a typo stops the server at start-up rather than
shipping broken links to every feed reader.
"""

from datetime import date
from string import Formatter
from typing import NamedTuple
from urllib.parse import quote, urlsplit

# Each placeholder a template may use, and what it stands for.
LINK_PLACEHOLDERS = {
    "public_url": "the site's public URL, without a trailing slash",
    "yyyy": "the year of the post's site-local day, four digits",
    "mm": "its month, two digits",
    "dd": "its day of the month, two digits",
    "slug": "the post's slug",
    "id": "the post's id",
}
DEFAULT_POST_LINK_TEMPLATE = "{public_url}/{yyyy}/{mm}/{dd}/{slug}/"
_EXAMPLE_URL = "https://example.org"


def check_public_url(value: str) -> str:
    """An absolute http(s) URL without query or fragment, without its trailing slash; or ""
    (unset)."""
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"public URL {value!r} is not an absolute http or https URL")
    if parts.query or parts.fragment:
        raise ValueError(f"public URL {value!r} must not have a query or fragment")
    return value.rstrip("/")


def check_link_template(value: str) -> str:
    """A template of known placeholders only (no conversions or format specs), which makes
    an absolute http(s) URL."""
    value = value.strip()
    try:
        fields = [
            (name, conversion, spec)
            for _, name, spec, conversion in Formatter().parse(value)
            if name is not None
        ]
    except ValueError as exc:  # an unmatched brace
        raise ValueError(f"post link template {value!r}: {exc}") from exc
    for name, conversion, spec in fields:
        if name not in LINK_PLACEHOLDERS:
            known = ", ".join("{" + known + "}" for known in LINK_PLACEHOLDERS)
            raise ValueError(
                f"post link template {value!r}: unknown placeholder {{{name}}}; known: {known}"
            )
        if conversion or spec:
            raise ValueError(f"post link template {value!r}: write {{{name}}} plainly")
    example = PostLinks(value, _EXAMPLE_URL).link(1, "a-post", date(2022, 1, 10))
    parts = urlsplit(example)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"post link template {value!r} does not make an absolute http or https URL "
            "(start it with {public_url} or https://)"
        )
    return value


class PostLinks(NamedTuple):
    """The links of one site: its template and its public URL (the configured one, or the
    base URL a request came to)."""

    template: str
    public_url: str

    def link(self, post_id: int, slug: str, day: date | None) -> str:
        # A published post always has its day; a date-less one would only come from a bug,
        # and a link without its date parts still names the post by slug.
        return self.template.format(
            public_url=self.public_url,
            yyyy=f"{day.year:04d}" if day else "",
            mm=f"{day.month:02d}" if day else "",
            dd=f"{day.day:02d}" if day else "",
            slug=quote(slug, safe=""),
            id=post_id,
        )

    @property
    def home(self) -> str:
        return self.public_url + "/"
