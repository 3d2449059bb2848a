"""The analyzer: what a post's words become in the index, and what a query word looks for.

Pure Python (no database): the index and the query only ever compare the tokens made here, so
what is asserted here is what search finds.
"""

import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.search import compounds
from app.search.analyzer import (
    analyse_post,
    fold,
    query_forms,
    split_words,
    word_token,
)
from app.search.terms import MAX_POSITIONS, TOKEN_MAX, Analysed
from app.search.wordlists import vocabulary
from tests.conftest import SEED_DIR
from tests.cost import cpu_seconds

SEED = SEED_DIR / "000_274c5883fd8f2946.txt"


def analyse(body: str = "", *, title: str = "", language: str = "de", **fields: str) -> Analysed:
    return analyse_post(
        title=title,
        excerpt=fields.get("excerpt", ""),
        body=body,
        tags=[],
        source=None,
        language=language,
    )


def found(query_word: str, text: str, language: str = "de") -> bool:
    """Whether a query word (German and English readings) finds a post of ``text``, in any
    column: the index's match, at the analyzer's level."""
    post = analyse(text, language=language)
    held = {*post.body, *post.parts}
    return any(form in held for form in query_forms(query_word, ["de", "en"]))


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("Unruhen", "Die Unruhe im Land wächst."),
        ("Unruhe", "Die Unruhen in Kasachstan."),
        ("Kasachstan", "Angesichts der Bedeutung Kasachstans für Chinas Initiative"),
        ("Kasachstans", "Kasachstan – Ereignisse der letzten 24 Stunden"),
        ("ärzte", "Ärzte warnen vor der Welle"),
        ("ÄRZTE", "die ärzte warnen"),
        ("aerzte", "Ärzte warnen"),
        ("Strasse", "Die Neue Seidenstraße und die Straße"),
        ("Straße", "in der Strasse"),
        ("Loewenthal", "Ein Gespräch mit Löwenthal"),
        ("Lowenthal", "Ein Gespräch mit Löwenthal"),
        ("Löwenthal", "Ein Gespräch mit Loewenthal"),
        ("wende", "die deutsche Energiewende"),
        ("Energie", "die deutsche Energiewende"),
        ("Politik", "Die Außenpolitik des Präsidenten"),
        ("Aussen", "Die Außenpolitik des Präsidenten"),
        ("Regierung", "Die Bundesregierung beschließt"),
        ("Krise", "Die Corona-Krise dauert an"),
        ("Corona", "Die Corona-Krise dauert an"),
        ("Corona-Krise", "Die Corona-Krise dauert an"),
        ("Infrastrukturinitiative", "die EU-Infrastrukturinitiative Global Gateway"),
        ("2022", "Im Jahr 2022 erreichten die Investitionen"),
        ("China", "China’s Tianjin fights against Covid"),
    ],
)
def test_a_query_word_finds_its_forms_and_spellings(query: str, text: str) -> None:
    assert found(query, text)


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("Unruhen", "Die Ruhe im Land"),
        ("Raucher", "Die Verbraucher zahlen mehr"),  # ver-brauch-er, not Verb + Raucher
        ("nehmen", "Deutsche Unternehmen investieren"),  # no part is a common word
        ("Wirt", "Die deutsche Wirtschaft"),  # -schaft is a suffix
        ("Krise", "Die Krisen-"),  # not a word of the text: only "Krisen" is
        ("Energie", "Kasachstan und China"),
    ],
)
def test_a_query_word_does_not_find_what_merely_resembles_it(query: str, text: str) -> None:
    if query == "Krise":
        # "Krisen-" is the word Krisen; its hyphen joins nothing. Krisen and Krise share a
        # stem, so the word is found: a trailing hyphen neither hides nor adds anything.
        assert found(query, text)
        assert analyse(text).parts == []
        return
    assert not found(query, text)


