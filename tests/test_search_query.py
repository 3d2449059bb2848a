"""The query language: what each operator means, the reading malformed input gets, the 422s
that say why where none exists, the limits, the cost of hostile text, and the MATCH and
tsquery strings a query becomes (tests/test_search_query_db.py runs them on both
databases)."""

import re
from http import HTTPStatus

import pytest

from app.core.errors import InvalidInput
from app.search.analyzer import query_forms, word_token
from app.search.folding import fold_as_token
from app.search.query import (
    MAX_PHRASE_WORDS,
    QueryError,
    fts5_match,
    matches,
    mentions,
    parse,
    tsquery,
)
from app.search.terms import MAX_CLAUSES, PREFIX_MIN, AnyOf, Phrase, Prefix, Query, Term
from app.search.wordlists import vocabulary
from tests.cost import cpu_seconds

LANGUAGES = ("de", "en")
CPU_SECONDS_MAX = 1.0

# Everything a reader might type that is not a well-formed query, or that looks like the
# syntax of one of the databases.
HOSTILE = [
    "",
    " ",
    '"',
    '""',
    '"""',
    "-",
    "--",
    "- -",
    "*",
    "**",
    "-*",
    "*-",
    "OR",
    "OR OR",
    "OR OR OR",
    "- OR *",
    '-"',
    '-""',
    '-"a b"',
    '"a b',
    'a "b c',
    'a"b"c',
    '"a" OR',
    "a OR",
    "OR a",
    "a OR OR b",
    "a OR -b",
    "-a OR b",
    "--a b",
    "a --",
    "a*",
    "ab**",
    "a* b",
    "*ab",
    "a*b",
    '"ab*"',
    "and OR not",
    "a AND b",
    "a NOT b",
    "NEAR(a b)",
    "title:a",
    "lead : b",
    "^a",
    "+a",
    "a'b",
    "'a'",
    "a & b",
    "a | b",
    "!a",
    "a <-> b",
    "a <2> b",
    "a:*",
    "a:A",
    "(a",
    "a)",
    "((((a))))",
    "\\",
    "a\\ b",
    "{title body}: a",
    "a\x00b",
    "\x00\x01\x02\x1f\x7f",
    "a\tb\nc\rd",
    "\u200b\u200bBerlin\u200b",
    "\ufeffBerlin",
    "Москва Berlin 東京 القاهرة",
    "Ελλάδα OR Türkiye",
    "ǅemal Ǆ ǆ",
    "ﬁnanz ﬀ",
    "e\u0301te\u0301",
    "\u0301\u0301\u0301",
    "😀 🇩🇪 Berlin",
    "„Energie Wende“",
    "»Energie Wende«",
    "“Energie Wende”",
    "„unbalanced",
    "x" * 65,
    ("x" * 65) + "*",
    "Straße* -Ärzte*",
    '"' * 500,
    "-" * 500,
    "*" * 500,
    "OR " * 166,
    '-"' * 250,
    "a" * 500,
    " ".join(["Wort"] * 1000),
    " ".join(f"w{number}" for number in range(1000)),
    '"' + " ".join(["Wort"] * 1000) + '"',
]


def _parsed_or_refused(text: str) -> Query | QueryError:
    try:
        return parse(text, LANGUAGES)
    except QueryError as error:
        return error


def _term(word: str) -> Term:
    return Term(word, query_forms(word, LANGUAGES))


def _sequences(*words: str) -> tuple[tuple[str, ...], ...]:
    sequences = (
        tuple(token for word in words for token in query_forms(word, (language,)))
        for language in LANGUAGES
    )
    return tuple(dict.fromkeys(sequences))


def test_every_word_must_match() -> None:
    query = parse("Unruhen Kasachstans", LANGUAGES)
    assert query == Query(clauses=(_term("Unruhen"), _term("Kasachstans")))
    # Stemmed under each language: the German stem finds "Unruhe", "Kasachstan".
    assert "unruh" in _term("Unruhen").forms
    assert _term("Kasachstans").forms == ("kasachstan",)


