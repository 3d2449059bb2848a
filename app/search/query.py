"""The query language: what a reader types, parsed into a ``Query`` (app.search.terms) and
rendered for each database.

``Kasachstan TASS`` (every word must match), ``"exact phrase"``, ``-excluded`` and
``-"excluded phrase"``, ``a OR b`` (``a b OR c`` is a AND (b OR c)), ``prefix*``. Each word
is analysed as the index analyses a post's words, under every search language, so a query
holds tokens only (letters and digits): the rendered MATCH string and tsquery carry no
syntax of the reader's, whatever was typed. Malformed input gets a sensible reading where one exists (an unbalanced quote closes
at the end of the text; a lone ``-`` or ``*`` and a dangling or doubled ``OR`` are ignored)
and a ``QueryError`` (422) where none does.

The scanner reads the text once, left to right, with no regular expression, and stops as soon
as a limit is passed: any text costs time linear in its length, and a long hostile one little
more than reading it.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import NamedTuple, TypeVar

from app.core.errors import InvalidInput
from app.search.analyzer import query_forms
from app.search.folding import fold_as_token
from app.search.rendering import pair_token
from app.search.terms import (
    MAX_CLAUSES,
    PREFIX_MIN,
    TOKEN_MAX,
    AnyOf,
    Clause,
    Item,
    Phrase,
    Prefix,
    Query,
    Term,
)
from app.search.words import word_spans

C = TypeVar("C", bound=Clause)

# Words over all phrases of a query: each is a position both databases must check in turn.
MAX_PHRASE_WORDS = 32
# Straight quotes and the typographic ones German and English text use („…“, “…”, »…«):
# each opens a phrase or closes the open one.
QUOTES = frozenset('"\u201e\u201c\u201d\u00ab\u00bb')
OR = "OR"
# How much of what the reader typed a detail repeats.
_SHOWN = 40


class QueryError(InvalidInput):
    """A query with no sensible reading, or over a limit: a 422 whose detail says why, and
    names the parameter every query comes in."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"q: {detail}")


@dataclass(frozen=True)
class _Piece:
    """One item as typed: a word or a phrase, maybe excluded, maybe a prefix; ``text``
    stands at ``start`` in the query."""

    text: str
    start: int
    excluded: bool
    phrase: bool
    prefix: bool

    def words(self) -> list[tuple[str, tuple[int, int]]]:
        """Its words as written (a hyphenated word stays one), each with its place in the
        query."""
        return [
            (self.text[span.start : span.end], (self.start + span.start, self.start + span.end))
            for span in word_spans(self.text)
        ]


class _Or:
    """The OR operator between two items."""


_OR = _Or()


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def _scan(text: str) -> Iterator[_Piece | _Or]:
    """The pieces and operators of ``text``, in order, reading each character once."""
    length = len(text)
    index = 0
    while index < length:
        char = text[index]
        if char.isspace():
            index += 1
            continue
        excluded = False
        if char == "-":
            # Any number of minus signs exclude once (--x is -x); followed by nothing, they
            # are ignored.
            while index < length and text[index] == "-":
                index += 1
            if index == length or text[index].isspace():
                continue
            excluded = True
            char = text[index]
        if char in QUOTES:
            end = index + 1
            while end < length and text[end] not in QUOTES:
                end += 1
            # An unbalanced quote closes at the end of the text.
            yield _Piece(text[index + 1 : end], index + 1, excluded, phrase=True, prefix=False)
            index = end + 1
            continue
        end = index
        while end < length and not text[end].isspace() and text[end] not in QUOTES:
            end += 1
        word = text[index:end]
        start, index = index, end
        if word == OR and not excluded:
            yield _OR
            continue
        stripped = word.rstrip("*")
        if stripped:
            prefix = len(stripped) < len(word)
            yield _Piece(stripped, start, excluded, phrase=False, prefix=prefix)