def test_english_posts_are_stemmed_as_english() -> None:
    post = analyse("The elections were held; the election was won.", language="en")
    assert post.body.count("elect") == 2
    assert word_token("elections", "en") == word_token("election", "en") == "elect"
    # English's stemmer takes the possessive: China's is China.
    assert word_token("China’s", "en") == word_token("China", "en") == "china"
    # Elsewhere the possessive is the apostrophe genitive (German) or a plural (Dutch).
    assert word_token("China’s", "de") == word_token("China", "de") == "china"
    assert word_token("auto's", "nl") == word_token("auto", "nl")
    assert word_token("aujourd'hui", "fr") == "aujourdhui"
    # The same words under German's rules are other tokens: a post's language matters.
    assert word_token("elections", "de") != "elect"
    assert analyse("China's", language="en").body == ["china"]


def test_a_query_matches_across_languages() -> None:
    assert query_forms("elections", ["de", "en"]) == ("election", "elect")
    assert query_forms("Kasachstan", ["de", "en"]) == ("kasachstan",)


def test_german_stemming_takes_inflections_and_spellings_together() -> None:
    assert word_token("Unruhen", "de") == word_token("Unruhe", "de")
    assert word_token("Kasachstans", "de") == word_token("Kasachstan", "de")
    assert word_token("ärzte", "de") == word_token("Ärzte", "de") == word_token("AERZTE", "de")
    assert word_token("Strasse", "de") == word_token("Straße", "de") == word_token("STRASSE", "de")
    assert word_token("Loewenthal", "de") == word_token("Lowenthal", "de")
    assert word_token("Lowenthal", "de") == word_token("Löwenthal", "de") == "lowenthal"
    # A region of a language, or its code in capitals, is the language.
    assert word_token("Unruhen", "de-AT") == word_token("Unruhen", "DE") == "unruh"


def test_a_language_without_a_stemmer_is_folded_only() -> None:
    assert word_token("Kasachstans", "zz") == "kasachstans"
    assert word_token("Straße", "zz") == "strasse"


def test_tokens_are_letters_and_digits_of_at_most_64_characters() -> None:
    text = (
        "«Zitat» (Klammer) [1] https://example.org/a_b?c=d&e=f #hash @name 3,14 "
        "e-mail – Gedanke — Strich ½ x² ﬁnal Ｋａｓａｃｈｓｔａｎ "
        "Lo\u0308wenthal " + "a" * 64 + " " + "b" * 65  # decomposed: o and a combining diaeresis
    )
    post = analyse(text, title="Über <b>Titel</b>")
    tokens = [*post.title, *post.lead, *post.body, *post.parts]
    assert tokens
    for token in tokens:
        assert 1 <= len(token) <= TOKEN_MAX
        assert token.isalnum()
        assert token == token.lower()
        assert fold(token) == token  # no diacritics left
    assert "a" * 64 in post.body
    assert not any(token.startswith("bbb") for token in tokens)  # 65 letters: no token
    assert {"kasachstan", "lowenthal", "final", "x2", "email"} <= set(post.body)
    assert {"e", "mail"} <= set(post.parts)
    # Underscore separates words like any punctuation.
    assert split_words("a_b c") == ["a", "b", "c"]


def test_word_token_leaves_out_what_is_no_token() -> None:
    for word in ["", "-", "'", "…", "a b", "x" * 65, "\u0301"]:
        assert word_token(word, "de") is None
    assert query_forms("…", ["de", "en"]) == ()


def test_words_split_on_punctuation_keep_hyphens_and_apostrophes_inside() -> None:
    assert split_words("Die EU-Infrastrukturinitiative, China’s Wirtschafts- und -x- a--b") == [
        "Die",
        "EU-Infrastrukturinitiative",
        "China’s",
        "Wirtschafts",
        "und",
        "x",
        "a",
        "b",
    ]


