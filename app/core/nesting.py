"""How deep an HTML fragment may make an HTML parser's stack of open elements, in one pass.

html5ever (inside nh3) does work in proportion to the depth of its open elements for many
start tags (closing a paragraph "in scope", reconstructing formatting elements), so a
fragment of nested elements costs it quadratic time: 40,000 nested ``<div>`` take seconds.
Bounding the depth bounds that cost to linear. Predicting html5ever's tree exactly needs its
whole algorithm; this estimate errs on the side of counting too deep (an element it would close
implicitly may stay counted) and never counts shallower than the parser nests, so a fragment
estimated within the limit is one the parser handles in linear time.
"""

import re
from collections import Counter
from collections.abc import Iterator

MAX_NESTING = 100
"""Elements (block quotes, lists, HTML tags) that a body may nest in one another."""


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A tag, up to the first ">" (as the parser ends it, but for quoted attribute values).
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:_-]*)([^>]*)>")
_VOID = _names(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param "
    "source track wbr"
)
# The HTML standard's "special" elements: a generic end tag stops at them.
_SPECIAL = _names(
    "address applet area article aside base basefont bgsound blockquote body br button caption "
    "center col colgroup dd details dir div dl dt embed fieldset figcaption figure footer form "
    "frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe img input keygen li "
    "link listing main marquee menu meta nav noembed noframes noscript object ol p param "
    "plaintext pre script search section select source style summary table tbody td template "
    "textarea tfoot th thead title tr track ul wbr xmp mi mo mn ms mtext annotation-xml "
    "foreignobject desc"
)
# Elements that end a scope: an end tag for a block element stops at them.
_SCOPE = _names(
    "applet caption html table td th marquee object template mi mo mn ms mtext annotation-xml "
    "foreignobject desc title"
)
# End tags that close their element through any non-scope element above it.
_BLOCK_ENDS = _names(
    "address article aside blockquote button center details dialog dir div dl fieldset "
    "figcaption figure footer header hgroup listing main menu nav ol pre search section "
    "summary ul"
)
# A start tag that ends an open sibling of these names, found among the few current nodes
# (through non-special elements and paragraphs, as the parser looks for it).
_SIBLINGS = {
    "p": {"p"}, "li": {"li"}, "dd": {"dd", "dt"}, "dt": {"dd", "dt"},
    "option": {"option"}, "tr": {"tr"}, "td": {"td", "th"}, "th": {"td", "th"},
}  # fmt: skip
# Formatting elements the parser may open again (reconstruct) after closing them implicitly;
# it keeps at most three alike ones for that.
_FORMATTING = _names("a b big code em font i nobr s small strike strong tt u")
_ALIKE_KEPT = 3
# How far down the stack a sibling is looked for: a few, so a sibling the estimate has but the
# parser has not (an attribute's text) can hide only a few elements from the count.
_SIBLING_REACH = 3


class _Stack:
    """An over-estimate of the parser's open elements, with what it may reopen."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.tags: list[str] = []  # each element's start tag, attributes included
        self.positions: dict[str, list[int]] = {}
        self.special: list[int] = []
        self.scope: list[int] = []
        self.reopenable: Counter[str] = Counter()
        self.depth = 0  # open elements, and the formatting elements that may reopen

    def push(self, name: str, tag: str) -> None:
        index = len(self.names)
        self.names.append(name)
        self.tags.append(tag)
        self.positions.setdefault(name, []).append(index)
        if name in _SPECIAL:
            self.special.append(index)
        if name in _SCOPE:
            self.scope.append(index)
        self.depth += 1

    def pop_to(self, index: int, *, closed: str | None = None) -> None:
        """Pop the elements from ``index`` up; formatting ones but ``closed`` may reopen."""
        while len(self.names) > index:
            name = self.names.pop()
            tag = self.tags.pop()
            position = len(self.names)
            self.positions[name].pop()
            if self.special and self.special[-1] == position:
                self.special.pop()
            if self.scope and self.scope[-1] == position:
                self.scope.pop()
            self.depth -= 1
            reopens = name in _FORMATTING and not (name == closed and position == index)
            if reopens and self.reopenable[tag] < _ALIKE_KEPT:
                self.reopenable[tag] += 1
                self.depth += 1

    def start(self, name: str, tag: str) -> None:
        siblings = _SIBLINGS.get(name)
        sibling = None if siblings is None else self._sibling(siblings)
        if sibling is not None:
            self.pop_to(sibling)
        elif name in ("td", "th") and (not self.names or self.names[-1] != "tr"):
            self.push("tr", "tr")  # a cell outside a row gets one (and a body) implicitly
            self.push("tbody", "tbody")
        elif name == "tr" and (not self.names or self.names[-1] not in ("tbody", "thead", "tfoot")):
            self.push("tbody", "tbody")
        self.push(name, tag)

    def _sibling(self, names: set[str]) -> int | None:
        for index in range(len(self.names) - 1, max(len(self.names) - 1 - _SIBLING_REACH, -1), -1):
            name = self.names[index]
            if name in names:
                return index
            if name in _SPECIAL and name != "p":
                return None
        return None

    def end(self, name: str) -> None:
        open_at = self.positions.get(name)
        if not open_at:
            return  # nothing to close: the parser ignores it
        index = open_at[-1]
        stops = self.scope if name in _BLOCK_ENDS else self.special
        # An end tag does not reach past a scope (or a special element): the parser ignores it.
        if stops and stops[-1] > index:
            return
        self.pop_to(index, closed=name)


_CHUNK = 1 << 16


def _tags(fragment: str, end: int) -> Iterator[tuple[str, str, str]]:
    """The tags of ``fragment[: end + 1]`` (which ends with ">"), matched a chunk at a time:
    a fragment found too deep early is not matched to its end. Each chunk ends with a ">",
    so no tag is cut in two."""
    start = 0
    while start <= end:
        stop = fragment.rfind(">", start, start + _CHUNK)
        if stop < 0:
            stop = fragment.find(">", start + _CHUNK)
        yield from _TAG.findall(fragment, start, stop + 1)
        start = stop + 1


def nesting_depth(fragment: str, *, limit: int = MAX_NESTING) -> int:
    """The deepest nesting of ``fragment``'s elements, at least as deep as an HTML parser makes
    it; counting stops past ``limit``. Linear: each tag is looked at once."""
    # After the last ">" no tag ends (the parser drops one left open at the end), and before
    # it every "<" has a ">" to come: the tag pattern never fails after a partial match.
    end = fragment.rfind(">")
    if end < 0:
        return 0
    stack = _Stack()
    names, tags, positions, special, scope = (
        stack.names, stack.tags, stack.positions, stack.special, stack.scope
    )  # fmt: skip
    deepest = 0
    for slash, name, attributes in _tags(fragment, end):
        name = name.lower()
        if slash:
            if names and names[-1] == name:
                # Most end tags close the current element: popped here, as pop_to would.
                names.pop()
                tags.pop()
                index = len(names)
                positions[name].pop()
                if special and special[-1] == index:
                    special.pop()
                if scope and scope[-1] == index:
                    scope.pop()
                stack.depth -= 1
            else:
                stack.end(name)
        elif name not in _VOID:
            stack.start(name, name + attributes)
            if stack.depth > deepest:
                deepest = stack.depth
                if deepest > limit:
                    break
    return deepest
