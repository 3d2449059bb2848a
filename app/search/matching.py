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
    Row,
    Select,
    String,
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
from app.search.query import (
    candidates_tsquery,
    fts5_match,
    has_phrase,
    pairs_tsquery,
    parse,
    tsquery,
)
from app.search.rendering import source_token
from app.search.terms import POST_ID_MASK, Query

# Matches counted at most, by search and by lists narrowed by q: pages reach this far.
COUNTED = 10_000
# Sources a filter hands the index as tokens at most (``matches``).
SOURCE_TOKENS_MAX = 8


def sources_in_index(sources: Sequence[int]) -> bool:
    """Whether ``matches`` narrows its matches to these sources in the index: then the
    filter on the posts' source only confirms, and does not narrow the matches further."""
    return 0 < len(sources) <= SOURCE_TOKENS_MAX


# The table no model declares (app.search.models): on SQLite an FTS5 table whose rowid is
# the search key, on PostgreSQL the key and a tsvector.
_FTS = table(SEARCH_TEXT, column("rowid", BigInteger))
# PostgreSQL's ``pairs`` (app.search.rendering, ``pairs_literal``) name a phrase's
# candidates without positions, in a GIN index of their own.
_VECTORS = table(SEARCH_TEXT, column("key", BigInteger), column("document"), column("pairs"))


class Matches(NamedTuple):
    """The index rows a query matches: ``source`` to select from, ``condition`` to put in
    the WHERE, ``key`` to order by and ``post_id`` to join posts on. On PostgreSQL,
    ``candidates`` is what the GIN indexes alone decide, every match and maybe more: it
    equals ``condition`` unless ``positional`` (a phrase, which only a document's
    positions decide; its candidates are the posts holding its pairs of neighbouring
    words, or its words where pairs cannot say)."""

    source: FromClause
    condition: ColumnElement[bool]
    key: ColumnElement[int]
    post_id: ColumnElement[int]
    candidates: ColumnElement[bool]
    positional: bool = False


class Newest(NamedTuple):
    """A query's matches in a statement that gives them newest first: ``source`` (the index
    joined with posts, or the keys of its matches) where ``where``, by ``key`` descending;
    ``post_id`` is the post of each (``newest_matches``)."""

    source: FromClause
    where: tuple[ColumnElement[bool], ...]
    key: ColumnElement[int]
    post_id: ColumnElement[int]
    # The newest matches, newest first, when they were read already (their search key,
    # then the columns asked for); and whether they are all of them.
    read: tuple[Row[Any], ...] | None = None
    complete: bool = False

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

    def newest(self, limit: int) -> "Newest":
        """The newest ``limit`` of these matches (or all of them, when they were not read:
        then the statement is to be limited), for statements that want no more."""
        if self.read is None or len(self.read) <= limit:
            return self
        newest = self.read[:limit]
        return _from_keys([row[0] for row in newest], newest, complete=True)

    def older(self, key: int, *, inclusive: bool = False) -> "Newest":
        """These matches older than ``key`` (or from it on, when ``inclusive``): where a
        cursor's page starts. Matches read already are kept in order, not read again."""
        if self.read is not None:
            kept = [row for row in self.read if row[0] < key or (inclusive and row[0] == key)]
            return _from_keys([row[0] for row in kept], kept, complete=self.complete)
        condition = self.key <= key if inclusive else self.key < key
        return self._replace(where=(*self.where, condition))

    def counted(self, limit: int) -> int | None:
        """How many of the posts ``first(limit)`` selects, when that is known already."""
        if self.read is not None and (self.complete or len(self.read) >= limit):
            return min(len(self.read), limit)
        return None

    def first(self, limit: int) -> ColumnElement[bool]:
        """The posts among the newest ``limit`` matches: a condition on posts (beside the
        conditions they were found among)."""
        if self.read is not None and self.counted(limit) is not None:
            # Read already: no statement needs to find and sort them again.
            posts = [row[0] & POST_ID_MASK for row in self.read[:limit]]
            known = bindparam("matched_posts", posts, ARRAY(BigInteger), unique=True)
            return POSTS.c.id == any_(known)
        newest = (
            select(self.post_id)
            .select_from(self.source)
            .where(*self.where)
            .order_by(self.key.desc())
            .limit(limit)
            .correlate(None)  # its own posts, not those of the statement it is put in
        )
        return POSTS.c.id.in_(newest)


