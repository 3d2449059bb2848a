"""The words a query found, marked in a post's text: a title whole, a body as a snippet.

Made only for the page of hits a request returns, so each call must be cheap whatever the
text: the text is searched once, by a regular expression of literal probes (the first
letters of each query token, all but the few a stem may change at its end, accents and case
aside: no quantifier but an optional ``e`` after a, o, u, for German's ae/oe/ue, and an
optional hyphen or apostrophe between two letters), and only the words where a probe occurs
are analysed (stemmed, split) and compared with the query. A word's token comes from the
analyzer's process-wide cache, so a word met in an earlier hit or request costs a lookup. A
word the query matches is wrapped in ``<mark>``; everything else is escaped. Excluded words
are never marked.
"""

import html
import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import NamedTuple

from app.search.analyzer import MAX_WORD_CHARS, Analyser, base_language, word_token
from app.search.folding import fold, fold_as_token
from app.search.terms import AnyOf, Item, Phrase, Prefix, Query, Term
from app.search.words import JOINERS, WordSpan, has_word, word_from

# A snippet is looked for in the text's first characters only.
SCAN_MAX = 50_000
# At most this many words (those a probe occurs in) are analysed per text; past them the
# text is shown unmarked. Far more than any real title or snippet needs, it bounds a text
# made to match everywhere (a query "a" on "a a a ...").
CANDIDATES_MAX = 1_000
SNIPPET_SIZE = 240
ELLIPSIS = "…"
# A probe is at least this many first letters of a token (fewer for short tokens: a stem may
# end in a letter its word does not have, English's happy -> happi).
PROBE_LENGTH = 3
# A stem differs from its word only in its last letters (happy: happi, complications:
# compliqu), so a probe may be a token's first letters but its last few: most words that
# share a common beginning are then no candidate (Schuckdanssen's probe was "sch"). How many
# letters a language's stemmer may change at a word's end, measured over the words of the
# spell checker's lists and the locale data's names (some 4,000 to 30,000 words a language)
# by bench/stem_tails.py, plus one (two at least): the Snowball stemmers of the languages left out rewrite
# letters inside a word (Dutch drops ge-, Serbian the j of -je-, Arabic and Irish their
# prefixes, Greek's ϊ, Armenian's և, the viramas of Hindi, Nepali and Tamil, Yiddish's
# digraphs) and keep the short probe.
# And at most this many: eight letters are as rare as a whole word in practice, and a query of
# many long words would otherwise compile to a pattern of some 30,000 characters (0.15 s).
PROBE_MAX = 8
STEM_TAILS = {
    "ca": 2, "cs": 2, "da": 2, "de": 2, "en": 2, "es": 2, "hu": 2, "id": 2, "it": 2,
    "lt": 2, "pt": 2, "ro": 2, "ru": 2, "sv": 2, "tr": 2, "et": 3, "fr": 3, "fi": 4,
    "no": 4,
}  # fmt: skip
_SPACE = re.compile(r"\s+")


class _Word(NamedTuple):
    span: WordSpan
    token: str | None
    parts: tuple[str, ...]
    adjacent: bool  # nothing but punctuation and space since the previous word looked at


@cache
def _variants() -> dict[str, str]:
    """For each base letter, the letters that fold to it (é, è, ê, ë for e; ß is added to
    the pair ss)."""
    found: dict[str, list[str]] = {}
    for code in range(0xC0, 0x2000):
        char = chr(code)
        folded = fold(char)
        if len(folded) == 1 and folded != char and folded.isalnum():
            found.setdefault(folded, []).append(char)
    return {base: "".join(dict.fromkeys(chars)) for base, chars in found.items()}


@cache
def _cased() -> str:
    """Every character below U+20000 that has another case (no character above has one)."""
    return "".join(
        char
        for code in range(0x20000)
        if (char := chr(code)).lower() != char or char.upper() != char
    )


