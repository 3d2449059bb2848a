"""Every query form, rendered by ``fts5_match`` and ``tsquery``, run on both databases over a
handful of analysed posts stored as the index stores them (docs/search.md): an FTS5 table of
four columns on SQLite, a weighted tsvector whose columns are a position apart on
PostgreSQL. Each database must find exactly the posts expected, and, for every hostile query,
exactly what a plain evaluation of the parsed query over the same tokens finds: so both find
the same posts, and neither ever sees a syntax error."""

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import pytest
from sqlalchemy import Select, text

from app.core.db import Database
from app.search.analyzer import analyse_post, query_forms
from app.search.query import (
    QueryError,
    candidates_tsquery,
    fts5_match,
    has_phrase,
    matches,
    parse,
    tsquery,
)
from app.search.suggestions import CANDIDATES_MAX, candidates_statement, suggest
from app.search.terms import Analysed, Clause, Query
from tests.test_search_query import HOSTILE, LANGUAGES

TABLE = "query_check_text"


class Post(NamedTuple):
    id: int
    title: str
    excerpt: str
    body: str
    tags: tuple[str, ...] = ()
    source: str = ""
    language: str = "de"
    # The parts of its compounds and hyphenated words, as the analyzer splits them: given
    # here, so what is tested is how a query meets the parts column.
    parts: tuple[str, ...] = ()


POSTS = [
    Post(
        1,
        "Unruhen in Kasachstan",
        "Proteste in Almaty",
        "Die Regierung in Astana verhängt den Ausnahmezustand.",
        tags=("Kasachstan",),
        source="TASS",
        parts=("Ausnahme", "Zustand"),
    ),
    Post(
        2,
        "Energiewende in Berlin",
        "Der Senat plant",
        "Die Energiewende kommt nach Berlin. Die Straße bleibt gesperrt.",
        source="Tagesspiegel",
        parts=("Energie", "Wende", "Energie", "Wende"),
    ),
    Post(
        3,
        "Außenpolitik der Bundesregierung",
        "Kasachstan und Russland",
        "Die Ärzte in Löwenthal warnen vor der Unruhe.",
        source="FAZ",
        parts=("Außen", "Politik", "Bundes", "Regierung"),
    ),
    # Berlin ends the title and Kasachstan begins the excerpt: no phrase of both.
    Post(4, "Moskau meldet Berlin", "Kasachstan verhandelt", "Energie. Wende."),
    Post(
        5,
        "Riots in Kazakhstan",
        "Police report",
        "Protesters in Berlin Kasachstan gathered near the houses.",
        language="en",
    ),
    Post(6, "Москва und Berlin", "Treffen in 東京", "Ελλάδα, Türkiye, القاهرة"),
]

# Each query form, and the posts it must find on both databases.
EXPECTED: list[tuple[str, set[int]]] = [
    ("Unruhen", {1, 3}),  # stemmed: Unruhe
    ("Kasachstans", {1, 3, 4, 5}),
    ("Unruhen Kasachstan", {1, 3}),
    ("ärzte", {3}),  # folded: Ärzte
    ("Strasse", {2}),  # Straße
    ("TASS", {1}),  # the source's name is in the lead
    ("riots", {5}),  # stemmed as English
    ("houses", {5}),
    ('"Berlin Kasachstan"', {5}),  # a phrase does not run from one column into the next
    ('"Unruhen in Kasachstan"', {1}),
    ('"Kasachstan in Unruhen"', set()),
    ('"Energie Wende"', {2, 4}),  # from the parts of Energiewende, and as written
    ("Wende", {2, 4}),  # a part of a compound
    ("Politik", {3}),  # Außenpolitik
    ("Energiewende", {2}),
    ("Außen*", {3}),
    ("Kasach*", {1, 3, 4, 5}),
    ("Kaz*", {5}),
    ("Unruhen*", {1, 3}),
    # A prefix folded as a word is: Löwenthal's token is lowenthal, Straße's strass.
    ("Loewen*", {3}),
    ("Lowen*", {3}),
    ("Löwen*", {3}),
    ("Loewenth*", {3}),
    ("Loewenthal", {3}),
    ("Strass*", {2}),
    ("Straß*", {2}),
    ("STRASSE*", {2}),
    ("Kasachstan -Moskau", {1, 3, 5}),
    ('Kasachstan -"Berlin Kasachstan"', {1, 3, 4}),
    ("Kasachstan -Russ*", {1, 4, 5}),
    ("Kasachstan -Moskau -Unruhe", {5}),
    ("Moskau OR Energiewende", {2, 4}),
    ("Berlin Kasachstan OR Energiewende", {2, 4, 5}),  # not 6: no Kasachstan
    ('Riots OR "Energie Wende" OR Politik', {2, 3, 4, 5}),
    ("Berlin OR Moskau -Wende", {5, 6}),
    ("Moskau* -Berlin", set()),
    ("Москва", {6}),  # other scripts, as the ascii tokenizer leaves them
    ("Моск*", {6}),
    ("東京 Berlin", {6}),
    ("Turkiye OR Ελλάδα", {6}),
    ('"Москва und Berlin"', {6}),
]