def _from_keys(keys: list[int], read: Sequence[Row[Any]], complete: bool) -> Newest:
    """Matches read already, by their search keys, with the posts they were found among:
    not held to those conditions again (the page shown is held to the visibility rule
    when read)."""
    known = func.unnest(bindparam("matched_keys", keys, type_=ARRAY(BigInteger)))
    matched = known.table_valued("key").render_derived(with_types=False)
    post_id = matched.c.key.op("&", return_type=BigInteger)(POST_ID_MASK)
    source = matched.join(POSTS, POSTS.c.id == post_id)
    return Newest(source, (), matched.c.key, post_id, tuple(read), complete)


def month_of(day: ColumnElement[dt.date], dialect: str) -> ColumnElement[str]:
    """A date column's month as "YYYY-MM", made by the database: ten thousand matches are
    counted by month without a date object made for each."""
    if dialect == "postgresql":
        return func.to_char(day, "YYYY-MM")
    return func.substr(type_coerce(day, String), 1, 7)  # SQLite keeps dates as ISO text


def _matching(document: ColumnElement[Any], name: str, rendered: str) -> ColumnElement[bool]:
    return document.op("@@", is_comparison=True)(cast(bindparam(name, rendered), TSQUERY))


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
    tokens = [source_token(s) for s in sources] if sources_in_index(sources) else []
    if dialect == "postgresql":

        def narrowed(rendered: str) -> str:
            # Source tokens are a mark, a letter and digits: quoted as they are.
            either = " | ".join(f"'{token}'" for token in tokens)
            return f"({rendered}) & ({either})" if tokens else rendered

        key = _VECTORS.c.key
        condition = _matching(_VECTORS.c.document, "search_query", narrowed(tsquery(query)))
        candidates = condition
        positional = has_phrase(query)
        if positional:
            # Posts holding each pair of a phrase are hardly more than those holding the
            # phrase: a phrase of common words is checked in those few documents, not in
            # every one that holds its words (the sources' tokens are among the pairs too).
            paired = pairs_tsquery(query)
            candidates = (
                _matching(_VECTORS.c.pairs, "search_candidates", narrowed(paired))
                if paired is not None
                else _matching(
                    _VECTORS.c.document, "search_candidates", narrowed(candidates_tsquery(query))
                )
            )
        post_id = key.op("&", return_type=BigInteger)(POST_ID_MASK)
        return Matches(_VECTORS, condition, key, post_id, candidates, positional)
    key = _FTS.c.rowid
    match = fts5_match(query)
    if tokens:
        either = " OR ".join(f'"{token}"' for token in tokens)
        match = f"({match}) AND ({either})"
    # FTS5 takes the table's own name on the left of MATCH.
    condition = literal_column(SEARCH_TEXT).op("MATCH", is_comparison=True)(
        bindparam("search_query", match)
    )
    post_id = key.op("&", return_type=BigInteger)(POST_ID_MASK)
    return Matches(_FTS, condition, key, post_id, condition)


# On PostgreSQL the planner prices testing a post's document by the pointer into TOAST its
# table holds, not by reading the document, so it would rather test every document than
# look a word up in the GIN index: a word in 42 posts of 100,000 took 0.5 s that way, 8 ms
# through the index. And it prices every page read as if from disk, so it would rather
# hash all 100,000 posts than look up the few thousand a search found. SQLite's FTS5 has
# no such choices to make.
_PLANNER = {
    "enable_seqscan": "off",
    # The index and the posts' keys are read often enough to be in memory.
    "random_page_cost": "1.1",
    # Statements are prepared once a connection has run them a few times; a plan made for
    # any query would not know how many posts its words are in, which decides the plan.
    "plan_cache_mode": "force_custom_plan",
    # Starting workers takes longer than any of these statements takes alone.
    "max_parallel_workers_per_gather": "0",
    # A plan priced with sequential scans off looks costly enough to compile, which takes
    # longer than any search.
    "jit": "off",
}