@lru_cache(maxsize=1024)
def _letters(letter: str) -> str:
    """The letters ``letter`` may be written as: it, the letters that fold to it, and each of
    those in any case. Spelled out rather than matched with re.IGNORECASE, so the first
    letter's class is scanned for at the engine's full speed (twice that of a
    case-insensitive class); the same letters as IGNORECASE takes, as its own class picks
    them from every cased character."""
    written = letter + _variants().get(letter, "")
    cases = re.compile("[" + re.escape(written) + "]", re.IGNORECASE).findall(_cased())
    return "".join(dict.fromkeys(written + "".join(cases)))


def _class(letters: str) -> str:
    """A character class of ``letters``: the fastest to scan for, the slowest to compile."""
    return "[" + re.escape(letters) + "]"


@lru_cache(maxsize=1024)
def _one_of(letters: str) -> str:
    """A pattern of any one of ``letters``, cheaper to compile than their class: for a class
    of more than two runs of code points, one past U+00FF, re builds and folds a map of
    65,536 entries (some 0.1 ms), and a probe has such a class for each letter and joiner;
    a query's probe is compiled anew for each query (its 14-letter word's in 2.5 ms, most of
    highlighting's CPU; 1.7 ms so). Here the letters up to U+00FF keep their class, the
    others are alternatives of two runs at most, which re compiles as ranges. A probe's
    first letter keeps its class: the text is scanned for it, the rest are tried only where
    it stands."""
    low = "".join(char for char in letters if ord(char) <= 0xFF)
    runs: list[list[int]] = []
    for code in sorted({ord(char) for char in letters if ord(char) > 0xFF}):
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    spans = [
        re.escape(chr(start)) + ("" if end == start else "-" + re.escape(chr(end)))
        for start, end in runs
    ]
    # Each alternative two runs at most; the alternative that never matches, "(?!).", keeps
    # re from merging them into one class again (and, one character wide like the others,
    # lets the pattern stand in a lookbehind).
    high = "|".join(["[" + "".join(spans[i : i + 2]) + "]" for i in range(0, len(spans), 2)])
    if not high:
        return _class(low)
    beyond = f"{high}|(?!)."
    return f"(?:{_class(low)}|{beyond})" if low else beyond


_JOINER = _one_of("".join(sorted(JOINERS)))


def _beginning(token: str, language: str) -> str:
    """What of ``token`` a word of ``language`` it is the token of (or a part of) has, as the
    analyzer folds it: all but the last letters a stem may have that its word does not, where
    that is known; else the whole token (as a word's parts have always been looked for)."""
    tail = STEM_TAILS.get(language)
    if tail is None or len(token) - tail <= PROBE_LENGTH:
        return token
    return token[: len(token) - tail]


def _probe_length(token: str, language: str) -> int:
    """How many of ``token``'s first letters its probe is in a text of ``language``: its
    beginning, at most PROBE_MAX letters, where a stem's last letters are known; else the
    first PROBE_LENGTH."""
    short = min(PROBE_LENGTH, max(1, len(token) - 1))
    tail = STEM_TAILS.get(language)
    return short if tail is None else max(short, min(PROBE_MAX, len(token) - tail))


class _Branch(NamedTuple):
    """One way a probe may begin: the letters its first character may be, the pattern of the
    rest."""

    first: str
    rest: str


def _units(letters: str) -> list[list[_Branch]]:
    """Each letter (or ss) of ``letters``: the ways it may be written."""
    units: list[list[_Branch]] = []
    index = 0
    while index < len(letters):
        letter = letters[index]
        if letters.startswith("ss", index):
            units.append(
                [
                    _Branch("ßẞ", ""),
                    _Branch(_letters("s"), f"{_JOINER}?{_one_of(_letters('s'))}"),
                ]
            )
            index += 2
            continue
        if letter == "s":
            # An s may be the second half of an ß: a compound's part may start there
            # (reißender: reis + sender).
            units.append([_Branch(_letters("s") + "ßẞ", "")])
        else:
            # ae, oe, ue: German's umlauts, read so even across a hyphen (Guinea-Ekwele).
            umlaut = f"(?:{_JOINER}?{_one_of(_letters('e'))})?" if letter in "aou" else ""
            units.append([_Branch(_letters(letter), umlaut)])
        index += 1
    return units