class _Builder:
    """Turns pieces into items, counting them against the limits as it goes."""

    def __init__(self, languages: Sequence[str]) -> None:
        self.languages = tuple(languages)
        self.items = 0
        self.phrase_words = 0

    def _count_item(self) -> None:
        self.items += 1
        if self.items > MAX_CLAUSES:
            raise QueryError(
                f"The query holds more than {MAX_CLAUSES} words, phrases and prefixes; "
                f"use at most {MAX_CLAUSES}."
            )

    def items_of(self, piece: _Piece) -> list[Item]:
        """What one piece means: usually one item; none for a piece that gives no token;
        several for a prefix written with punctuation inside (``U.S*``: ``U`` and ``S*``)."""
        words = piece.words()
        if piece.phrase:
            item = self._phrase(piece.text, words)
            return [item] if item else []
        if piece.prefix and words:
            items: list[Item] = []
            for word in words[:-1]:
                term = self._phrase(word[0], [word])
                if term:
                    items.append(term)
            prefix = self._prefix(words[-1][0])
            if prefix:
                self._count_item()
                items.append(prefix)
            return items
        # Punctuation inside a word is the analyzer's business: a word it splits (``U.S.A.``)
        # stands in the index as consecutive tokens, so it is looked for as a phrase.
        item = self._phrase(piece.text, words)
        return [item] if item else []

    def _phrase(self, text: str, words: list[tuple[str, tuple[int, int]]]) -> Term | Phrase | None:
        """The words (each with its place) as one item: a Term for one word, else a Phrase,
        one token sequence per language (a word giving no token stands in no sequence, as in
        the index)."""
        sequences: dict[tuple[str, ...], None] = {}
        room = MAX_PHRASE_WORDS - self.phrase_words
        for language in self.languages:
            sequence: list[str] = []
            for word, _ in words:
                sequence.extend(query_forms(word, (language,)))
                # Checked while analysing: a phrase of 100,000 words costs no more than
                # one just over the limit.
                if len(sequence) > 1 and len(sequence) > room:
                    raise QueryError(
                        f"The phrases of the query hold more than {MAX_PHRASE_WORDS} words; "
                        f"use at most {MAX_PHRASE_WORDS}."
                    )
            if sequence:
                sequences.setdefault(tuple(sequence), None)
        if not sequences:
            return None
        self._count_item()
        longest = max(len(sequence) for sequence in sequences)
        if longest == 1:
            forms = tuple(dict.fromkeys(sequence[0] for sequence in sequences))
            # A place only where the term is one word typed: that is what a suggestion may
            # put another word in place of.
            at = (words[0][1],) if len(words) == 1 else ()
            return Term(text=text, forms=forms, at=at)
        self.phrase_words += longest
        return Phrase(text=text, sequences=tuple(sequences))

    def _prefix(self, word: str) -> Prefix | None:
        # Folded as the site's language folds a word into its token (Loewen* as lowen, as
        # Loewenthal's token is lowenthal), but not stemmed: a prefix is no word's end.
        folded = fold_as_token(word.replace("-", ""), self.languages[0])
        if not folded.isalnum() or len(folded) > TOKEN_MAX:
            return None  # as a word giving no token
        # The index holds stems: Unruhen* must find "Unruhe" (stem unruh), so the stem is
        # looked for where it is what the word begins with.
        stems = query_forms(word, self.languages[:1])
        stem = stems[0] if stems else ""
        token = stem if len(stem) >= PREFIX_MIN and folded.startswith(stem) else folded
        if len(token) < PREFIX_MIN:
            raise QueryError(
                f"A prefix needs at least {PREFIX_MIN} letters: {_shown(word)}* has "
                f"{len(token)}, and would begin too many words to search. Type more of the "
                "word, or the whole word without *."
            )
        return Prefix(text=word, token=token)


def parse(text: str, languages: Sequence[str]) -> Query:
    """``text`` as a query whose words are analysed under each of ``languages`` (at least
    one); a ``QueryError`` when it has no sensible reading or passes a limit."""
    if not languages:
        raise ValueError("parse needs at least one language")
    builder = _Builder(languages)
    groups: list[list[Item]] = []
    excluded: list[Item] = []
    # An OR joins the next positive item to the group of the previous one; one at the
    # start, at the end, doubled or next to an excluded item joins nothing.
    after_positive = False
    joining = False
    for piece in _scan(text):
        if isinstance(piece, _Or):
            joining = after_positive
            continue
        items = builder.items_of(piece)
        if not items:
            continue
        if piece.excluded:
            excluded.extend(items)
            after_positive = joining = False
            continue
        first, *rest = items
        if joining:
            groups[-1].append(first)
        else:
            groups.append([first])
        groups.extend([item] for item in rest)
        after_positive, joining = True, False
    if not groups:
        if excluded:
            raise QueryError(
                "The query only excludes words (-word); name at least one word to search for."
            )
        raise QueryError("Nothing to search for: the query holds no word, phrase or prefix.")
    return Query(
        clauses=_distinct(_clause(group) for group in groups), excluded=_distinct(excluded)
    )


