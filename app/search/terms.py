"""The types every part of search shares: what the analyzer makes of a post, what a query
is once parsed, and the search key that orders the index.

A *token* is what the index holds and a query looks for: lowercase letters and digits only
(after normalisation, case folding, stemming and removal of diacritics), 1 to ``TOKEN_MAX``
characters. Nothing else ever reaches the index or a query, so a token can be quoted in an
FTS5 MATCH string and in a PostgreSQL tsquery as it is.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, NamedTuple

from pydantic import StringConstraints

from app.core.text import CleanText

TOKEN_MAX = 64
# Positions per post over every column: PostgreSQL keeps positions up to 16,383.
MAX_POSITIONS = 16_000
# PostgreSQL keeps at most 256 positions of one lexeme. Later occurrences are written to
# FTS5 as this token and left out of PostgreSQL's document, so a phrase matches the same
# posts in both. It is punctuation, which no analysed word contains: no query can find it.
FILLER = "\u00b7"
MAX_CLAUSES = 16
# Letters a prefix needs. Neither FTS5 (no prefix index) nor PostgreSQL (:*) can look a
# prefix up: each reads every indexed token it begins and merges their posts. Over German
# text, the prefix a reader types reads a third as many posts at three letters as at two
# (docs/search.md has the figures); four would refuse short stems (Gas*, Ost*, Rat*).
PREFIX_MIN = 3

# A query as the API takes it (q on /search, /posts and the archives).
QUERY_MAX = 500
QueryText = Annotated[CleanText, StringConstraints(min_length=1, max_length=QUERY_MAX)]
QUERY_HELP = (
    "Words that must all occur, in any form ('Unruhen' finds 'Unruhe', 'Strasse' finds "
    "'Straße', 'Wende' finds 'Energiewende'); \"exact phrases\"; -excluded words or phrases; "
    f"OR between alternatives; prefix* ({PREFIX_MIN} letters or more) for words that start so "
    "('Loewen*' finds 'Löwenthal'). At most 500 characters and "
    f"{MAX_CLAUSES} words or phrases."
)


class Analysed(NamedTuple):
    """What the index keeps of one post."""

    title: list[str]
    lead: list[str]  # excerpt, tag names, source name
    body: list[str]
    parts: list[str]  # parts of compounds and hyphenated words
    keywords: list[str]
    words: dict[str, str]  # folded surface word -> the form first seen, for suggestions


@dataclass(frozen=True)
class Term:
    """A word of a query: it matches a post holding any of its forms (one per language)."""

    text: str  # as typed
    forms: tuple[str, ...]
    # Where the word stands in the query as typed, (start, end) of each place it was typed
    # (a word typed twice is one term): where a suggestion puts its correction. Not what the
    # term means, so no part of comparing terms.
    at: tuple[tuple[int, int], ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Prefix:
    text: str
    token: str  # matches every token that starts with it


@dataclass(frozen=True)
class Phrase:
    text: str
    # One token sequence per language: the phrase matches where any of them stands as such.
    sequences: tuple[tuple[str, ...], ...]


Item = Term | Prefix | Phrase


@dataclass(frozen=True)
class AnyOf:
    """Items joined by OR."""

    items: tuple[Item, ...]


Clause = Item | AnyOf


@dataclass(frozen=True)
class Query:
    """A parsed query: every clause must match, no excluded item may."""

    clauses: tuple[Clause, ...]
    excluded: tuple[Item, ...] = ()


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_SECONDS_MAX = 2**31 - 1
POST_ID_BITS = 32
POST_ID_MASK = (1 << POST_ID_BITS) - 1


def search_key(post_id: int, moment: datetime) -> int:
    """The post's place in the index: newest first by ``moment`` (published, or created),
    then by id. ``key & POST_ID_MASK`` is the post's id."""
    seconds = int((moment - _EPOCH).total_seconds() // 1)
    seconds = max(-_SECONDS_MAX, min(_SECONDS_MAX, seconds))
    return (seconds << POST_ID_BITS) | post_id


def key_floor(moment: datetime) -> int:
    """The smallest key of a post at or after ``moment``."""
    return search_key(0, moment)