def _branches(token: str, length: int) -> list[_Branch]:
    """The ways ``token``'s first ``length`` letters may be written, by their first
    character. A token is its word's pieces joined (Corona-Krise: coronakris; d'Ivoire:
    divoir): any two of its letters may stand on either side of a hyphen or an apostrophe."""
    first, *others = _units(token[:length])
    rest = "".join(
        f"{_JOINER}?"
        + (
            _one_of(unit[0].first) + unit[0].rest
            if len(unit) == 1
            else f"(?:{'|'.join(_one_of(b.first) + b.rest for b in unit)})"
        )
        for unit in others
    )
    return [_Branch(branch.first, branch.rest + rest) for branch in first]


def _probe_pattern(branches: list[_Branch]) -> str:
    """One pattern for all ``branches``, led by the class of every first character: a search
    for it runs at the engine's full speed (an alternation of classes is tried character by
    character, and cost six times as much), and a lookbehind tells each branch's own where
    they begin differently.

    Only where a match begins matters (``_Matcher.words``), so a branch another one begins
    (the same first character, its rest the start of this one's rest: a longer form of the
    same word) is left out, as is a lookbehind all branches share: a pattern compiles in
    time linear in its length, anew for each query, and a word's forms made it twice as
    long (a rare word's probe took 1.6 ms to compile; measured by hand)."""
    leading = _class("".join(dict.fromkeys(char for branch in branches for char in branch.first)))
    kept = _shortest(branches)
    if len({branch.first for branch in kept}) == 1:
        return f"{leading}(?:{'|'.join(branch.rest for branch in kept)})"
    tails = "|".join(f"(?<={_one_of(branch.first)}){branch.rest}" for branch in kept)
    return f"{leading}(?:{tails})"


def _shortest(branches: list[_Branch]) -> list[_Branch]:
    """``branches`` without those another one begins. A rest is made of whole units, each
    closed (a class or a group, optional or not), so a rest that starts another ends where
    one of its units does: the longer matches only where the shorter does."""
    kept: list[_Branch] = []
    for branch in sorted(set(branches)):
        # Sorted, a branch comes right after the branches that begin it (and those they
        # begin, which are left out).
        last = kept[-1] if kept else None
        if last is None or last.first != branch.first or not branch.rest.startswith(last.rest):
            kept.append(branch)
    return kept


def _probe(token: str, length: int) -> str:
    """The pattern of ``token``'s first ``length`` letters as they may be written."""
    return _probe_pattern(_branches(token, length))


class _Needles(NamedTuple):
    """What of a query highlighting looks for: its positive items' tokens, and a probe for
    where in a text they may stand."""

    forms: frozenset[str]
    prefixes: tuple[str, ...]
    sequences: tuple[tuple[str, ...], ...]
    # What of each token a word it is a part of has (_beginning): a word is cut into its
    # parts only when one of them stands in it.
    beginnings: tuple[str, ...]
    probe: re.Pattern[str] | None


# A page's hits are highlighted with the same query, title and body each: its needles are
# made once. A query is at most QUERY_MAX characters; a few hundred of them are little memory.
@lru_cache(maxsize=256)
def _needles(query: Query, language: str) -> _Needles:
    items: list[Item] = []
    for clause in query.clauses:
        items.extend(clause.items if isinstance(clause, AnyOf) else (clause,))
    forms = frozenset(f for item in items if isinstance(item, Term) for f in item.forms)
    prefixes = tuple(item.token for item in items if isinstance(item, Prefix))
    sequences = tuple(
        sequence for item in items if isinstance(item, Phrase) for sequence in item.sequences
    )
    tokens = forms | set(prefixes) | {t for s in sequences for t in s}
    lengths = {token: _probe_length(token, language) for token in tokens if token}
    branches = [branch for token, length in lengths.items() for branch in _branches(token, length)]
    probe = re.compile(_probe_pattern(sorted(set(branches)))) if branches else None
    beginnings = tuple(sorted({_beginning(token, language) for token in lengths}))
    return _Needles(forms, prefixes, sequences, beginnings, probe)


