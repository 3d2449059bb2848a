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


def _deepened(unit: str) -> Callable[[int], str]:
    """``unit`` over half the length, then rules: each rule makes the HTML parser look through
    all the elements the units left open (to close a paragraph), so if the units nest, the
    rules cost in proportion to that depth."""

    def make(length: int) -> str:
        units = unit * (length // 2 // len(unit))  # whole units: no quote left open
        return units + _repeated("<hr>")(length - len(units))

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
    # End tags the HTML tokenizer never sees, which an estimate of the nesting must not count.
    "end tags in processing instructions": _deepened("<ol><?</ol>"),
    "end tags in bogus end tags": _deepened("<ol></1</ol>"),
    "end tags in bogus comments": _deepened("<ol><!x</ol>"),
    "end tags in comments": _deepened("<ol><!--</ol>-->"),
    "end tags in quoted attributes": _deepened("<ol a='></ol>'>"),
    "end tags in double-quoted attributes": _deepened('<ol a="></ol>">'),
    "end tags in end tags' attributes": _deepened("<ol></x a='></ol>'>"),
    "end tags in doctypes": _deepened("<ol><!DOCTYPE </ol>>"),
    "end tags in character data": _deepened("<ol><![CDATA[</ol>]]>"),
    "end tags in text areas": _deepened("<ol><textarea></ol></textarea>"),
    "end tags in titles": _deepened("<ol><title></ol></title>"),
    "end tags in scripts": _deepened("<ol><script></ol></script>"),
    "end tags in escaped scripts": _deepened("<ol><script><!--<script></script></ol></script>"),
    "end tags in styles": _deepened("<ol><style></ol></style>"),
    "end tags in xmp": _deepened("<ol><xmp></ol></xmp>"),
    "end tags in iframes": _deepened("<ol><iframe></ol></iframe>"),
    "end tags in noembed": _deepened("<ol><noembed></ol></noembed>"),
    "end tags in noframes": _deepened("<ol><noframes></ol></noframes>"),
    "end tags in noscript": _deepened("<ol><noscript></ol></noscript>"),
    "end tags in selects": _deepened("<ol><select></ol></select>"),
    "end tags in templates": _deepened("<ol><template></ol></template>"),
    "end tags in tables": _deepened("<ol><table></ol></table>"),
    "end tags in svg": _deepened("<ol><svg></ol></svg>"),
    "end tags in svg styles": _deepened("<svg><style><ol><x y='</style></ol></svg>'>"),
    "end tags in math": _deepened("<ol><math><mi></ol></math>"),
    "styles in selects": _deepened("<select><style></select><ol>"),
    "options around formatting": _deepened("<option><em>"),
    "cells outside tables": _deepened("<rp><td>"),
    "rows outside tables": _deepened("<tr><rp></h1>"),
    "formatting reopened in links": _deepened("<a><em></a>"),
    "plain text": _deepened("<ol><plaintext></ol>"),
    "formatting with attributes": _deepened("<b a='></b>'><i class=x>"),
    "unclosed quotes": _deepened("<ol><a title='"),
    "raw text closed in other case": _deepened("<ol><TEXTAREA></ol></TextArea\t>"),
    "raw text not closed by a longer name": _deepened("<ol><textarea></textareax></ol></textarea>"),
}


def corpus(length: int) -> dict[str, str]:
    """Every shape at ``length`` characters."""
    return {name: make(length) for name, make in SHAPES.items()}
