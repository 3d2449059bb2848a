"""Suggestions: when a query finds little, the same query with each word that no post holds
replaced by the nearest word the index has met ('Kasachstn' → 'Kasachstan')."""

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import Connection, func, select

from app.search.analyzer import fold
from app.search.models import SearchWord
from app.search.terms import AnyOf, Query, Term

_WORDS = SearchWord.metadata.tables["search_words"]
# Words of a query looked at, and candidates read per word: bounded whatever the vocabulary.
WORDS_MAX = 6
CANDIDATES_MAX = 20_000
SHORTEST = 4  # shorter words are too often right as they are


def _distance_allowed(word: str) -> int:
    return 1 if len(word) <= 6 else 2


def _nearest(connection: Connection, word: str) -> str | None:
    """The indexed word nearest ``word`` (folded), as first written; None when ``word`` is
    indexed itself or nothing is near. Candidates share its first two letters: a typo there
    is rare, and the index's order finds them at once."""
    known = connection.execute(select(_WORDS.c.word).where(_WORDS.c.word == word)).first()
    if known is not None:
        return None
    start = word[:2]
    end = start[:-1] + chr(ord(start[-1]) + 1)
    allowed = _distance_allowed(word)
    rows = connection.execute(
        select(_WORDS.c.word, _WORDS.c.shown, _WORDS.c.uses)
        .where(
            _WORDS.c.word >= start,
            _WORDS.c.word < end,
            func.length(_WORDS.c.word).between(len(word) - allowed, len(word) + allowed),
        )
        .limit(CANDIDATES_MAX)
    ).all()
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
    _, _, best = min(found, key=lambda hit: (hit[1], -rows[hit[2]].uses, rows[hit[2]].word))
    return str(rows[best].shown)


def suggest(connection: Connection, text: str, query: Query) -> str | None:
    """``text`` with its unknown words corrected, or None when there is nothing to correct."""
    terms = [
        item
        for clause in query.clauses
        for item in (clause.items if isinstance(clause, AnyOf) else (clause,))
        if isinstance(item, Term)
    ]
    corrected = text
    changed = False
    for term in terms[:WORDS_MAX]:
        word = fold(term.text)
        if len(word) < SHORTEST or not word.isalpha():
            continue
        nearest = _nearest(connection, word)
        if nearest is not None and fold(nearest) != word:
            corrected = corrected.replace(term.text, nearest, 1)
            changed = True
    return corrected if changed else None