class _Matcher:
    """A query's needles, and what the words of one text have been found to be."""

    def __init__(self, query: Query, language: str) -> None:
        self.language = base_language(language)
        needles = _needles(query, self.language)
        self.forms = needles.forms
        self.prefixes = needles.prefixes
        self.sequences = needles.sequences
        self.beginnings = needles.beginnings
        self.probe = needles.probe
        self.seen: dict[str, tuple[str | None, tuple[str, ...]]] = {}

    def words(self, text: str, end: int) -> Iterator[_Word]:
        """The words of ``text[:end]`` a probe occurs in, in order (CANDIDATES_MAX of
        them at most)."""
        if self.probe is None:
            return
        at = previous_end = 0
        for _ in range(CANDIDATES_MAX):
            hit = self.probe.search(text, at, end)
            if hit is None:
                return
            span = _word_at(text, hit.start(), at)
            adjacent = previous_end > 0 and not has_word(text, previous_end, span.start)
            token, parts = self._forms(text[span.start : span.end])
            yield _Word(span, token, parts, adjacent)
            previous_end = at = span.end

    def _forms(self, written: str) -> tuple[str | None, tuple[str, ...]]:
        """A word's token, and its parts where they may matter."""
        found = self.seen.get(written)
        if found is not None:
            return found
        short = len(written) <= MAX_WORD_CHARS
        # The token of a word seen in an earlier hit or request is a dict lookup (a bounded
        # cache of the analyzer's, safe from every thread).
        token = word_token(written, self.language) if short else None
        parts: tuple[str, ...] = ()
        # A compound's or hyphenated word's parts are worked out (which reads the word list)
        # only when a query token's beginning stands inside the word, folded as the
        # analyzer folds it (zueinander: zuinand). A word too long to be a token is never
        # marked: it is not normalised (that can cost as much as its length squared) nor
        # cut into its pieces.
        if short and not self._matches(token, ()) and self._may_hold(written):
            parts = Analyser(self.language).word(written).parts
        found = self.seen[written] = (token, parts)
        return found

    def _may_hold(self, written: str) -> bool:
        """Whether a token's beginning stands in the word as the analyzer folds it."""
        folded = fold(written)
        if any(wanted in folded for wanted in self.beginnings):
            return True
        # Only German reads ae, oe, ue as umlauts (zueinander: zuinand); doing so is a loop
        # over the word's letters, needed for few words.
        if self.language != "de" or not ("ae" in folded or "oe" in folded or "ue" in folded):
            return False
        folded = fold_as_token(written, self.language)
        return any(wanted in folded for wanted in self.beginnings)

    def matches(self, word: _Word) -> bool:
        """Whether a term or prefix of the query matches ``word`` by itself."""
        return self._matches(word.token, word.parts)

    def _matches(self, token: str | None, parts: tuple[str, ...]) -> bool:
        for candidate in (token, *parts) if token else parts:
            if candidate in self.forms or candidate.startswith(self.prefixes):
                return True
        return False

    def marked(self, words: list[_Word]) -> list[WordSpan]:
        """The spans of ``words`` a positive item matches, in order."""
        marked = [self._matches(word.token, word.parts) for word in words]
        for sequence in self.sequences:
            length = len(sequence)
            for index, word in enumerate(words):
                if _contains(word.parts, sequence):
                    marked[index] = True
                run = words[index : index + length]
                if (
                    len(run) == length
                    and all(later.adjacent for later in run[1:])
                    and tuple(later.token for later in run) == sequence
                ):
                    marked[index : index + length] = [True] * length
        return [word.span for word, mark in zip(words, marked, strict=True) if mark]


def _contains(parts: tuple[str, ...], sequence: tuple[str, ...]) -> bool:
    length = len(sequence)
    return any(parts[i : i + length] == sequence for i in range(len(parts) - length + 1))


def _is_word_char(char: str) -> bool:
    return char.isalnum() or (not char.isspace() and unicodedata.category(char)[0] == "M")