class Scratch(NamedTuple):
    database: Database
    backend: str

    def find(self, query: Query) -> set[int]:
        if self.backend == "sqlite":
            sql = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH :q"  # noqa: S608
            rendered = fts5_match(query)
        else:
            sql = f"SELECT id FROM {TABLE} WHERE document @@ CAST(:q AS tsquery)"  # noqa: S608
            rendered = tsquery(query)
        with self.database.engine.connect() as connection:
            return set(connection.execute(text(sql), {"q": rendered}).scalars())

    def candidates(self, query: Query) -> set[int]:
        """What the index alone decides (app.search.matching.Matches.candidates): on SQLite
        the matches themselves, FTS5 keeping positions; on PostgreSQL ``candidates_tsquery``."""
        if self.backend == "sqlite":
            return self.find(query)
        sql = f"SELECT id FROM {TABLE} WHERE document @@ CAST(:q AS tsquery)"  # noqa: S608
        with self.database.engine.connect() as connection:
            found = connection.execute(text(sql), {"q": candidates_tsquery(query)})
            return set(found.scalars())


def _tokens(words: Sequence[str], language: str) -> list[str]:
    return [token for word in words for token in query_forms(word, (language,))]


def _analysed(post: Post) -> Analysed:
    analysed = analyse_post(
        title=post.title,
        excerpt=post.excerpt,
        body=post.body,
        tags=post.tags,
        source=post.source,
        language=post.language,
    )
    return analysed._replace(parts=_tokens(post.parts, post.language))


def _columns(analysed: Analysed) -> tuple[list[str], ...]:
    return (analysed.title, analysed.lead, analysed.body, analysed.parts)


def _tsvector(analysed: Analysed) -> str:
    """The document as the index builds it: weights A to D, each column starting two
    positions after the last one of the column before."""
    positions: dict[str, list[str]] = {}
    start = 1
    for tokens, weight in zip(_columns(analysed), "ABCD", strict=True):
        for offset, token in enumerate(tokens):
            positions.setdefault(token, []).append(f"{start + offset}{weight}")
        if tokens:
            start += len(tokens) + 1
    return " ".join(f"'{token}':{','.join(where)}" for token, where in positions.items())