def test_a_word_is_folded_as_the_index_folds_it() -> None:
    query = parse("ÄRZTE Straße Strasse", LANGUAGES)
    assert query.clauses == (_term("ÄRZTE"), _term("Straße"))
    assert "arzt" in _term("ÄRZTE").forms
    assert _term("Strasse").forms == _term("Straße").forms == ("strass",)


def test_a_phrase_is_one_token_sequence_per_language() -> None:
    query = parse('"Unruhen in Kasachstan"', LANGUAGES)
    assert query.clauses == (
        Phrase("Unruhen in Kasachstan", _sequences("Unruhen", "in", "Kasachstan")),
    )
    assert ("unruh", "in", "kasachstan") in _sequences("Unruhen", "in", "Kasachstan")


def test_a_phrase_the_same_in_every_language_is_looked_for_once() -> None:
    query = parse('"Kasachstan Berlin"', LANGUAGES)
    assert query.clauses == (Phrase("Kasachstan Berlin", (("kasachstan", "berlin"),)),)


def test_words_render_as_all_of_their_forms() -> None:
    query = Query(
        clauses=(Term("Unruhen", ("unruh", "unruhen")), Term("Kasachstans", ("kasachstan",)))
    )
    assert fts5_match(query) == '("unruh" OR "unruhen") AND "kasachstan"'
    assert tsquery(query) == "('unruh' | 'unruhen') & 'kasachstan'"


def test_phrases_render_as_any_of_their_sequences() -> None:
    one = Query(clauses=(Phrase("Kasachstan Berlin", (("kasachstan", "berlin"),)),))
    assert fts5_match(one) == '"kasachstan berlin"'
    assert tsquery(one) == "('kasachstan' <-> 'berlin')"
    several = Query(
        clauses=(
            Phrase(
                "Unruhen in Kasachstan",
                (("unruh", "in", "kasachstan"), ("unruhen", "in", "kasachstan")),
            ),
        )
    )
    assert fts5_match(several) == '("unruh in kasachstan" OR "unruhen in kasachstan")'
    assert tsquery(several) == (
        "(('unruh' <-> 'in' <-> 'kasachstan') | ('unruhen' <-> 'in' <-> 'kasachstan'))"
    )


def test_a_phrase_of_one_word_is_a_word() -> None:
    assert parse('"Kasachstan"', LANGUAGES) == parse("Kasachstan", LANGUAGES)


def test_typographic_quotes_make_phrases() -> None:
    expected = parse('"Energie Wende"', LANGUAGES)
    for text in ("„Energie Wende“", "“Energie Wende”", "»Energie Wende«", "«Energie Wende»"):
        assert parse(text, LANGUAGES) == expected


def test_an_unbalanced_quote_closes_at_the_end() -> None:
    assert parse('Berlin "Energie Wende', LANGUAGES) == parse('Berlin "Energie Wende"', LANGUAGES)


def test_excluded_words_and_phrases() -> None:
    query = parse('Kasachstan -Moskau -"Energie Wende"', LANGUAGES)
    assert query == Query(
        clauses=(Term("Kasachstan", ("kasachstan",)),),
        excluded=(Term("Moskau", ("moskau",)), Phrase("Energie Wende", (("energi", "wend"),))),
    )
    assert fts5_match(query) == '("kasachstan") NOT "moskau" NOT "energi wend"'
    assert tsquery(query) == "'kasachstan' & !'moskau' & !('energi' <-> 'wend')"


def test_many_minus_signs_exclude_once_and_a_lone_one_is_ignored() -> None:
    assert parse("Berlin --Moskau", LANGUAGES) == parse("Berlin -Moskau", LANGUAGES)
    assert parse("Berlin - Moskau -", LANGUAGES) == parse("Berlin Moskau", LANGUAGES)
    # Inside a word a hyphen is the word's: Corona-Krise is one word.
    assert parse("Corona-Krise", LANGUAGES) == Query(clauses=(_term("Corona-Krise"),))


