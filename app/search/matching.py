"""Where a parsed query meets the database: the one place FTS5's MATCH and PostgreSQL's @@
are written. Both find the same posts (the index holds the same tokens at the same
positions in both; app.search.query renders the query for each), and both give them newest
first by search key, so everything after this (counting, facets, ranking) is the same code
on the same rows."""

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    FromClause,
    Select,
    String,
    and_,
    any_,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
    type_coerce,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlmodel import Session

from app.posts.visibility import POSTS
from app.search.models import SEARCH_TEXT
from app.search.query import fts5_match, parse, tsquery
from app.search.rendering import source_token
from app.search.terms import POST_ID_MASK, Query

# Matches counted at most, by search and by lists narrowed by q: pages reach this far.
COUNTED = 10_000
# Sources a filter hands the index as tokens at most (``matches``).
SOURCE_TOKENS_MAX = 8

# The table no model declares (app.search.models): on SQLite an FTS5 table whose rowid is
# the search key, on PostgreSQL the key and a tsvector.
_FTS = table(SEARCH_TEXT, column("rowid", BigInteger))
_VECTORS = table(SEARCH_TEXT, column("key", BigInteger), column("document"))


class Matches(NamedTuple):
    """The index rows a query matches: ``source`` to select from, ``condition`` to put in
    the WHERE, ``key`` to order by and ``post_id`` to join posts on."""

    source: FromClause
    condition: ColumnElement[bool]
    key: ColumnElement[int]
    post_id: ColumnElement[int]


class Newest(NamedTuple):
    """A query's matches in a statement that gives them newest first: ``source`` (the index
    joined with posts, or the keys of its matches) where ``where``, by ``key`` descending;
    ``post_id`` is the post of each (``newest_matches``)."""

    source: FromClause
    where: tuple[ColumnElement[bool], ...]
    key: ColumnElement[int]
    post_id: ColumnElement[int]
    # The posts of every match, when they are known (read from the index already) and few.
    known: tuple[int, ...] | None = None

    def select(self, *columns: ColumnElement[Any]) -> Select[Any]:
        """The search key and ``columns`` of each match, newest first."""
        return (
            select(self.key.label("key"), *columns)
            .select_from(self.source)
            .where(*self.where)
            .order_by(self.key.desc())
        )

    def joined(self, other: FromClause, on: ColumnElement[bool]) -> "Newest":
        """The same matches with ``other``'s columns beside them (one row each)."""
        return self._replace(source=self.source.join(other, on))

    def first(self, limit: int) -> ColumnElement[bool]:
        """The posts among the newest ``limit`` matches: a condition on posts."""
        if self.known is not None and len(self.known) <= limit:
            # All of them: no statement needs to find and sort them again.
            known = bindparam("matched_posts", list(self.known), ARRAY(BigInteger), unique=True)
            return and_(POSTS.c.id == any_(known), *self.where)
        newest = (
            select(self.post_id)
            .select_from(self.source)
            .where(*self.where)
            .order_by(self.key.desc())
            .limit(limit)
            .correlate(None)  # its own posts, not those of the statement it is put in
        )
        return POSTS.c.id.in_(newest)


def month_of(day: ColumnElement[dt.date], dialect: str) -> ColumnElement[str]:
    """A date column's month as "YYYY-MM", made by the database: ten thousand matches are
    counted by month without a date object made for each."""
    if dialect == "postgresql":
        return func.to_char(day, "YYYY-MM")
    return func.substr(type_coerce(day, String), 1, 7)  # SQLite keeps dates as ISO text


