"""Suggestions: when a query finds little, the same query with each word that no post the
caller may see holds replaced by the nearest word that one does ('Kasachstn' → 'Kasachstan').

The vocabulary holds every indexed post's words, drafts' too: a candidate is suggested only
once a post the caller may see is found by it, and the word typed itself is one of the
candidates, so neither an answer nor its absence tells of a word that only hidden posts
hold."""

from collections.abc import Callable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import ColumnElement, Connection, Select, func, select

from app.search.analyzer import fold
from app.search.models import SearchWord
from app.search.terms import AnyOf, Query, Term

_WORDS = SearchWord.metadata.tables["search_words"]
# Words of a query looked at, and candidates read per word: bounded whatever the vocabulary.
WORDS_MAX = 6
CANDIDATES_MAX = 20_000
SHORTEST = 4  # shorter words are too often right as they are
CHECKED_MAX = 3  # candidates per word checked for a post the caller may see


def _distance_allowed(word: str) -> int:
    return 1 if len(word) <= 6 else 2


def candidates_statement(dialect: str, word: str, limit: int) -> Select[tuple[str, str, int]]:
    """The statement reading the vocabulary words that may be ``word`` (folded) mistyped:
    those sharing its first two letters, of a length within reach, at most ``limit`` of
    them, the first in byte order on both databases (PostgreSQL compares the column in the
    "C" collation, as SQLite compares text), so where more share the letters both read the
    same ones. A range of the primary key's index, read in its order."""
    start = word[:2]
    end = start[:-1] + chr(ord(start[-1]) + 1)
    allowed = _distance_allowed(word)
    ordered: ColumnElement[str] = _WORDS.c.word
    if dialect == "postgresql":
        ordered = _WORDS.c.word.collate("C")
    return (
        select(_WORDS.c.word, _WORDS.c.shown, _WORDS.c.uses)
        .where(
            ordered >= start,
            ordered < end,
            func.length(_WORDS.c.word).between(len(word) - allowed, len(word) + allowed),
        )
        .order_by(ordered)
        .limit(limit)
    )


def _nearest(
    connection: Connection, word: str, shown: Callable[[str], bool], limit: int
) -> str | None:
    """The indexed word nearest ``word`` (folded) that finds a post ``shown`` says the caller
    may see, as first written; None when that is ``word`` itself or nothing near is.
    Candidates share its first two letters: a typo there is rare, and the index's order
    finds them at once."""
    allowed = _distance_allowed(word)
    rows = connection.execute(candidates_statement(connection.dialect.name, word, limit)).all()
    if not rows:
        return None
    found = process.extract(
        word,
        [row.word for row in rows],
        scorer=Levenshtein.distance,
        score_cutoff=allowed,
        limit=20,
    )
    if not found:
        return None
    # The nearest; of those as near, the one met most often, then the first in order.
    ranked = sorted(found, key=lambda hit: (hit[1], -rows[hit[2]].uses, rows[hit[2]].word))
    for _, distance, at in ranked[:CHECKED_MAX]:
        if shown(rows[at].shown):
            return None if distance == 0 else str(rows[at].shown)
    return None


def suggest(
    connection: Connection,
    text: str,
    query: Query,
    shown: Callable[[str], bool],
    *,
    candidates: int = CANDIDATES_MAX,
) -> str | None:
    """``text`` (as parsed into ``query``) with its words that find nothing the caller may
    see corrected (``shown`` says whether a word finds such a post), or None when there is
    nothing to correct. A correction takes the place of the word as typed, each place it
    was typed, and nothing else: not the same letters inside another word, a phrase of
    several words or an excluded word."""
    terms = [
        item
        for clause in query.clauses
        for item in (clause.items if isinstance(clause, AnyOf) else (clause,))
        if isinstance(item, Term) and item.at
    ]
    corrections: list[tuple[tuple[int, int], str]] = []
    for term in terms[:WORDS_MAX]:
        first_start, first_end = term.at[0]
        word = fold(text[first_start:first_end])
        if len(word) < SHORTEST or not word.isalpha():
            continue
        nearest = _nearest(connection, word, shown, candidates)
        if nearest is not None and fold(nearest) != word:
            corrections.extend((place, nearest) for place in term.at)
    if not corrections:
        return None
    corrected: list[str] = []
    done = 0
    for (start, end), nearest in sorted(corrections):
        corrected.append(text[done:start])
        corrected.append(nearest)
        done = end
    corrected.append(text[done:])
    return "".join(corrected)