def test_or_joins_the_items_around_it() -> None:
    query = parse("Kasachstan OR Russland OR Belarus", LANGUAGES)
    assert query.clauses == (
        AnyOf(
            (
                Term("Kasachstan", ("kasachstan",)),
                Term("Russland", ("russland",)),
                Term("Belarus", ("belarus",)),
            )
        ),
    )
    assert fts5_match(query) == '("kasachstan" OR "russland" OR "belarus")'
    assert tsquery(query) == "('kasachstan' | 'russland' | 'belarus')"


def test_or_binds_tighter_than_the_and_between_words() -> None:
    query = parse('Berlin Kasachstan OR "Energie Wende"', LANGUAGES)
    assert query.clauses == (
        Term("Berlin", ("berlin",)),
        AnyOf(
            (Term("Kasachstan", ("kasachstan",)), Phrase("Energie Wende", (("energi", "wend"),)))
        ),
    )
    assert fts5_match(query) == '"berlin" AND ("kasachstan" OR "energi wend")'
    assert tsquery(query) == "'berlin' & ('kasachstan' | ('energi' <-> 'wend'))"


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("OR Berlin", "Berlin"),
        ("Berlin OR", "Berlin"),
        ("OR OR Berlin OR OR", "Berlin"),
        ("Berlin OR OR Moskau", "Berlin OR Moskau"),
        ("Berlin OR -Moskau", "Berlin -Moskau"),
        ("-Moskau OR Berlin", "-Moskau Berlin"),
        ("Berlin OR . OR Moskau", "Berlin OR Moskau"),
        ("Berlin OR *", "Berlin"),
    ],
)
def test_a_dangling_or_doubled_or_joins_nothing(text: str, reading: str) -> None:
    assert parse(text, LANGUAGES) == parse(reading, LANGUAGES)


def test_only_an_uppercase_or_is_the_operator() -> None:
    query = parse("Berlin or Moskau", LANGUAGES)
    assert len(query.clauses) == 3
    assert not any(isinstance(clause, AnyOf) for clause in query.clauses)


def test_a_prefix_is_the_folded_word_or_its_stem() -> None:
    # The stem where the word begins with it: Unruhen* finds "Unruhe", indexed as unruh.
    query = parse("Unruhen* Kasachsta*", LANGUAGES)
    assert query.clauses == (Prefix("Unruhen", "unruh"), Prefix("Kasachsta", "kasachsta"))
    assert fts5_match(query) == '"unruh" * AND "kasachsta" *'
    assert tsquery(query) == "'unruh':* & 'kasachsta':*"
    assert parse("Straße*", LANGUAGES).clauses == (Prefix("Straße", "strass"),)
    assert parse("Häuser*", LANGUAGES).clauses == (Prefix("Häuser", "haus"),)
    # The folded word where the stem is no prefix of it.
    assert parse("Vereinbar*", LANGUAGES).clauses == (Prefix("Vereinbar", "vereinbar"),)


def test_an_excluded_prefix() -> None:
    query = parse("Berlin -Mosk*", LANGUAGES)
    assert query.excluded == (Prefix("Mosk", "mosk"),)
    assert fts5_match(query) == '("berlin") NOT "mosk" *'
    assert tsquery(query) == "'berlin' & !'mosk':*"


@pytest.mark.parametrize(
    "text", ["a*", "ab*", "Berlin Ka*", "Berlin -Ka*", "É*", "Öl*", "Äö*", "ss*", "Ä-B*"]
)
def test_a_prefix_shorter_than_the_minimum_is_refused(text: str) -> None:
    with pytest.raises(QueryError) as refused:
        parse(text, LANGUAGES)
    detail = str(refused.value)
    assert f"A prefix needs at least {PREFIX_MIN} letters" in detail
    assert "*" in detail


@pytest.mark.parametrize(
    ("text", "token"),
    [("Gas*", "gas"), ("Öls*", "ols"), ("Straß*", "strass"), ("Iran*", "iran")],
)
def test_a_prefix_of_the_minimum_is_taken(text: str, token: str) -> None:
    assert parse(text, LANGUAGES).clauses == (Prefix(text.rstrip("*"), token),)