def test_a_hyphenated_word_is_one_token_and_its_pieces_are_parts() -> None:
    post = analyse("Die Corona-Krise und die EU-Infrastrukturinitiative")
    assert post.body == ["die", "coronakris", "und", "die", "euinfrastrukturinitiativ"]
    assert post.parts == [
        "corona",
        "kris",
        "eu",
        "infrastrukturinitiativ",
        "infrastruktur",
        "initiativ",
    ]


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("energiewende", ["energie", "wende"]),
        ("außenpolitik", ["aussen", "politik"]),
        ("aussenpolitik", ["aussen", "politik"]),
        ("bundesregierung", ["bund", "regierung"]),
        ("wasserstoff", ["wasser", "stoff"]),
        ("nachbarländern", ["nachbar", "ländern"]),
        ("wirtschaftsgürtel", ["wirtschaft", "gürtel"]),
        ("sicherheitsangelegenheiten", ["sicherheit", "angelegenheiten"]),
        ("verbraucherschutzministerium", ["verbrauch", "schutz", "ministerium"]),
        ("verbraucher", []),
        ("verbrauch", []),
        ("wirtschaft", []),
        ("wirtschafts", []),
        ("region", []),
        ("sanktionen", []),
        ("unternehmen", []),
        ("beispiel", []),
        ("zusammenarbeit", []),
        ("kasachstan", []),
        ("notwendig", []),  # known, and more frequent than Not + wendig
        ("energie", []),
        ("a" * 41, []),
    ],
)
def test_compounds_split_where_the_parts_are_words(word: str, parts: list[str]) -> None:
    assert list(compounds.split(word)) == parts


def test_compound_parts_are_analysed_into_the_parts_stream() -> None:
    post = analyse("Die Energiewende und die Außenpolitik", title="Bundesregierung")
    assert post.title == ["bundesregier"]
    assert post.body == ["die", "energiew", "und", "die", "aussenpolit"]
    assert post.parts == ["bund", "regier", "energi", "wend", "auss", "polit"]
    # Compounds are German only: an English post's words are not split.
    assert analyse("Energiewende", language="en").parts == []


def test_the_lead_is_excerpt_tags_and_source() -> None:
    post = analyse_post(
        title="Titel",
        excerpt="Die Unruhen",
        body="Text",
        tags=["Kasachstan", "Energie-Politik"],
        source="TASS",
        language="de",
    )
    assert post.lead == ["die", "unruh", "kasachstan", "energiepolit", "tass"]
    assert post.parts == ["energi", "polit"]


def test_words_keep_folded_surface_words_with_their_first_spelling() -> None:
    post = analyse_post(
        title="Kasachstan und Löwenthal",
        excerpt="",
        body="KASACHSTAN, kasachstan, Corona-Krise, China’s 2022 ab Straße x" + "y" * 45,
        tags=["Tag"],
        source="TASS",
        language="de",
    )
    assert post.words == {
        "kasachstan": "Kasachstan",
        "und": "und",
        "lowenthal": "Löwenthal",
        "tag": "Tag",
        "tass": "TASS",
        "corona": "Corona",
        "krise": "Krise",
        "china": "China",
        "strasse": "Straße",
    }


def test_keywords_are_the_most_frequent_uncommon_tokens_of_lead_and_body() -> None:
    body = (
        "Kasachstan Kasachstan Kasachstans Unruhen Unruhe Energie "
        "und und und und die die die die nicht nicht nicht wirklich wirklich wirklich "
        "Gas Gas Gas Gas"  # shorter than 4: no keyword
    )
    post = analyse(body, title="Titel Titel Titel Titel", excerpt="Energie Pipeline")
    # Energie and Unruhen twice each: Energie first, in the lead.
    assert post.keywords == ["kasachstan", "energi", "unruh", "pipelin"]


def test_keywords_are_at_most_twenty_ties_in_text_order() -> None:
    words = [f"w{index:02d}x" for index in range(25)]  # words no stemmer shortens
    post = analyse(" ".join(words + words[3:5]))
    assert post.keywords[:2] == ["w03x", "w04x"]
    assert post.keywords[2:] == words[:3] + words[5:20]
    assert len(post.keywords) == 20


def test_a_repeated_word_keeps_every_position_and_is_one_keyword() -> None:
    # The index's rendering makes occurrences past the 256th filler (tests/test_search_index.py).
    post = analyse("Kasachstan " * 300, title="Kasachstan", excerpt="Kasachstan")
    assert post.title == ["kasachstan"]
    assert post.lead == ["kasachstan"]
    assert post.body == ["kasachstan"] * 300
    assert post.keywords == ["kasachstan"]


