"""Highlights and snippets: the words a query found, marked in a hit's title and body."""

import pytest

from app.search import compounds
from app.search.analyzer import query_forms
from app.search.highlights import CANDIDATES_MAX, SCAN_MAX, highlight, snippet
from app.search.terms import AnyOf, Item, Phrase, Prefix, Query, Term
from app.search.wordlists import vocabulary
from tests.cost import cpu_seconds

LANGUAGES = ["de", "en"]


def term(word: str) -> Term:
    return Term(word, query_forms(word, LANGUAGES))


def phrase(text: str) -> Phrase:
    sequences = tuple(
        tuple(form for word in text.split() for form in query_forms(word, [language])[:1])
        for language in LANGUAGES
    )
    return Phrase(text, tuple(dict.fromkeys(sequences)))


def query(*items: Item | AnyOf, excluded: tuple[Item, ...] = ()) -> Query:
    return Query(clauses=items, excluded=excluded)


def test_matched_words_are_marked_in_every_inflection_and_spelling() -> None:
    text = "Die Unruhen in Kasachstans Städten; ÄRZTE in der Strasse von Loewenthal."
    marked = highlight(
        text,
        query(term("Unruhe"), term("Kasachstan"), term("ärzte"), term("Straße"), term("Löwenthal")),
        "de",
    )
    assert marked == (
        "Die <mark>Unruhen</mark> in <mark>Kasachstans</mark> Städten; <mark>ÄRZTE</mark> "
        "in der <mark>Strasse</mark> von <mark>Loewenthal</mark>."
    )


def test_everything_else_is_escaped() -> None:
    text = 'Kasachstan <script>alert("x")</script> & <b>Kasachstan</b>'
    marked = highlight(text, query(term("Kasachstan"), term("script")), "de")
    assert marked == (
        "<mark>Kasachstan</mark> &lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/"
        "<mark>script</mark>&gt; &amp; &lt;b&gt;<mark>Kasachstan</mark>&lt;/b&gt;"
    )
    assert "<script>" not in highlight("<script>", query(term("nichts")), "de")


def test_a_compound_or_hyphenated_word_is_marked_by_its_parts() -> None:
    text = "Die Energiewende, die Außenpolitik und die Corona-Krise."
    marked = highlight(text, query(term("Wende"), term("Politik"), term("Krise")), "de")
    assert marked == (
        "Die <mark>Energiewende</mark>, die <mark>Außenpolitik</mark> und die "
        "<mark>Corona-Krise</mark>."
    )
    # A word merely containing the letters is no compound of the word.
    assert "<mark>" not in highlight("Die Verbraucher", query(term("Raucher")), "de")


def test_a_phrase_marks_its_words_only_where_they_stand_together() -> None:
    text = "Die deutsche Wirtschaft, die deutsche Bahn, die Bahn ist deutsche."
    marked = highlight(text, query(phrase("deutsche Bahn")), "de")
    assert marked == (
        "Die deutsche Wirtschaft, die <mark>deutsche</mark> <mark>Bahn</mark>, "
        "die Bahn ist deutsche."
    )


def test_a_prefix_marks_the_words_it_begins() -> None:
    text = "Kasachstan, kasachische Eisenbahn und Kanada"
    marked = highlight(text, query(Prefix("kasach*", "kasach")), "de")
    assert marked == "<mark>Kasachstan</mark>, <mark>kasachische</mark> Eisenbahn und Kanada"


def test_alternatives_are_marked_and_excluded_words_are_not() -> None:
    text = "Gas aus Russland, Öl aus Kasachstan, Kohle aus Polen"
    marked = highlight(
        text,
        query(AnyOf((term("Gas"), term("Öl"))), excluded=(term("Kohle"), term("Polen"))),
        "de",
    )
    assert (
        marked == "<mark>Gas</mark> aus Russland, <mark>Öl</mark> aus Kasachstan, Kohle aus Polen"
    )


def test_an_english_post_is_matched_by_its_english_forms() -> None:
    marked = highlight(
        "The elections in China’s west", query(term("election"), term("China")), "en"
    )
    assert marked == "The <mark>elections</mark> in <mark>China’s</mark> west"


def test_a_snippet_is_cut_around_the_first_match_at_word_boundaries() -> None:
    before = " ".join(f"vorher{index}" for index in range(100))
    after = " ".join(f"danach{index}" for index in range(100))
    text = f"{before} Die Unruhen in Kasachstan. {after}"
    shown = snippet(text, query(term("Kasachstan")), "de", size=120)
    assert shown.startswith("…vorher")
    assert shown.endswith("…")
    assert "<mark>Kasachstan</mark>" in shown
    inner = shown.removeprefix("…").removesuffix("…")
    # Whole words only: the cut fell on spaces.
    words = inner.replace("<mark>", "").replace("</mark>", "").split()
    assert all(word.startswith(("vorher", "danach")) or word in text.split() for word in words)
    assert words[0] in before.split()
    assert words[-1] in after.split()
    assert 80 <= len(inner) <= 130


