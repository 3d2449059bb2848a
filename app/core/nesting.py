"""How deep an HTML fragment may make an HTML parser's stack of open elements, in one pass.

html5ever (inside nh3) does work in proportion to the depth of its open elements for many
start tags (closing a paragraph "in scope", reconstructing formatting elements), so a
fragment of nested elements costs it quadratic time: 40,000 nested ``<div>`` take seconds.
Bounding the depth bounds that cost to linear. Predicting html5ever's tree exactly needs its
whole algorithm; this estimate errs on the side of counting too deep (an element it would close
implicitly may stay counted) and never counts shallower than the parser nests, so a fragment
estimated within the limit is one the parser handles in linear time.

Tags are read as the HTML standard's tokenizer reads them (comments, bogus comments, quoted
attribute values and raw text hide what looks like a tag), since an end tag the parser never
sees would otherwise hide nesting. Where the parser's reading is not followed (foreign content,
noscript, escaped scripts), every start tag from there on counts and none closes.
"""

import re
from collections import Counter
from functools import cached_property
from typing import NamedTuple

MAX_NESTING = 100
"""Elements (block quotes, lists, HTML tags) that a body may nest in one another."""


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


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
# Elements that end a scope: an end tag for a block element stops at them. (Inside a select the
# parser ignores end tags but a few, counted here as if a select ended a scope.)
_SCOPE = _names(
    "applet caption html table td th marquee object template mi mo mn ms mtext annotation-xml "
    "foreignobject desc title select"
)
# End tags that close their element through any non-scope element above it.
_BLOCK_ENDS = _names(
    "address article aside blockquote button center details dialog dir div dl fieldset "
    "figcaption figure footer header hgroup listing main menu nav ol pre search section "
    "summary ul"
)
# A start tag that ends an open sibling of these names, found among the few current nodes
# (through non-special elements and paragraphs, as the parser looks for it). An option ends
# only an option that is the current node; rows and cells end siblings only inside a table
# (elsewhere the parser ignores their start tags).
_SIBLINGS = {
    "p": {"p"}, "li": {"li"}, "dd": {"dd", "dt"}, "dt": {"dd", "dt"},
    "option": {"option"}, "tr": {"tr"}, "td": {"td", "th"}, "th": {"td", "th"},
}  # fmt: skip
_CURRENT_ONLY = _names("option")
_IN_TABLE_ONLY = _names("tr td th")
# Formatting elements the parser may open again (reconstruct) after closing them implicitly;
# it keeps at most three alike ones for that.
_FORMATTING = _names("a b big code em font i nobr s small strike strong tt u")
_ALIKE_KEPT = 3
# Start tags before which the parser does not reopen them (block and table elements, mostly).
_KEEPS_CLOSED = (
    _SPECIAL - _names("button select xmp iframe noembed textarea applet marquee object")
) | _names("rb rp rt rtc")
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
        # Formatting elements closed implicitly, by name and start tag: the parser may open
        # them again (reconstruct) at the next start tag.
        self.reopenable: Counter[tuple[str, str]] = Counter()
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
            if reopens and self.reopenable[name, tag] < _ALIKE_KEPT:
                self.reopenable[name, tag] += 1
                self.depth += 1

    def reopen(self) -> None:
        """Open again the formatting elements closed implicitly, as the parser does before
        most start tags: they stay open (and may close and reopen again) like any other."""
        reopened = list(self.reopenable.elements())
        self.reopenable.clear()
        self.depth -= len(reopened)  # counted already while they waited
        for name, tag in reopened:
            self.push(name, tag)

    def start(self, name: str, tag: str) -> None:
        if self.reopenable and name not in _KEEPS_CLOSED:
            self.reopen()
        siblings = _SIBLINGS.get(name)
        sibling = None if siblings is None else self._sibling(name, siblings)
        if sibling is not None:
            self.pop_to(sibling)
        elif name in ("td", "th") and (not self.names or self.names[-1] != "tr"):
            self.push("tr", "tr")  # a cell outside a row gets one (and a body) implicitly
            self.push("tbody", "tbody")
        elif name == "tr" and (not self.names or self.names[-1] not in ("tbody", "thead", "tfoot")):
            self.push("tbody", "tbody")
        self.push(name, tag)

    def _sibling(self, start: str, names: set[str]) -> int | None:
        reach = 1 if start in _CURRENT_ONLY else _SIBLING_REACH
        if start in _IN_TABLE_ONLY:
            tables = self.positions.get("table")
            reach = min(reach, len(self.names) - 1 - tables[-1]) if tables else 0
        for index in range(len(self.names) - 1, max(len(self.names) - 1 - reach, -1), -1):
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