@pytest.mark.parametrize(
    ("spellings", "token"),
    [
        (("Loewen*", "Lowen*", "Löwen*", "LÖWEN*", "loewen*"), "low"),
        (("Loewenth*", "Löwenth*", "Lowenth*"), "lowenth"),
        (("Strass*", "Straß*", "STRASS*", "Strasse*", "Straße*"), "strass"),
        (("Aerzt*", "Ärzt*", "Arzt*"), "arzt"),
        (("Muell*", "Müll*", "Mull*"), "mull"),
        (("Feuerw*",), "feuerw"),  # the u between two vowels is no umlaut
        (("Quell*",), "quell"),  # nor the ue of qu
    ],
)
def test_a_prefix_is_folded_as_the_words_it_begins(spellings: tuple[str, ...], token: str) -> None:
    """Each way German is written, as the analyzer folds the whole word: Loewen* meets
    Löwenthal, whose token is lowenthal, as Loewenthal does."""
    for spelling in spellings:
        (prefix,) = parse(spelling, LANGUAGES).clauses
        assert isinstance(prefix, Prefix)
        assert prefix.token == token, spelling


def test_every_german_word_s_token_begins_its_prefix_folding() -> None:
    """Over the German word list: a word's token (stemmed) is where its prefix folding
    begins, so any beginning of the word typed with a star, folded alike, meets the token
    or is met by it. Plain folding (oe kept as oe) fails this for 705 of its words."""
    words = [
        word
        for word in vocabulary("de").known
        if any(pair in word for pair in ("ae", "oe", "ue", "qu", "ss"))
    ]
    words += ["Löwenthal", "Straße", "Äußerung", "Grüße", "Mäuse", "Poesie", "Aue", "Treue"]
    assert len(words) > 10_000
    wrong = [
        word
        for word in words
        if (token := word_token(word, "de")) and not fold_as_token(word, "de").startswith(token)
    ]
    assert not wrong


def test_each_word_knows_where_it_was_typed() -> None:
    text = 'Lindner Lindn "Kasachstn" -Lindn "Lindn Almaty" Lindn, Lindn*'
    query = parse(text, LANGUAGES)
    lindn = query.clauses[1]
    assert isinstance(lindn, Term)
    # Typed twice as a word of its own (once before a comma): one term, at both places;
    # not inside Lindner, nor the excluded one, the one in a phrase of two words or the
    # prefix.
    assert lindn.at == ((8, 13), (48, 53))
    kasachstan = query.clauses[2]
    assert isinstance(kasachstan, Term)
    assert [text[start:end] for start, end in kasachstan.at] == ["Kasachstn"]


def test_a_lone_star_is_ignored() -> None:
    assert parse("Berlin * **", LANGUAGES) == parse("Berlin", LANGUAGES)


def test_a_word_that_gives_no_token_is_dropped() -> None:
    too_long = "x" * 65  # no token is longer than 64 characters, in the index either
    assert parse(f"Berlin ... {too_long} ¿?", LANGUAGES) == parse("Berlin", LANGUAGES)


def test_a_word_the_analyzer_splits_is_looked_for_as_its_tokens_in_a_row() -> None:
    query = parse("U.S.A.", LANGUAGES)
    assert query.clauses == (Phrase("U.S.A.", (("u", "s", "a"),)),)


def test_the_same_clause_twice_is_looked_for_once() -> None:
    assert len(parse("Berlin Berlin", LANGUAGES).clauses) == 1


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "Nothing to search for"),
        ('- * OR "" . ¿', "Nothing to search for"),
        ("-Moskau", "only excludes words"),
        ('-Moskau -"Energie Wende" OR', "only excludes words"),
    ],
)
def test_nothing_positive_left_is_refused(text: str, detail: str) -> None:
    with pytest.raises(QueryError, match=detail):
        parse(text, LANGUAGES)


def test_a_query_error_is_a_422() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse("-x", LANGUAGES)
    assert raised.value.status == HTTPStatus.UNPROCESSABLE_ENTITY