def test_a_post_holds_at_most_max_positions_tokens() -> None:
    body = " ".join(f"Energiewende{i} Corona-Krise" for i in range(MAX_POSITIONS))
    post = analyse(body, title="Titel", excerpt="Auszug")
    assert post.title == ["titel"]
    assert post.lead == ["auszug"]
    total = len(post.title) + len(post.lead) + len(post.body) + len(post.parts)
    assert total == MAX_POSITIONS
    # What was kept is the body's beginning with its parts, not a body cut off from them.
    assert post.body[:4] == ["energiewende0", "coronakris", "energiewende1", "coronakris"]
    assert post.parts[:2] == ["corona", "kris"]
    assert len(post.words) < 10


def test_a_seed_article_analyses_quickly_and_finds_its_words() -> None:
    if not SEED.is_file():
        pytest.skip("the shared seed archive is not beside the project")
    text = SEED.read_text(encoding="utf-8")
    vocabulary(compounds.LANGUAGE)
    assert cpu_seconds(lambda: analyse(text)) < 1.0
    post = analyse(text)
    assert {"kasachstan", "unruh", "energiew", "2022"} <= set(post.body)
    assert {"wend", "polit", "nachbar"} <= set(post.parts)
    assert post.keywords[0] == "kasachstan"


def _hostile_bodies() -> dict[str, str]:
    rng = random.Random(7)
    syllables = ["aal", "aale", "aals", "ente", "enten", "nase", "haus", "bund", "wende"]
    letters = "abcdefghijklmnopqrstuvwxyzäöüß"
    return {
        "one word": "a" * 200_000,
        "one-letter words": "a " * 100_000,
        "hyphenated words": " ".join(f"Wort{i}-Teil{i}" for i in range(40_000))[:200_000],
        "a- repeated": "a-" * 100_000,
        "apostrophes": "a'" * 100_000,
        "combining marks": "a" + "\u0301\u0327" * 99_999,
        "marked words": ("a" + "\u0301\u0327" * 127 + " ") * 780,
        "compound-like words": " ".join(
            "".join(rng.choice(syllables) for _ in range(9)) for _ in range(6_000)
        )[:200_000],
        "distinct words": " ".join(
            "".join(rng.choice(letters) for _ in range(rng.randint(3, 12))) for _ in range(30_000)
        )[:200_000],
    }


@pytest.mark.parametrize("name", list(_hostile_bodies()))
def test_hostile_bodies_cost_well_under_a_second(name: str) -> None:
    body = _hostile_bodies()[name]
    vocabulary(compounds.LANGUAGE)
    analyse("warm", language="en")  # the English common words are read once per process
    for language in ("de", "en"):
        spent = cpu_seconds(lambda: analyse(body, language=language))  # noqa: B023
        post = analyse(body, language=language)
        assert spent < 2.0, f"{name} ({language}): {spent:.2f} s"
        assert len(post.body) + len(post.parts) <= MAX_POSITIONS


def test_threads_analysing_at_once_get_what_one_thread_gets() -> None:
    # A stemmer has state: each thread must have its own, or words come out mangled.
    texts = [
        " ".join(f"Unruhen{index} Energiewende Kasachstans elections Ärzte" for index in range(n))
        for n in range(200, 216)
    ]
    languages = ["de", "en"] * 8
    alone = [analyse(text, language=lang) for text, lang in zip(texts, languages, strict=True)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(
            pool.map(
                lambda pair: analyse(pair[0], language=pair[1]), zip(texts, languages, strict=True)
            )
        )
    assert together == alone


def test_a_language_without_a_word_list_still_has_keywords() -> None:
    post = analyse("Riksdagen Riksdagen och regeringen", language="sv")
    assert post.body == [
        word_token(word, "sv") for word in ["Riksdagen", "Riksdagen", "och", "regeringen"]
    ]
    assert post.keywords[0] == word_token("Riksdagen", "sv")