def _set(connection: Connection, **settings: str) -> None:
    """Planner settings for the rest of the transaction, in one statement."""
    calls = ", ".join(f"set_config('{name}', :{name}, true)" for name in settings)
    connection.execute(sql_text(f"SELECT {calls}"), settings)


def index_first(session: Session) -> None:
    """Have the statements of this transaction find a query's posts through the GIN index
    rather than by testing every document (PostgreSQL; nothing on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        _set(session.connection(), **_PLANNER)


def newest_matches(
    session: Session,
    found: Matches,
    among: Sequence[ColumnElement[bool]],
    *,
    on_index: Sequence[ColumnElement[bool]] = (),
    counting: int,
    columns: Sequence[ColumnElement[Any]] = (),
    narrowed: bool = False,
) -> Newest:
    """``found``'s matches among the posts ``among`` selects (conditions on posts; and
    ``on_index``, conditions on the index alone), newest first, for statements after the
    ``counting`` newest of them. On PostgreSQL, the newest ``counting`` + 1 are read with
    ``columns`` (of posts): ``Newest.read``.

    On SQLite, FTS5 gives the matches in key order. On PostgreSQL one statement reads the
    keys of the newest ``counting`` + 1 matches, and the statements after start from
    them: the query is answered once per search, not once per statement. The GIN index
    names the candidates (for a phrase, the posts holding its words), which are walked
    newest first through the key index, and only for a phrase is each candidate's document
    read, until enough match: a phrase of common words reads ten thousand documents, not
    every one that holds its words, nor every one newer than its ten-thousandth match.
    ``narrowed``, when ``among`` asks more of posts than visibility (a tag, times, sources
    the index was not handed: ``sources_in_index``), which the walk would test candidate
    after candidate: without a phrase, the planner
    then joins the candidates with the posts it selects by their own indexes."""
    source = found.source.join(POSTS, POSTS.c.id == found.post_id)
    by_key = Newest(source, (found.condition, *on_index, *among), found.key, found.post_id)
    if session.get_bind().dialect.name != "postgresql":
        return by_key
    connection = session.connection()
    index_first(session)
    positions = [found.condition] if found.positional else []
    if narrowed and not found.positional:
        # (With a phrase, the planner would test every candidate's document, as if cheap.)
        where = (found.condition, *on_index, *among)
    else:
        candidates = (
            select(found.key)
            .select_from(found.source)
            .where(found.candidates, *on_index)
            .correlate(None)  # the index read on its own, not the rows around it
        )
        # As an array, the candidates are looked up in the key index in its order, newest
        # first, and the walk stops at the last match wanted; a join would find them all.
        named = func.array(candidates.scalar_subquery(), type_=ARRAY(BigInteger))
        where = (found.key == any_(named), *positions, *among)
    newest = by_key._replace(where=where)
    read = connection.execute(newest.select(*columns).limit(counting + 1)).all()
    return _from_keys([row[0] for row in read], read, complete=len(read) <= counting)


def matching_posts(
    session: Session, text: str, languages: Sequence[str], sources: Sequence[int] = ()
) -> ColumnElement[bool]:
    """Posts the query ``text`` matches (a ``QueryError``, 422, when it asks for nothing
    searchable), of ``sources`` only when any are given (narrowed by the index; the caller
    keeps its condition on the posts' source): a condition on posts, for lists and
    archives, in a transaction set to find them through the index."""
    found = matches(parse(text, languages), session.get_bind().dialect.name, sources)
    index_first(session)
    # The candidates first, where they are fewer than the posts of the words (a phrase).
    checked = (found.candidates, found.condition) if found.positional else (found.condition,)
    ids = select(found.post_id).select_from(found.source).where(*checked)
    return POSTS.c.id.in_(ids)