def matches(query: Query, dialect: str, sources: Sequence[int] = ()) -> Matches:
    """The index rows ``query`` matches, narrowed to the posts of ``sources`` when some (at
    most ``SOURCE_TOKENS_MAX``) are given.

    A source is a token of the index (app.search.rendering, ``source_token``), and the
    database intersects it with the words as it does words with each other: a common word
    filtered by a source of few of its posts reads the posts of both, not every post of the
    word. The index only narrows: the caller keeps the condition on ``posts.source_id``,
    which decides (a post moved to another source is found by neither until indexed again;
    the triggers take its rows out)."""
    # Beyond a few sources, FTS5 pays for its OR of their tokens at every match (500 cost a
    # common word 0.37 s at 100,000 posts, 20 cost 73 ms where the word alone took 12 ms),
    # and the sources hold so many of the posts that it narrows little: their rows decide.
    tokens = [source_token(s) for s in sources] if len(sources) <= SOURCE_TOKENS_MAX else []
    if dialect == "postgresql":
        key = _VECTORS.c.key
        wanted = tsquery(query)
        if tokens:
            # Source tokens are a mark, a letter and digits: quoted as they are.
            either = " | ".join(f"'{token}'" for token in tokens)
            wanted = f"({wanted}) & ({either})"
        condition: ColumnElement[bool] = _VECTORS.c.document.op("@@", is_comparison=True)(
            cast(bindparam("search_query", wanted), TSQUERY)
        )
        source = _VECTORS
    else:
        key = _FTS.c.rowid
        match = fts5_match(query)
        if tokens:
            either = " OR ".join(f'"{token}"' for token in tokens)
            match = f"({match}) AND ({either})"
        # FTS5 takes the table's own name on the left of MATCH.
        condition = literal_column(SEARCH_TEXT).op("MATCH", is_comparison=True)(
            bindparam("search_query", match)
        )
        source = _FTS
    post_id = key.op("&", return_type=BigInteger)(POST_ID_MASK)
    return Matches(source, condition, key, post_id)


# On PostgreSQL the planner prices testing a post's document by the pointer into TOAST its
# table holds, not by reading and decompressing the document, so it would rather test every
# document than look a word up in the GIN index: a word in 42 posts of 100,000 took 0.5 s
# that way, 8 ms through the index. SQLite's FTS5 has no such choice to make.


def _set(connection: Connection, **settings: str) -> None:
    """Planner settings for the rest of the transaction, in one statement."""
    calls = ", ".join(f"set_config('{name}', :{name}, true)" for name in settings)
    connection.execute(sql_text(f"SELECT {calls}"), settings)


def index_first(session: Session) -> None:
    """Have the statements of this transaction find a query's posts through the GIN index
    rather than by testing every document (PostgreSQL; nothing on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        _set(session.connection(), enable_seqscan="off")


def newest_matches(
    session: Session,
    found: Matches,
    among: Sequence[ColumnElement[bool]],
    *,
    on_index: Sequence[ColumnElement[bool]] = (),
    counting: int,
) -> Newest:
    """``found``'s matches among the posts ``among`` selects (conditions on posts; and
    ``on_index``, conditions on the index alone), newest first, for statements after the
    ``counting`` newest of them.

    On SQLite, FTS5 gives the matches in key order. On PostgreSQL this first reads, up to
    ``counting`` + 1, the keys of the documents the GIN index names (reading the index, and
    a document only where a phrase or a prefix needs it checked). With more, the statements
    walk the key index newest first and meet their first matches soon. With fewer, the
    statements start from those keys: a document is tested once per search, not once per
    statement (a phrase whose words are common has each candidate read from TOAST and
    checked), and a walk would test every document. The planner alone cannot tell the two
    apart, for the reason above; and sequential scans are off for the rest of the
    transaction."""
    source = found.source.join(POSTS, POSTS.c.id == found.post_id)
    by_key = Newest(source, (found.condition, *on_index, *among), found.key, found.post_id)
    if session.get_bind().dialect.name != "postgresql":
        return by_key
    connection = session.connection()
    _set(connection, enable_seqscan="off", enable_indexscan="off")  # read through GIN
    first = select(found.key).select_from(found.source).where(found.condition, *on_index)
    keys = list(connection.execute(first.limit(counting + 1)).scalars())
    _set(connection, enable_indexscan="on")
    if len(keys) > counting:
        return by_key
    known = func.unnest(bindparam("matched_keys", keys, type_=ARRAY(BigInteger)))
    matched = known.table_valued("key").render_derived(with_types=False)
    post_id = matched.c.key.op("&", return_type=BigInteger)(POST_ID_MASK)
    source = matched.join(POSTS, POSTS.c.id == post_id)
    posts = tuple(key & POST_ID_MASK for key in keys)
    return Newest(source, tuple(among), matched.c.key, post_id, posts)


def matching_posts(
    session: Session, text: str, languages: Sequence[str], sources: Sequence[int] = ()
) -> ColumnElement[bool]:
    """Posts the query ``text`` matches (a ``QueryError``, 422, when it asks for nothing
    searchable), of ``sources`` only when any are given (narrowed by the index; the caller
    keeps its condition on the posts' source): a condition on posts, for lists and
    archives, in a transaction set to find them through the index."""
    found = matches(parse(text, languages), session.get_bind().dialect.name, sources)
    index_first(session)
    ids = select(found.post_id).select_from(found.source).where(found.condition)
    return POSTS.c.id.in_(ids)
