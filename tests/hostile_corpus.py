"""Hostile text: runs of what makes parsers, sanitisers and renderers work hard, at any size.

Each shape is a unit repeated (or a pattern grown) to exactly the length asked for, so a field
gets as much of it as its limit allows. Used by tests/test_hostile_input.py and bench/hostile.py.
"""

import itertools
from collections.abc import Callable, Iterator


def _repeated(unit: str) -> Callable[[int], str]:
    def make(length: int) -> str:
        return (unit * (length // len(unit) + 1))[:length]

    return make


def _grown(parts: Callable[[], Iterator[str]]) -> Callable[[int], str]:
    """A shape whose units differ (deeper indentation, other attributes)."""

    def make(length: int) -> str:
        pieces, size = [], 0
        for part in parts():
            if size >= length:
                break
            pieces.append(part)
            size += len(part)
        return "".join(pieces)[:length]

    return make


def _indented_list() -> Iterator[str]:
    for depth in itertools.count():
        yield "  " * depth + "- x\n"


def _distinct_formatting() -> Iterator[str]:
    for number in itertools.count():
        yield f"<b id={number}>"


def _formatting_reopened() -> Iterator[str]:
    for number in itertools.count():
        yield f"<p><b id={number}>x</p>y"


SHAPES: dict[str, Callable[[int], str]] = {
    "nested quotes": _repeated(">"),
    "spaced quotes": _repeated("> "),
    "quote lines": _repeated(">>>>>>>>>> x\n"),
    "nested lists": _repeated("- "),
    "ordered lists": _repeated("1. "),
    "indented lists": _grown(_indented_list),
    "emphasis": _repeated("*a "),
    "stars": _repeated("*"),
    "underscores": _repeated("_a_"),
    "strong": _repeated("**a"),
    "brackets": _repeated("["),
    "closing brackets": _repeated("]"),
    "links": _repeated("[a]("),
    "images": _repeated("![a]("),
    "link definitions": _repeated("[a]: <"),
    "autolinks": _repeated("www.a"),
    "backticks": _repeated("`"),
    "div tags": _repeated("<div>"),
    "self-closing divs": _repeated("<div/>"),
    "list tags": _repeated("<ul><li>"),
    "quote tags": _repeated("<blockquote>\n"),
    "distinct formatting tags": _grown(_distinct_formatting),
    "formatting reopened": _grown(_formatting_reopened),
    "divs in objects": _repeated("<div><object></div>"),
    "unclosed attributes": _repeated('<a href="x" '),
    "less-than signs": _repeated("<"),
    "comments": _repeated("<!--"),
    "entities": _repeated("&amp;"),
    "escaped tags": _repeated("&lt;div&gt;"),
    "numeric entities": _repeated("&#60;div&#62;"),
    "ampersands": _repeated("&"),
    "mixed": _repeated("> - <div>*[&lt;"),
}


def corpus(length: int) -> dict[str, str]:
    """Every shape at ``length`` characters."""
    return {name: make(length) for name, make in SHAPES.items()}
