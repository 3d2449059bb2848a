"""A post's HTML as WordPress stores it, read as a body and its origin.

Block-editor comments go; paragraphs are ``<p>`` and other blocks as well as blank-line
separated text (the classic editor); a link-only paragraph at either end is the original
article's link, by the rules of ``take_origin``.
"""

import html
import re

from app.importers.body import take_origin

_EDITOR_COMMENT = re.compile(r"<!--\s*(?:/?wp:|more\b|nextpage\b|noteaser\b).*?-->", re.DOTALL)
_BLOCK = r"(?:p|h[1-6]|ul|ol|blockquote|figure|pre|table|div)"
_BLOCK_AFTER_BLOCK = re.compile(rf"(</{_BLOCK}>)[ \t]*\n?[ \t]*(?=<{_BLOCK}\b)", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_CONTENT_BLOCK = re.compile(r"^<(?:h[1-6]|ul|ol|blockquote|figure|pre|table|div)\b", re.IGNORECASE)
_ANCHOR = re.compile(r"""<a\s[^>]*?\bhref\s*=\s*(["'])(.*?)\1[^>]*>(.*?)</a\s*>""", re.I | re.S)
_LINE_BREAK = re.compile(r"<br\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_URL_LABEL = re.compile(r"^(?:https?://|www\.)\S+$")


def body_and_origin(content: str) -> tuple[str, str | None, str | None]:
    """A post's HTML as (body, original URL, credit), by the rules of ``take_origin``.

    Paragraphs are ``<p>`` and other blocks as well as blank-line separated text (the classic
    editor); the ones kept stay as they were, joined with blank lines.
    """
    paragraphs = _paragraphs(_EDITOR_COMMENT.sub("", content))
    forms = [_origin_form(paragraph) or paragraph for paragraph in paragraphs]
    origin = take_origin(forms)
    body = "\n\n".join(paragraphs[origin.kept])
    # The app's own rule for plain text: no markup, not even markup hidden in entities.
    # The paragraphs take_origin read were plain text already (see _origin_form).
    return body, origin.original_url, origin.credit


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

    def link(anchor: re.Match[str]) -> str:
        label = _plain(anchor[3])
        # The address, not its label, which may be shortened ("globaltimes.cn/page/20…").
        if _URL_LABEL.match(label):
            return anchor[2]
        return f"{anchor[3]} {anchor[2]}" if label == whole else anchor[3]

    linked, links = _ANCHOR.subn(link, paragraph)
    return _plain(linked) if links else whole


def _plain(fragment: str) -> str:
    text = _TAG.sub("", _LINE_BREAK.sub(" ", fragment))
    return " ".join(html.unescape(text).split())
