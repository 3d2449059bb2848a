"""Where the words of a text are: one linear scan, shared by the analyzer and highlighting.

A word is a run of letters, digits and combining marks; two runs joined by one hyphen
(``Corona-Krise``) or one apostrophe (``China's``) are one word. A joiner at a word's edge
(``Wirtschafts- und``) is not part of it.
"""

import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from typing import NamedTuple

HYPHENS = frozenset("-\u2010\u2011")  # hyphen-minus, hyphen, non-breaking hyphen
APOSTROPHES = frozenset("'\u2019\u02bc")  # apostrophe, right single quote, modifier letter
JOINERS = HYPHENS | APOSTROPHES


class WordSpan(NamedTuple):
    start: int
    end: int


def _mark_ranges() -> str:
    """Every combining mark as a character class body. The marks lie below U+20000 but for
    the variation selectors supplement."""
    ranges: list[list[int]] = []
    for code in (*range(0x20000), *range(0xE0000, 0xE1000)):
        if unicodedata.category(chr(code))[0] == "M":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in ranges)


@cache
def _runs() -> re.Pattern[str]:
    # One character class under one quantifier: it cannot backtrack, and it runs at the
    # regular expression engine's full speed (an alternation per character is 50 times
    # slower). \w includes "_", which word_spans blanks out first. Built when first used
    # (some 30 ms), not when the module is imported.
    return re.compile(rf"[\w{_mark_ranges()}]+")


@cache
def _letter() -> re.Pattern[str]:
    # A letter or digit: one character class, searched at full speed (an alternation with
    # the marks' class is 20 times slower); marks are looked for on their own.
    return re.compile(r"[^\W_]")


@cache
def _mark() -> re.Pattern[str]:
    return re.compile(rf"[{_mark_ranges()}]")


@cache
def _words() -> re.Pattern[str]:
    # A word as word_spans reads it: runs joined by single joiners. The classes are disjoint,
    # so the match cannot backtrack; "_" is blanked out by the caller first.
    run = rf"[\w{_mark_ranges()}]+"
    return re.compile(rf"{run}(?:[{re.escape(''.join(sorted(JOINERS)))}]{run})*")


@cache
def _chains() -> re.Pattern[str]:
    # Letters, digits, marks and joiners: a word's furthest possible extent, in one match.
    return re.compile(rf"[\w{_mark_ranges()}{re.escape(''.join(sorted(JOINERS)))}]+")


def word_spans(text: str, start: int = 0, end: int | None = None) -> Iterator[WordSpan]:
    """The words of ``text[start:end]`` in order, as spans of ``text``."""
    stop = len(text) if end is None else end
    scanned = text
    if "_" in text[start:stop]:
        # "_" is no letter: blanked out of a copy, each character keeping its place.
        scanned = text[:stop].replace("_", " ")
    word_start = word_end = -1
    for run in _runs().finditer(scanned, start, stop):
        run_start, run_end = run.span()
        if word_start >= 0 and run_start == word_end + 1 and text[word_end] in JOINERS:
            word_end = run_end
            continue
        if word_start >= 0:
            yield WordSpan(word_start, word_end)
        word_start, word_end = run_start, run_end
    if word_start >= 0:
        yield WordSpan(word_start, word_end)


def word_from(text: str, start: int, longest: int) -> WordSpan | None:
    """The first word of ``text`` at or after ``start``. A word longer than ``longest``
    is not followed piece by piece: its span runs to the end of the letters, digits, marks
    and joiners it starts."""
    stop = min(len(text), start + longest + 1)
    if text.find("_", start, stop) < 0:
        found = _words().search(text, start, stop)
        offset = 0
    else:
        # "_" is no letter: blanked out of a copy of the piece looked at.
        found = _words().search(text[start:stop].replace("_", " "))
        offset = start
    if found is None:
        return None
    span = WordSpan(offset + found.start(), offset + found.end())
    if span.end - span.start <= longest:
        return span
    chain = _chains().match(text, span.start)
    end = chain.end() if chain else span.end
    while end > span.end and text[end - 1] in JOINERS:
        end -= 1
    return WordSpan(span.start, end)


def has_word(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds any letter, digit or mark."""
    return _letter().search(text, start, end) is not None or (
        _mark().search(text, start, end) is not None
    )


_JOINER = re.compile("[" + re.escape("".join(sorted(JOINERS))) + "]")
_HYPHEN = re.compile("[" + re.escape("".join(sorted(HYPHENS))) + "]")


def pieces(word: str) -> list[str]:
    """A word's pieces between its joiners (``Corona-Krise``: Corona, Krise)."""
    return _JOINER.split(word)


def hyphen_pieces(word: str) -> list[str]:
    """A word's pieces between its hyphens (``China's`` stays one)."""
    return _HYPHEN.split(word)