# The tokenizer's pieces, each a single character class matched at a position: no backtracking.
_SPACE = re.compile(r"[\t\n\f\r ]*")
_SPACE_OR_SLASH = re.compile(r"[\t\n\f\r /]*")
_NAME = re.compile(r"[^\t\n\f\r />]*")
_ATTRIBUTE_NAME = re.compile(r"[^\t\n\f\r />=]*")
_UNQUOTED_VALUE = re.compile(r"[^\t\n\f\r >]*")
_START_TAG = re.compile(r"<[A-Za-z]")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Elements whose text the tokenizer reads as text up to their end tag ("</textarea" and a
# space, "/" or ">"): RCDATA and raw text, as the parser switches to them in HTML content.
_RAW_TEXT = _names("iframe noembed noframes script style textarea title xmp")
# Where the parser's reading is not followed here: foreign content (its own rules for
# "<![CDATA[" and for the raw-text names), a script's escaped text, and elements the parser
# reads either way (noscript as scripting is set) or ignores (a raw-text name inside a select).
# A script is raw text too, but one with "<!--" may not end at its first "</script>".
_FOREIGN = _names("math svg")
_ANY_WAY = _names("noscript plaintext")
# Start tags that open elements the parser adds implicitly (a cell its row and body).
_IMPLIED = {"td": 2, "th": 2, "tr": 1}


class _Tag(NamedTuple):
    is_end: bool
    name: str  # in lower case
    attributes: str  # as written, from the name's end to the ">"


def _skip(pattern: re.Pattern[str], text: str, at: int) -> int:
    """Past the run of ``pattern``'s characters at ``at`` (a run may be empty)."""
    match = pattern.match(text, at)
    assert match is not None  # a starred character class always matches
    return match.end()


def _is_letter(character: str) -> bool:
    return character.isascii() and character.isalpha()


class _Tokenizer:
    """The tags of an HTML fragment as the HTML standard's tokenizer reads them in its data
    state: what sits in a comment, a bogus comment (``<?``, ``<!x``, ``</1``) or a quoted
    attribute value is no tag. Linear: each search starts where the last one ended."""

    def __init__(self, fragment: str) -> None:
        self.text = fragment
        self.position = 0
        self._found: dict[str, int] = {}  # the next occurrence of a needle, once searched

    @cached_property
    def lower(self) -> str:
        """The text with its ASCII letters in lower case (positions stay the same), for the
        needles of raw text, comments and what follows an uncertain element: made only when
        one is looked for, as a translation of a whole body costs more than reading its tags
        when its letters are not all ASCII."""
        return self.text.translate(_ASCII_LOWER)

    def find(self, needle: str, start: int) -> int:
        """``self.lower.find(needle, start)``, remembered, so that a needle found rarely or never
        is not searched for to the end again and again."""
        found = self._found.get(needle)
        if found is None or (0 <= found < start):
            found = self.lower.find(needle, start)
            self._found[needle] = found
        return found

    def next_tag(self) -> _Tag | None:
        """The next tag; None at the end (a tag the end cuts off, the parser drops)."""
        text = self.text
        while (lt := text.find("<", self.position)) >= 0:
            after = text[lt + 1 : lt + 2]
            if _is_letter(after):
                return self._tag(False, lt + 1)
            if after == "/":
                if _is_letter(text[lt + 2 : lt + 3]):
                    return self._tag(True, lt + 2)
                self.position = lt + 3 if text[lt + 2 : lt + 3] == ">" else self._bogus(lt + 2)
            elif after == "!" and text.startswith("--", lt + 2):
                self.position = self._comment(lt + 4)
            elif after in ("!", "?"):
                self.position = self._bogus(lt + 2)
            else:
                self.position = lt + 1  # "<" and no tag: text
            if self.position < 0:
                return None
        return None

    def _bogus(self, start: int) -> int:
        """After a bogus comment, which ends at the next ">" (a doctype ends there too)."""
        end = self.text.find(">", start)
        return end + 1 if end >= 0 else -1

    def _comment(self, start: int) -> int:
        """After a comment whose text begins at ``start``: "<!-->" and "<!--->" end at once,
        any other at the first "-->" or "--!>"."""
        if self.text.startswith(">", start):
            return start + 1
        if self.text.startswith("->", start):
            return start + 2
        ends = [
            end + len(closer)
            for closer in ("-->", "--!>")
            if (end := self.find(closer, start)) >= 0
        ]
        return min(ends) if ends else -1

    def _tag(self, is_end: bool, name_at: int) -> _Tag | None:
        text = self.text
        name_end = _skip(_NAME, text, name_at)
        at = name_end
        while True:
            at = _skip(_SPACE_OR_SLASH, text, at)
            if at >= len(text):
                return None
            if text[at] == ">":
                break
            # An attribute: its name (which may begin with "="), then perhaps "=" and a value.
            at = _skip(_ATTRIBUTE_NAME, text, at + 1)
            at = _skip(_SPACE, text, at)
            if not text.startswith("=", at):
                continue
            at = _skip(_SPACE, text, at + 1)
            quote = text[at : at + 1]
            if quote in ("'", '"'):
                closing = text.find(quote, at + 1)  # a ">" inside does not end the tag
                if closing < 0:
                    return None
                at = closing + 1
            elif quote != ">":
                at = _skip(_UNQUOTED_VALUE, text, at)
        self.position = at + 1
        return _Tag(is_end, text[name_at:name_end].translate(_ASCII_LOWER), text[name_end:at])

    def raw_text_end(self, name: str) -> int:
        """Where the raw text just begun ends: its end tag ("</title" and a space, "/" or
        ">", in any case), or -1 if it runs to the end."""
        needle = "</" + name
        start = self.position
        while (end := self.lower.find(needle, start)) >= 0:
            after = self.text[end + len(needle) : end + len(needle) + 1]
            if after and after in "\t\n\f\r />":
                return end
            start = end + len(needle)
        return -1

    def escapes_script(self, end: int | None) -> bool:
        """Whether the script text from here to ``end`` (-1: to the end) has a "<!--", after
        which a "<script" may keep the next "</script>" from ending it."""
        return (
            self.text.find("<!--", self.position, len(self.text) if end is None or end < 0 else end)
            >= 0
        )

    def start_tags_left(self, limit: int) -> int:
        """How many elements the start tags from here may open, counting stopped past
        ``limit``: an upper bound where the parser's reading is not followed."""
        count = 0
        for match in _START_TAG.finditer(self.text, self.position):
            count += 1 + _IMPLIED.get(self.lower[match.start() + 1 : match.start() + 3], 0)
            if count > limit:
                break
        return count


def elements_at_most(fragment: str) -> int:
    """An upper bound of ``nesting_depth(fragment)``, read in a few passes of C: the estimate
    deepens only where a start tag opens an element ("<" and a letter), and then by one, or
    by three for a cell or a row (``_IMPLIED``, whose names begin "<t"); every other step
    (closing, reopening what was counted already) leaves it or makes it shallower. So a
    fragment with fewer tags than the limit needs no reading of its tags at all: most bodies
    (a 4 KB body has a few dozen), where reading them costs a fifth of rendering one."""
    starts = fragment.count("<") - fragment.count("</")
    return starts + 2 * (fragment.count("<t") + fragment.count("<T"))


def nests_deeper_than(fragment: str, limit: int = MAX_NESTING) -> bool:
    """Whether ``nesting_depth(fragment)`` exceeds ``limit``; told at once when the
    fragment has too few tags to nest that deep (``elements_at_most``)."""
    if elements_at_most(fragment) <= limit:
        return False
    return nesting_depth(fragment, limit=limit) > limit


def nesting_depth(fragment: str, *, limit: int = MAX_NESTING) -> int:
    """The deepest nesting of ``fragment``'s elements, at least as deep as an HTML parser makes
    it; counting stops past ``limit``. Linear: each tag is looked at once."""
    tokenizer = _Tokenizer(fragment)
    stack = _Stack()
    deepest = 0
    while (tag := tokenizer.next_tag()) is not None:
        name = tag.name
        if tag.is_end:
            stack.end(name)
            continue
        if name in _VOID:
            continue
        raw_text_end = tokenizer.raw_text_end(name) if name in _RAW_TEXT else None
        uncertain = (
            name in _FOREIGN
            or name in _ANY_WAY
            or (raw_text_end is not None and bool(stack.positions.get("select")))
            or (name == "script" and tokenizer.escapes_script(raw_text_end))
        )
        if uncertain:
            # From here on every start tag counts and nothing closes: never shallower than
            # the parser, whichever way it reads the rest.
            return max(deepest, stack.depth + 1 + tokenizer.start_tags_left(limit))
        stack.start(name, name + tag.attributes)
        deepest = max(deepest, stack.depth)
        if deepest > limit:
            break
        if raw_text_end is not None:
            if raw_text_end < 0:
                break  # its text runs to the end
            tokenizer.position = raw_text_end  # its end tag, read next, closes it
    return deepest