def test_a_snippet_without_a_match_is_the_texts_start() -> None:
    text = "Erster Satz des Textes. " * 30
    shown = snippet(text, query(term("Kasachstan")), "de", size=60)
    assert shown.startswith("Erster Satz des Textes.")
    assert shown.endswith("…")
    assert "<mark>" not in shown
    short = "Kurz & <gut>"
    assert snippet(short, query(term("Kasachstan")), "de") == "Kurz &amp; &lt;gut&gt;"


def test_a_snippet_collapses_whitespace_and_marks_what_it_shows() -> None:
    text = "Titel\n\n  Die   Energiewende\tin  Kasachstan"
    shown = snippet(text, query(term("Wende"), term("Kasachstan")), "de")
    assert shown == "Titel Die <mark>Energiewende</mark> in <mark>Kasachstan</mark>"


def test_a_snippet_looks_only_at_the_texts_beginning() -> None:
    text = "wort " * (SCAN_MAX // 5) + "Kasachstan"
    shown = snippet(text, query(term("Kasachstan")), "de")
    assert "<mark>" not in shown
    assert shown.startswith("wort wort")


def test_a_snippet_marks_a_phrase_at_its_end_as_the_whole_text_marks_it() -> None:
    # A snippet reads the text only as far as its window around the first match reaches,
    # and as far again as a phrase there runs on: its marks are those of the whole text.
    wanted = query(term("Kasachstan"), phrase("neue Seidenstraße"))
    cut_in_two = 0
    for words in range(8, 25):
        # Words that begin as a query's word does, and are others: each is looked at.
        text = "Kasachstan " + "Kasachstanreise " * words + "neue Seidenstraße " * 2_000
        assert "<mark>neue</mark> <mark>Seidenstraße</mark>" in highlight(text, wanted, "de")
        shown = snippet(text, wanted, "de", size=240)
        if "neue" in shown:
            assert "<mark>neue</mark>" in shown, shown
        if "neue" in shown and "Seidenstraße" not in shown:
            cut_in_two += 1
    assert cut_in_two > 0  # the phrase's last word past the window's end


def _hostile_texts() -> dict[str, str]:
    return {
        "one word": "a" * 200_000,
        "one-letter words": "a " * 100_000,
        "a- repeated": "a-" * 100_000,
        "apostrophes": "a'" * 100_000,
        "combining marks": "a" + "\u0301\u0327" * 99_999,
        "marked words": ("a" + "\u0301\u0327" * 127 + " ") * 780,
        "matching words": "Kasachstan Kasachstans " * 9_000,
        "compounds": "Energiewende Außenpolitik Energiewenden " * 5_000,
        "markup": "<a>&amp;</a> " * 16_000,
    }


@pytest.mark.parametrize("name", list(_hostile_texts()))
def test_hostile_texts_are_highlighted_cheaply(name: str) -> None:
    text = _hostile_texts()[name]
    vocabulary(compounds.LANGUAGE)
    hostile = query(
        term("a"),
        term("Kasachstan"),
        term("Wende"),
        Prefix("a*", "a"),
        phrase("a a"),
        excluded=(term("amp"),),
    )
    spent = cpu_seconds(lambda: (highlight(text, hostile, "de"), snippet(text, hostile, "de")))
    marked = highlight(text, hostile, "de")
    shown = snippet(text, hostile, "de")
    assert spent < 1.0, f"{name}: {spent:.2f} s"
    assert marked.count("<mark>") <= CANDIDATES_MAX
    assert len(shown) < 5_000  # some 240 characters, escaped and marked
    assert "<a>" not in marked
    assert "<a>" not in shown


def test_a_word_is_found_in_every_case_its_letters_have() -> None:
    # The long s is an s (upper case S), the Kelvin sign a K (lower case k): the probe's
    # letters are spelled out, in every case a case-insensitive match would take.
    text = "SCHULE, Schule, ſchule; \u212aasachstan und KASACHSTAN"
    marked = highlight(text, query(term("Schule"), term("Kasachstan")), "de")
    assert marked == (
        "<mark>SCHULE</mark>, <mark>Schule</mark>, <mark>ſchule</mark>; "
        "<mark>\u212aasachstan</mark> und <mark>KASACHSTAN</mark>"
    )


def test_words_apart_are_no_phrase_whatever_stands_between() -> None:
    # A lone combining mark is a word's character, "_" is none.
    wanted = query(phrase("Kasachstan Krise"))
    assert highlight("Kasachstan \u0301 Krise", wanted, "de") == "Kasachstan \u0301 Krise"
    assert highlight("Kasachstan x Krise", wanted, "de") == "Kasachstan x Krise"
    assert highlight("Kasachstan_Krise", wanted, "de") == (
        "<mark>Kasachstan</mark>_<mark>Krise</mark>"
    )
    assert highlight("Kasachstan-_Krise", query(term("Krise")), "de") == (
        "Kasachstan-_<mark>Krise</mark>"
    )