def _word_at(text: str, position: int, floor: int) -> WordSpan:
    """The word ``text[position]`` (a letter) belongs to, looking back no further than
    ``floor``."""
    start = position
    # Mostly a probe matches at the word's first letter: one look back tells.
    while start > floor:
        before = text[start - 1]
        joined = before in JOINERS and start - 2 >= floor and _is_word_char(text[start - 2])
        if not (joined or _is_word_char(before)):
            break
        start -= 1
    span = word_from(text, start, MAX_WORD_CHARS)
    # Not None, and holding ``position``: the position is a letter, the start a word's.
    return span if span is not None else WordSpan(position, position + 1)


def _render(text: str, start: int, end: int, marked: list[WordSpan]) -> str:
    """``text[start:end]`` escaped, the ``marked`` spans (within it) in <mark>."""
    out: list[str] = []
    at = start
    for span in marked:
        if span.start < start or span.end > end:
            continue
        out.append(html.escape(text[at : span.start]))
        out.append(f"<mark>{html.escape(text[span.start : span.end])}</mark>")
        at = span.end
    out.append(html.escape(text[at:end]))
    return "".join(out)


def highlight(text: str, query: Query, language: str) -> str:
    """The whole ``text`` HTML-escaped, each word a positive item of ``query`` matches (its
    token, a prefix of it, a phrase's words in a row, or a part of a compound or hyphenated
    word) in ``<mark>``."""
    matcher = _Matcher(query, language)
    marked = matcher.marked(list(matcher.words(text, len(text))))
    return _render(text, 0, len(text), marked)


def snippet(text: str, query: Query, language: str, *, size: int = SNIPPET_SIZE) -> str:
    """About ``size`` characters of ``text`` around the first word ``query`` matches (the
    text's start when none does, among its first SCAN_MAX characters), cut between words
    with an ellipsis where cut, whitespace collapsed, escaped and marked like
    ``highlight``."""
    size = max(size, 1)
    matcher = _Matcher(query, language)
    marked = matcher.marked(_shown(matcher, text, size))
    if marked:
        first = marked[0]
        before = max(0, size - (first.end - first.start)) // 4
        start = max(0, first.start - before)
        end = min(len(text), start + size)
        start = max(0, min(start, end - size))
        start, end = _at_spaces(text, start, end, keep=first)
    else:
        start, end = _at_spaces(text, 0, min(len(text), size), keep=None)
    shown = _render(text, start, end, marked)
    shown = _SPACE.sub(" ", shown).strip()
    return f"{ELLIPSIS if start > 0 else ''}{shown}{ELLIPSIS if end < len(text) else ''}"


def _shown(matcher: _Matcher, text: str, size: int) -> list[_Word]:
    """The words of ``text`` (among its first SCAN_MAX characters) a snippet of ``size`` may
    show or mark: up to the first a term matches by itself, then past it as far as a window
    around it reaches, then as many as a phrase there may run on. The first marked word is
    no later than that word (a phrase only adds marks), so the window ends before
    ``size`` past it; the rest of the text, which may be 50,000 characters of the commonest
    word, is not looked at."""
    words = matcher.words(text, min(len(text), SCAN_MAX))
    reach = max((len(sequence) for sequence in matcher.sequences), default=1)
    taken: list[_Word] = []
    limit: int | None = None
    beyond = 0
    for word in words:
        taken.append(word)
        if limit is None:
            if matcher.matches(word):
                limit = word.span.start + size
        elif word.span.start >= limit:
            beyond += 1
            if beyond >= reach:
                break
    return taken


def _at_spaces(text: str, start: int, end: int, keep: WordSpan | None) -> tuple[int, int]:
    """``start`` moved forward and ``end`` back to the nearest whitespace where they cut a
    word, never into the word ``keep``."""
    if start > 0 and not text[start - 1].isspace():
        space = _SPACE.search(text, start, keep.start if keep else end)
        if space is not None:
            start = space.end()
    if end < len(text) and not text[end].isspace():
        floor = keep.end if keep else start
        cut = max(text.rfind(" ", floor, end), text.rfind("\n", floor, end))
        if cut > floor:
            end = cut
    return start, end
