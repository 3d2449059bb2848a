"""A post's HTML as WordPress stores it, read as a body and its origin.

Block-editor comments go; paragraphs are ``<p>`` and other blocks as well as blank-line
separated text (the classic editor); a link-only paragraph at either end is the original
article's link, by the rules of ``take_origin``.

Bodies come from files anyone may have written, so every step here is linear in the body's
length: comments, tags and links are found by scanning forward with ``str.find`` and
patterns that cannot backtrack, never by a pattern that retries from every ``<``.
"""

import html
import re

from app.importers.body import take_origin
from app.posts.models import BODY_MAX

# A post's HTML may be longer than the body it becomes (editor comments go), but not by more
# than this: a longer one is refused before it is read, so that one item costs little.
HTML_MAX = 2 * BODY_MAX

_EDITOR_COMMENT_START = re.compile(r"<!--\s*+(?:/?wp:|more\b|nextpage\b|noteaser\b)")
_BLOCK = r"(?:p|h[1-6]|ul|ol|blockquote|figure|pre|table|div)"
# Possessive: a run of blanks is taken once, never re-split when no block follows it.
_BLOCK_AFTER_BLOCK = re.compile(rf"(</{_BLOCK}>)[ \t]*+\n?[ \t]*+(?=<{_BLOCK}\b)", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n[ \t]*+\n")
_CONTENT_BLOCK = re.compile(r"^<(?:h[1-6]|ul|ol|blockquote|figure|pre|table|div)\b", re.IGNORECASE)
_ANCHOR_START = re.compile(r"<a\s", re.IGNORECASE)
_HREF = re.compile(r"""\bhref\s*+=\s*+(["'])""", re.IGNORECASE)
_ANCHOR_END = re.compile(r"</a\s*+>", re.IGNORECASE)
_LINE_BREAK = re.compile(r"<br\b", re.IGNORECASE)
_URL_LABEL = re.compile(r"^(?:https?://|www\.)\S+$")


def refusal(content: str) -> str | None:
    """Why a post's HTML is not read at all (it is too long), or None."""
    if len(content) > HTML_MAX:
        return f"its text is {len(content):,} characters long, more than {HTML_MAX:,}"
    return None


def body_and_origin(content: str) -> tuple[str, str | None, str | None]:
    """A post's HTML as (body, original URL, credit), by the rules of ``take_origin``.

    Paragraphs are ``<p>`` and other blocks as well as blank-line separated text (the classic
    editor); the ones kept stay as they were, joined with blank lines.
    """
    paragraphs = _paragraphs(_without_editor_comments(content))
    forms = [_origin_form(paragraph) or paragraph for paragraph in paragraphs]
    origin = take_origin(forms)
    body = "\n\n".join(paragraphs[origin.kept])
    # The app's own rule for plain text: no markup, not even markup hidden in entities.
    # The paragraphs take_origin read were plain text already (see _origin_form).
    return body, origin.original_url, origin.credit


def _without_editor_comments(content: str) -> str:
    """``content`` without the block editor's comments (``<!-- wp:… -->``, ``<!--more-->``).

    A comment runs to the first ``-->`` after it; one that never ends is left as it is, and so
    is everything after it, since no later comment can end either.
    """
    kept: list[str] = []
    at = 0
    while (found := _EDITOR_COMMENT_START.search(content, at)) is not None:
        end = content.find("-->", found.end())
        if end < 0:
            break
        kept.append(content[at : found.start()])
        at = end + 3
    kept.append(content[at:])
    return "".join(kept)


def _paragraphs(content: str) -> list[str]:
    text = content.replace("\r\n", "\n").replace("\r", "\n")
    # Blocks on adjacent lines, or on one line, are paragraphs of their own all the same.
    text = _BLOCK_AFTER_BLOCK.sub(r"\1\n\n", text)
    return [part.strip() for part in _BLANK_LINE.split(text) if part.strip()]


def _origin_form(paragraph: str) -> str:
    """A paragraph as ``take_origin`` reads it: plain text, where a link-only paragraph is its
    URL ("https://…") or its label and URL ("Weiterlesen https://…")."""
    if _CONTENT_BLOCK.match(paragraph):
        return ""  # figures, lists, quotes and embeds are content, never the origin line
    whole = _plain(paragraph)
    pieces: list[str] = []
    at = 0
    for start, end, href, label in _anchors(paragraph):
        shown = _plain(label)
        pieces.append(paragraph[at:start])
        # The address, not its label, which may be shortened ("globaltimes.cn/page/20…").
        if _URL_LABEL.match(shown):
            pieces.append(href)
        else:
            pieces.append(f"{label} {href}" if shown == whole else label)
        at = end
    if not pieces:
        return whole
    pieces.append(paragraph[at:])
    return _plain("".join(pieces))


def _anchors(fragment: str) -> list[tuple[int, int, str, str]]:
    """Each ``<a href="…">label</a>`` in ``fragment``: (start, end, address, label).

    One forward scan: the search for the next link starts where the last one ended, and stops
    for good when no tag end or closing ``</a>`` is left.
    """
    found: list[tuple[int, int, str, str]] = []
    # A quote character with no closing one left: links quoted with it are text from here on,
    # and the rest is not searched again for each of them.
    unclosed: set[str] = set()
    at = 0
    while (start := _ANCHOR_START.search(fragment, at)) is not None:
        tag_end = fragment.find(">", start.end())
        if tag_end < 0:
            break
        href = _HREF.search(fragment, start.end() - 1, tag_end)
        if href is None:
            at = tag_end + 1  # a link without an address (a named anchor) is text
            continue
        quote_end = -1 if href[1] in unclosed else fragment.find(href[1], href.end())
        if quote_end < 0:
            unclosed.add(href[1])
            at = tag_end + 1
            continue
        # The address may hold a ">": the tag ends after it.
        tag_end = fragment.find(">", quote_end + 1) if quote_end > tag_end else tag_end
        if tag_end < 0:
            break
        closing = _ANCHOR_END.search(fragment, tag_end + 1)
        if closing is None:
            break
        address = fragment[href.end() : quote_end]
        found.append(
            (start.start(), closing.end(), address, fragment[tag_end + 1 : closing.start()])
        )
        at = closing.end()
    return found


def _plain(fragment: str) -> str:
    """The text of an HTML fragment: tags out (a line break is a space), entities decoded."""
    pieces: list[str] = []
    at = 0
    while (start := fragment.find("<", at)) >= 0:
        end = fragment.find(">", start)
        if end < 0:
            break  # no tag can end after this: the rest is text
        pieces.append(fragment[at:start])
        if _LINE_BREAK.match(fragment, start):
            pieces.append(" ")
        at = end + 1
    pieces.append(fragment[at:])
    return " ".join(html.unescape("".join(pieces)).split())