def test_at_most_max_clauses_items() -> None:
    words = [f"wort{number}" for number in range(MAX_CLAUSES + 1)]
    assert len(parse(" ".join(words[:MAX_CLAUSES]), LANGUAGES).clauses) == MAX_CLAUSES
    # Excluded items and items joined by OR count as well.
    for text in (
        " ".join(words),
        " ".join(words[:-1]) + " -" + words[-1],
        " OR ".join(words),
        " ".join(["Wort"] * 1000),
    ):
        with pytest.raises(QueryError, match=f"more than {MAX_CLAUSES} words") as raised:
            parse(text, LANGUAGES)
        assert f"at most {MAX_CLAUSES}" in raised.value.detail


def test_at_most_max_phrase_words_over_all_phrases() -> None:
    half = " ".join(f"wort{number}" for number in range(MAX_PHRASE_WORDS // 2))
    assert len(parse(f'"{half}" "{half}"', LANGUAGES).clauses) == 1
    with pytest.raises(QueryError, match=f"more than {MAX_PHRASE_WORDS} words") as raised:
        parse(f'"{half}" "{half} noch"', LANGUAGES)
    assert f"at most {MAX_PHRASE_WORDS}" in raised.value.detail


# Tokens are quoted; between them only the operators each syntax is rendered with.
_FTS5_TOKEN = re.compile(r'"[^\W_]+(?: [^\W_]+)*"')
_FTS5_REST = re.compile(r"(?:AND|OR|NOT|[ ()*])*")
_TSQUERY_TOKEN = re.compile(r"'[^\W_]+'")
_TSQUERY_REST = re.compile(r"(?:<->|:\*|[ ()&|!])*")


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_gets_a_reading_or_a_clear_422(text: str) -> None:
    outcome = _parsed_or_refused(text)
    if isinstance(outcome, QueryError):
        assert outcome.detail.endswith(".")
        assert len(outcome.detail) < 200
        return
    assert outcome.clauses
    match, query = fts5_match(outcome), tsquery(outcome)
    assert _FTS5_REST.fullmatch(_FTS5_TOKEN.sub("", match)), match
    assert _TSQUERY_REST.fullmatch(_TSQUERY_TOKEN.sub("", query)), query


def _hostile_shapes(length: int) -> list[str]:
    return [
        '"' * length,
        "-" * length,
        "*" * length,
        "a" * length,
        ". " * (length // 2),
        "a " * (length // 2),
        "OR " * (length // 3),
        '-"* ' * (length // 4),
        '"' + "Wort " * (length // 5),
        ("b" * 65 + " ") * (length // 66),
        "a" + "\u0301" * (length - 1),
        "\x00\x01" * (length // 2),
        "-" * (length - 1) + "x",
        "Москва東京" * (length // 7),
    ]


def test_hostile_text_costs_little() -> None:
    """Far over the API's 500 characters: the scanner stops at the first passed limit, and
    what it reads it reads once."""
    for text in _hostile_shapes(100_000):
        assert cpu_seconds(lambda: _parsed_or_refused(text)) < CPU_SECONDS_MAX  # noqa: B023


def test_matches_reads_a_column_as_the_databases_do() -> None:
    column = "unruh in kasachstan aussenpolit"
    assert matches(Term("Unruhen", ("unruhen", "unruh")), column)
    assert not matches(Term("Moskau", ("moskau",)), column)
    assert matches(Prefix("Außen", "auss"), column)
    assert matches(Phrase("in Kasachstan", (("x",), ("in", "kasachstan"))), column)
    assert not matches(Phrase("Kasachstan in", (("kasachstan", "in"),)), column)
    assert matches(AnyOf((Term("Moskau", ("moskau",)), Prefix("Kas", "kas"))), column)
    assert not matches(Term("Moskau", ("moskau",)), "")
    assert not matches(Prefix("Kasachstans", "kasachstans"), column)
    assert not matches(Term("Kasach", ("kasach",)), column)


def test_mentions_finds_any_token_of_a_clause() -> None:
    keywords = "kasachstan unruh"
    assert mentions(Phrase("Unruhen in Almaty", (("unruh", "in", "almaty"),)), keywords)
    assert mentions(Prefix("Kasach", "kasach"), keywords)
    assert not mentions(AnyOf((Term("Moskau", ("moskau",)), Prefix("Ber", "ber"))), keywords)