def _clause(group: list[Item]) -> Clause:
    items = _distinct(group)
    return items[0] if len(items) == 1 else AnyOf(items)


def _meaning(clause: Clause) -> object:
    """What a clause looks for, whatever way it was typed (Strasse and Straße alike)."""
    if isinstance(clause, AnyOf):
        return frozenset(_meaning(item) for item in clause.items)
    if isinstance(clause, Term):
        return ("term", frozenset(clause.forms))
    if isinstance(clause, Prefix):
        return ("prefix", clause.token)
    return ("phrase", frozenset(clause.sequences))


def _distinct(clauses: Iterable[C]) -> tuple[C, ...]:
    """Each clause once (the first as typed, with the places of every word typed again):
    ranking counts each clause that matches."""
    kept: dict[object, C] = {}
    for clause in clauses:
        meaning = _meaning(clause)
        first = kept.get(meaning)
        kept[meaning] = clause if first is None else _joined(first, clause)
    return tuple(kept.values())


def _joined(first: C, again: C) -> C:
    """``first`` with the places of ``again``'s words, which mean the same."""
    if isinstance(first, Term) and isinstance(again, Term):
        return replace(first, at=first.at + again.at)
    if isinstance(first, AnyOf) and isinstance(again, AnyOf):
        same = {_meaning(item): item for item in again.items}
        return replace(
            first, items=tuple(_joined(item, same[_meaning(item)]) for item in first.items)
        )
    return first


# Rendering. Tokens are letters and digits only (app.search.terms), so quoting them is all
# the escaping either syntax needs; operators are parenthesised so no precedence rule of
# either database decides what a query means.


def _fts5_item(item: Item) -> str:
    if isinstance(item, Term):
        return _either([f'"{form}"' for form in item.forms], " OR ")
    if isinstance(item, Prefix):
        return f'"{item.token}" *'
    return _either(['"' + " ".join(sequence) + '"' for sequence in item.sequences], " OR ")


def _tsquery_item(item: Item) -> str:
    if isinstance(item, Term):
        return _either([f"'{form}'" for form in item.forms], " | ")
    if isinstance(item, Prefix):
        return f"'{item.token}':*"
    phrases = [
        _either([f"'{token}'" for token in sequence], " <-> ") for sequence in item.sequences
    ]
    return _either(phrases, " | ")


def _either(operands: list[str], operator: str) -> str:
    return operands[0] if len(operands) == 1 else "(" + operator.join(operands) + ")"


def fts5_match(query: Query) -> str:
    """``query`` as an FTS5 MATCH expression (over every column of the table)."""
    clauses = [
        _either([_fts5_item(item) for item in clause.items], " OR ")
        if isinstance(clause, AnyOf)
        else _fts5_item(clause)
        for clause in query.clauses
    ]
    positive = " AND ".join(clauses)
    if not query.excluded:
        return positive
    # FTS5's NOT is binary: what must match, less each excluded item.
    return f"({positive})" + "".join(f" NOT {_fts5_item(item)}" for item in query.excluded)


def _candidate_item(item: Item) -> str:
    """``item`` as tsquery input with its phrases' words in any order and place."""
    if not isinstance(item, Phrase):
        return _tsquery_item(item)
    return _either([_either([f"'{token}'" for token in sequence], " & ")
                    for sequence in item.sequences], " | ")  # fmt: skip


def has_phrase(query: Query) -> bool:
    """Whether ``query`` holds a phrase, included or excluded: the only thing a GIN index
    cannot decide alone (it keeps no positions)."""
    items = [*query.excluded]
    for clause in query.clauses:
        items += clause.items if isinstance(clause, AnyOf) else (clause,)
    return any(isinstance(item, Phrase) for item in items)


def candidates_tsquery(query: Query) -> str:
    """tsquery input matching every post ``query`` matches and maybe more, that a GIN index
    answers without reading a document: each phrase as its words anywhere, and excluded
    phrases left out (a post without the phrase may still hold its words). Equal to
    ``tsquery(query)`` for a query without phrases."""
    clauses = [
        _either([_candidate_item(item) for item in clause.items], " | ")
        if isinstance(clause, AnyOf)
        else _candidate_item(clause)
        for clause in query.clauses
    ]
    clauses.extend(
        f"!{_tsquery_item(item)}" for item in query.excluded if not isinstance(item, Phrase)
    )
    return " & ".join(clauses)


