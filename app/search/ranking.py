"""Relevance: every clause of a query scores where it matches best in what the index keeps
of a post: in the title, in the lead (excerpt, tags, source), among the post's keywords, or
elsewhere in its text.

The score is one SQL expression of plain substring tests on those stored columns (their
tokens space-separated, so a needle `` kost `` is a whole token), which both databases
evaluate alike: never a database's own ranker. It is computed where the rows are, so a
search ranking a thousand candidates hands over a page of them, not a thousand rows.
"""

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import ColumnElement, Connection, Select, case, func, literal, or_, select

from app.posts.visibility import POSTS
from app.search.matching import Newest
from app.search.models import PostSearch
from app.search.query import needles
from app.search.terms import Query

TITLE, LEAD, KEYWORD, ANYWHERE = 8, 4, 2, 1

_HEADS = PostSearch.metadata.tables["post_search"]


class Scored(NamedTuple):
    """A match's search key and score."""

    key: int
    score: int


def _spaced(column: ColumnElement[str]) -> ColumnElement[str]:
    return literal(" ") + column + literal(" ")


def _holds(column: ColumnElement[str], found: Sequence[str], dialect: str) -> ColumnElement[bool]:
    """Whether ``column`` (spaced) holds one of ``found``: a byte-for-byte substring test,
    the same on both databases (LIKE would fold ASCII case on SQLite, not on PostgreSQL)."""
    position = func.strpos if dialect == "postgresql" else func.instr
    return or_(*(position(column, needle) > 0 for needle in found))


def score(query: Query, dialect: str) -> ColumnElement[int]:
    """A post's score for ``query`` (on rows joined with ``post_search``): the sum of its
    clauses' best places."""
    title = _spaced(_HEADS.c.title_terms)
    lead = _spaced(_HEADS.c.lead_terms)
    keywords = _spaced(_HEADS.c.keywords)
    total: ColumnElement[int] = literal(0)
    for placed, mentioned in map(needles, query.clauses):
        total = total + case(
            (_holds(title, placed, dialect), TITLE),
            (_holds(lead, placed, dialect), LEAD),
            (_holds(keywords, mentioned, dialect), KEYWORD),
            else_=ANYWHERE,  # it matched, so somewhere in the body
        )
    return total


def scored(newest: Newest, query: Query, dialect: str) -> Select[tuple[int, int]]:
    """The matches newest first, each with its search key and score."""
    joined = newest.joined(_HEADS, _HEADS.c.post_id == POSTS.c.id)
    return joined.select(score(query, dialect).label("score"))


def best(
    connection: Connection, matches: Select[tuple[int, int]], candidates: int, *,
    offset: int, limit: int,
) -> list[Scored]:  # fmt: skip
    """Of the newest ``candidates`` of ``matches`` (``scored``), best first and equal scores
    newest first, those from ``offset`` on, ``limit`` at most."""
    pool = matches.limit(candidates).subquery()
    statement = (
        select(pool.c.key, pool.c.score)
        .order_by(pool.c.score.desc(), pool.c.key.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(map(Scored._make, connection.execute(statement).all()))
