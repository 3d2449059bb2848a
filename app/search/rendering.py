"""What the analyzer made of a post (``Analysed``), written as each database indexes it.

Both databases hold the same tokens at the same positions, so a phrase matches the same posts
in both (docs/search.md): SQLite's FTS5 reads space-joined tokens per column, a phrase never
spanning two columns; PostgreSQL's document numbers title, lead, body and parts one after
the other, each column starting two positions after the one before, so no phrase spans two
there either. A token's occurrences past PostgreSQL's 256 positions per lexeme are ``FILLER``
in FTS5 and absent from the document, their positions kept.

A post's source stands in its index row as one reserved token (``source_token``), so a
filter by source is intersected with the words by the index itself: in FTS5 alone in a
column of its own, ``source``; in the document without a position, so it is in no phrase.
Ranking, highlights and the vocabulary never see it: they read the analyzer's output, not
the index.
"""

import hashlib
from collections import Counter
from itertools import pairwise
from typing import NamedTuple

from app.search.terms import FILLER, TOKEN_MAX, Analysed

# PostgreSQL keeps at most this many positions of one lexeme.
POSITIONS_PER_TOKEN = 256
# What a post's distinct tokens may take, in bytes, each with the room PostgreSQL gives a
# lexeme beside its text: well within the 1 MB a tsvector may hold (positions take at most
# 2 bytes each of the 16,000 more). A token first met past it is FILLER in both databases.
DOCUMENT_BYTES_MAX = 768_000
_LEXEME_OVERHEAD = 8
# Hex digits of a pair's token (``pair_token``): 40 bits, so that two pairs of the few
# million a site holds rarely share one.
PAIR_DIGITS = 10
# Tokens of the lead ranking reads: enough for an excerpt, tags and source.
LEAD_TERMS_MAX = 1_000
_WEIGHTS = ("A", "B", "C", "D")  # title, lead, body, parts
# What begins the token of a post's source: the section sign, punctuation, which no token
# the analyzer makes holds (letters and digits only, ``is_token``), so no word of a post or
# a query can be it or begin it; FTS5's ascii tokenizer reads every non-ASCII character as
# part of a token, so "§s42" is read back whole, and PostgreSQL holds it quoted.
SOURCE_MARK = "\u00a7s"


class Columns(NamedTuple):
    """A post's tokens per column, capped and with FILLER in place."""

    title: list[str]
    lead: list[str]
    body: list[str]
    parts: list[str]


class FtsText(NamedTuple):
    """The columns of a post's FTS5 row."""

    title: str
    lead: str
    body: str
    parts: str
    source: str  # the source's token, or nothing


# The FTS5 row of a post whose text is not made (gone, left out, or indexed on PostgreSQL).
NO_TEXT = FtsText("", "", "", "", "")


def source_token(source_id: int) -> str:
    """The token that stands in the index of every post of the source ``source_id``."""
    return f"{SOURCE_MARK}{source_id}"


def columns(analysed: Analysed) -> Columns:
    """The post's columns as the index holds them (the analyzer has kept them within
    ``MAX_POSITIONS``): each token's occurrences past the 256th (counted over title, lead,
    body, parts in this order), a token first met once the distinct tokens take
    ``DOCUMENT_BYTES_MAX``, or anything that is not a token, made ``FILLER``."""
    title, lead, body, parts = (
        list(analysed.title),
        list(analysed.lead),
        list(analysed.body),
        list(analysed.parts),
    )
    seen: Counter[str] = Counter()
    size = 0
    for column in (title, lead, body, parts):
        for index, token in enumerate(column):
            if not is_token(token):
                # Never from the analyzer (docs/search.md): kept out, as it could not be
                # quoted in a tsvector nor read back by FTS5 as one token, its position kept.
                column[index] = FILLER
                continue
            if token not in seen:
                cost = len(token.encode()) + _LEXEME_OVERHEAD
                if size + cost > DOCUMENT_BYTES_MAX:
                    column[index] = FILLER
                    continue
                size += cost
            seen[token] += 1
            if seen[token] > POSITIONS_PER_TOKEN:
                column[index] = FILLER
    return Columns(title, lead, body, parts)


def is_token(token: str) -> bool:
    """Whether ``token`` is one the index can hold: letters and digits, 1 to 64 of them."""
    return 0 < len(token) <= TOKEN_MAX and token.isalnum() and token.lower() == token


def fts_text(made: Columns, source_id: int | None) -> FtsText:
    """The FTS5 row: each column's tokens joined by spaces (the ascii tokenizer reads them
    back as they are), and the token of the post's source, if it has one."""
    source = source_token(source_id) if source_id is not None else ""
    title, lead, body, parts = (" ".join(column) for column in made)
    return FtsText(title, lead, body, parts, source)


def tsvector_literal(made: Columns, source_id: int | None) -> str:
    """The PostgreSQL document as a tsvector literal: ``'token':1A,5A 'other':3B``; title
    weight A, lead B, body C, parts D; each column starting at the previous column's last
    position + 2; FILLER's positions taken but not written; the token of the post's source,
    if it has one, last and without a position (no phrase can take it in)."""
    positions: dict[str, list[str]] = {}
    position = 0
    for column, weight in zip(made, _WEIGHTS, strict=True):
        for token in column:
            position += 1
            if token != FILLER:
                positions.setdefault(token, []).append(f"{position}{weight}")
        position += 1  # the gap after each column: no phrase spans two
    # Tokens hold letters and digits only (the source's, a mark too): quoted as they are.
    written = [f"'{token}':{','.join(where)}" for token, where in positions.items()]
    if source_id is not None:
        written.append(f"'{source_token(source_id)}'")
    return " ".join(written)


def pair_token(first: str, second: str) -> str:
    """The token of two tokens standing side by side, in the PostgreSQL index's ``pairs``:
    the first 10 hex digits of the MD5 of both, a space between (what the migration that
    brought the pairs computes in SQL from each stored document). Two pairs may share one:
    a pair only names candidates, whose positions decide."""
    made = hashlib.md5(f"{first} {second}".encode(), usedforsecurity=False)
    return made.hexdigest()[:PAIR_DIGITS]


def pairs_literal(made: Columns, source_id: int | None) -> str:
    """The PostgreSQL ``pairs`` of a post as a tsvector literal, without positions: a
    ``pair_token`` for each two tokens at neighbouring positions of the document
    (``tsvector_literal``: a column's last token and the next column's first are not
    neighbours, nor are tokens on either side of FILLER), and the token of the post's
    source, if it has one. A phrase's candidates are the posts holding each pair of it: a
    GIN index finds those without reading a document, where its words alone are in tens of
    thousands of posts that do not hold the phrase."""
    pairs: dict[str, None] = {}
    for column in made:
        for first, second in pairwise(column):
            if first != FILLER and second != FILLER:
                pairs.setdefault(pair_token(first, second), None)
    written = [f"'{pair}'" for pair in pairs]  # hex digits: quoted as they are
    if source_id is not None:
        written.append(f"'{source_token(source_id)}'")
    return " ".join(written)


def terms(tokens: list[str], limit: int | None = None) -> str:
    """Tokens as ranking reads them: space-joined, without FILLER, at most ``limit``."""
    kept = [token for token in tokens if token != FILLER]
    return " ".join(kept[:limit] if limit is not None else kept)