def _paired(item: Item) -> str | None:
    """A phrase as tsquery input over the index's ``pairs`` (app.search.rendering): each of
    its sequences as the AND of its neighbouring tokens' pairs; None for what pairs cannot
    name (a word, a prefix, a phrase one of whose sequences is a single token)."""
    if not isinstance(item, Phrase) or any(len(sequence) < 2 for sequence in item.sequences):
        return None
    either = [
        _either([f"'{pair_token(first, second)}'"
                 for first, second in pairwise(sequence)], " & ")
        for sequence in item.sequences
    ]  # fmt: skip
    return _either(either, " | ")


def pairs_tsquery(query: Query) -> str | None:
    """tsquery input over the index's ``pairs`` matching every post ``query`` matches and
    maybe more (its phrases' pairs, wherever they stand), or None when no clause of it is
    made of phrases alone (a phrase, or an OR of phrases): nothing pairs can narrow. Its
    candidates are close to the phrases' matches, where ``candidates_tsquery``'s, the posts
    holding their words anywhere, may be ten times as many. The other clauses' words are
    left to the documents' check: asked of the GIN indexes too, the planner reads one and
    tests the other's vector in every row it names, reading more (docs/search.md)."""
    clauses: list[str] = []
    for clause in query.clauses:
        items = clause.items if isinstance(clause, AnyOf) else (clause,)
        paired = [_paired(item) for item in items]
        named = [pairs for pairs in paired if pairs is not None]
        if len(named) == len(paired):
            clauses.append(_either(named, " | "))
    return " & ".join(clauses) if clauses else None


def tsquery(query: Query) -> str:
    """``query`` as PostgreSQL tsquery input, to be cast (``CAST(:q AS tsquery)``), not
    passed to ``to_tsquery``, which would analyse the tokens again."""
    clauses = [
        _either([_tsquery_item(item) for item in clause.items], " | ")
        if isinstance(clause, AnyOf)
        else _tsquery_item(clause)
        for clause in query.clauses
    ]
    clauses.extend(f"!{_tsquery_item(item)}" for item in query.excluded)
    return " & ".join(clauses)


# Matching in Python, as both databases match: what ranking asks of the title, lead and
# keywords the index keeps of a post, and what a test checks the databases against. A
# column is its tokens in text order joined by single spaces, as the index stores them:
# tokens hold no space, so a word, a prefix and a phrase are each a substring search.


class Needles(NamedTuple):
    """What finds a clause in a column given with a space at each end (`` a b c ``): it
    stands there when one of ``placed`` is in it; it is mentioned there (a keyword holds one
    of its tokens) when one of ``mentioned`` is."""

    placed: tuple[str, ...]
    mentioned: tuple[str, ...]


def needles(clause: Clause) -> Needles:
    placed: list[str] = []
    mentioned: list[str] = []
    for item in clause.items if isinstance(clause, AnyOf) else (clause,):
        if isinstance(item, Term):
            found = [f" {form} " for form in item.forms]
            placed += found
            mentioned += found
        elif isinstance(item, Prefix):
            placed.append(f" {item.token}")
            mentioned.append(f" {item.token}")
        else:
            placed += [f" {' '.join(sequence)} " for sequence in item.sequences]
            mentioned += [f" {token} " for sequence in item.sequences for token in sequence]
    return Needles(tuple(placed), tuple(mentioned))


def spaced(tokens: str) -> str:
    """A column's space-separated tokens as needles are looked for in them."""
    return f" {tokens} "


def matches(clause: Clause, column: str) -> bool:
    """Whether ``clause`` matches a column (its tokens in text order, space-separated): a
    word where one of its forms stands, a prefix where a token begins with it, a phrase
    where one of its sequences stands in a row."""
    within = spaced(column)
    return any(needle in within for needle in needles(clause).placed)


def mentions(clause: Clause, tokens: str) -> bool:
    """Whether any token of ``clause`` is among ``tokens`` (space-separated; for a prefix,
    a token beginning with it), wherever it stands: a post's keywords, say."""
    within = spaced(tokens)
    return any(needle in within for needle in needles(clause).mentioned)