@pytest.fixture
def scratch(db: Database, backend: str) -> Iterator[Scratch]:
    with db.engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
        if backend == "sqlite":
            connection.execute(
                text(
                    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(title, lead, body, parts, "
                    "tokenize='ascii')"
                )
            )
        else:
            connection.execute(
                text(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, document tsvector NOT NULL)")
            )
        for post in POSTS:
            analysed = _analysed(post)
            if backend == "sqlite":
                connection.execute(
                    text(
                        f"INSERT INTO {TABLE} (rowid, title, lead, body, parts) "  # noqa: S608
                        "VALUES (:id, :title, :lead, :body, :parts)"
                    ),
                    {"id": post.id}
                    | {
                        name: " ".join(tokens)
                        for name, tokens in zip(
                            ("title", "lead", "body", "parts"), _columns(analysed), strict=True
                        )
                    },
                )
            else:
                connection.execute(
                    text(
                        f"INSERT INTO {TABLE} (id, document) "  # noqa: S608
                        "VALUES (:id, CAST(:document AS tsvector))"
                    ),
                    {"id": post.id, "document": _tsvector(analysed)},
                )
    yield Scratch(db, backend)
    with db.engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {TABLE}"))


# A plain reading of a parsed query over the same tokens (app.search.query.matches, which
# ranking uses): what both databases must find.


def _anywhere(clause: Clause, analysed: Analysed) -> bool:
    return any(matches(clause, " ".join(tokens)) for tokens in _columns(analysed))


def _expected(query: Query) -> set[int]:
    found = set()
    for post in POSTS:
        analysed = _analysed(post)
        if all(_anywhere(clause, analysed) for clause in query.clauses) and not any(
            _anywhere(item, analysed) for item in query.excluded
        ):
            found.add(post.id)
    return found


def test_each_query_form_finds_the_expected_posts(scratch: Scratch) -> None:
    wrong = {}
    for typed, expected in EXPECTED:
        query = parse(typed, LANGUAGES)
        found = scratch.find(query)
        # The plain reading agrees: the expectations are about the query language, not
        # about one database, and ranking reads queries as the databases do.
        assert _expected(query) == expected, typed
        if found != expected:
            wrong[typed] = found
    assert not wrong, f"found otherwise than expected on {scratch.backend}: {wrong}"


# The hostile list, and the words of the posts in every combination of the operators.
_MIXED = [
    'Kasachstan OR "Energie Wende" -Moskau*',
    '-Berlin OR Unruhen* "in Kasachstan',
    "OR Energie* OR -Wende OR Riots OR",
    '"Berlin. Kasachstan!" --Unruhe',
    "Kasachstan((( OR ))) Berlin:* & !Moskau",
    "Kasachstan\x00 NEAR(Berlin) title:Unruhen",
    "„Außenpolitik der“ OR »Unruhen in«",
    "Politik* Bundes* -Regier*",
    "ärzte ÄRZTE Ärzte aerzte",
    "in in in in",
]


def test_hostile_queries_run_and_agree(scratch: Scratch) -> None:
    disagreements = {}
    ran = 0
    for typed in [*HOSTILE, *_MIXED]:
        try:
            query = parse(typed, LANGUAGES)
        except QueryError:
            continue
        found = scratch.find(query)  # raises on any syntax error
        ran += 1
        if found != _expected(query):
            disagreements[typed[:60]] = (found, _expected(query))
    assert not disagreements, f"{scratch.backend}: {disagreements}"
    assert ran > len(_MIXED)


def test_the_candidates_hold_every_match_and_only_matches_without_a_phrase(
    scratch: Scratch,
) -> None:
    """Matches are looked for among the candidates only (app.search.matching): a match not
    among them would be lost; a query without a phrase is decided by them alone."""
    wrong = {}
    for typed in [*(typed for typed, _ in EXPECTED), *HOSTILE, *_MIXED]:
        try:
            query = parse(typed, LANGUAGES)
        except QueryError:
            continue
        found, candidates = scratch.find(query), scratch.candidates(query)
        if not found <= candidates or (not has_phrase(query) and found != candidates):
            wrong[typed[:60]] = (found, candidates)
    assert not wrong, f"{scratch.backend}: {wrong}"
    # A phrase's words standing apart make a candidate, not a match.
    apart = parse('"Energiewende Berlin"', LANGUAGES)
    assert scratch.find(apart) == set()
    assert scratch.candidates(apart) == (set() if scratch.backend == "sqlite" else {2})


# Suggestions, read from the vocabulary table the index fills (search_words).


def _vocabulary(db: Database, words: Sequence[tuple[str, str, int]]) -> None:
    """The words (folded, as first written, uses) stored in this order."""
    with db.engine.begin() as connection:
        for word, shown, uses in words:
            connection.execute(
                text("INSERT INTO search_words (word, shown, uses) VALUES (:word, :shown, :uses)"),
                {"word": word, "shown": shown, "uses": uses},
            )


def _suggested(db: Database, typed: str, candidates: int = CANDIDATES_MAX) -> str | None:
    # Every word finds a post the caller may see (the service asks the index).
    with db.engine.connect() as connection:
        return suggest(
            connection, typed, parse(typed, LANGUAGES), lambda _: True, candidates=candidates
        )


def test_the_candidates_read_are_the_first_in_byte_order_on_both_databases(db: Database) -> None:
    """More words share the typed word's first letters than are read: which are read is
    the same on both databases, so both suggest the same. Karten, met most often and as
    near to "Karte" as Kante, comes after the words read and is not among them, though it
    was stored first."""
    fillers = [(f"kap{a}{b}a", f"Kap{a}{b}a", 1) for a in "abc" for b in "abc"]
    _vocabulary(db, [("karten", "Karten", 100), *fillers, ("kante", "Kante", 1)])
    assert _suggested(db, "Karte", candidates=5) == "Kante"
    # All read, the one met most often is the nearer.
    assert _suggested(db, "Karte", candidates=100) == "Karten"


def _plan(db: Database, backend: str, statement: Select[Any]) -> str:
    sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
    with db.engine.begin() as connection:
        if backend == "sqlite":
            rows = connection.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
            return "\n".join(str(row[-1]) for row in rows)
        # Only a plan that uses the index is left to choose, if one can.
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        connection.execute(text("SET LOCAL enable_bitmapscan = off"))
        return "\n".join(connection.execute(text(f"EXPLAIN {sql}")).scalars())


def test_the_candidates_are_a_range_of_the_index_read_in_its_order(
    db: Database, backend: str
) -> None:
    """On PostgreSQL the column is compared in the "C" collation (byte order, as SQLite),
    and the primary key's index is in it: the range is read from the index, in the order
    asked for, with no sort. (An index in the database's own collation serves neither.)"""
    plan = _plan(db, backend, candidates_statement(backend, "kasachstn", CANDIDATES_MAX))
    if backend == "sqlite":
        assert "USING INDEX sqlite_autoindex_search_words_1 (word>? AND word<?)" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
    else:
        assert "Index Scan using pk_search_words" in plan, plan
        assert "Sort" not in plan, plan
        assert "Seq Scan" not in plan, plan


# What is typed, and the suggestion: a correction takes the place of the word where it
# was typed, each time it was typed, and nowhere else.
CORRECTED = [
    ("Lindner Lindn", "Lindner Linden"),  # not inside Lindner
    ("-Kasachstn Kasachstn", "-Kasachstn Kasachstan"),  # not the excluded one
    ('"Kasachstn Almaty" Kasachstn', '"Kasachstn Almaty" Kasachstan'),  # nor in a phrase
    ("Kasachstn* Kasachstn", "Kasachstn* Kasachstan"),  # nor the prefix
    ("Kasachstn Almaty Kasachstn", "Kasachstan Almaty Kasachstan"),  # each time typed
    ("kasachstn, Almaty!", "Kasachstan, Almaty!"),  # punctuation stays
    ("Lindn OR Kasachstn", "Linden OR Kasachstan"),
    ('"Kasachstn" Almaty', '"Kasachstan" Almaty'),  # a phrase of one word is that word
    ("Almaty Lindner", None),  # nothing to correct
]


def test_a_correction_takes_the_place_of_the_word_typed(db: Database) -> None:
    _vocabulary(
        db,
        [
            ("kasachstan", "Kasachstan", 5),
            ("almaty", "Almaty", 3),
            ("lindner", "Lindner", 2),
            ("linden", "Linden", 2),
        ],
    )
    found = {typed: _suggested(db, typed) for typed, _ in CORRECTED}
    assert found == dict(CORRECTED)
