"""Highlighting looks only at the words its probe (a token's first letters) occurs in: the
probe may lose no word the query matches, whatever its stemmer makes of the word's end."""

import gzip
import html
import importlib.resources
import json
import re
from functools import cache

import pytest

from app.search import compounds
from app.search.analyzer import Analyser, query_forms
from app.search.highlights import (
    CANDIDATES_MAX,
    STEM_TAILS,
    _branches,
    _class,
    _letters,
    _needles,
    _one_of,
    _probe_length,
    highlight,
    snippet,
)
from app.search.terms import Prefix, Query, Term
from app.search.wordlists import vocabulary
from app.search.words import JOINERS, word_spans
from tests.cost import cpu_seconds

# Every word of each list, one in this many.
SAMPLE_STEP = 300


def query(word: str, language: str) -> Query:
    return Query(clauses=(Term(word, query_forms(word, [language])),))


def marked(text: str, wanted: Query, language: str) -> list[str]:
    shown = highlight(text, wanted, language)
    return [piece.split("</mark>")[0] for piece in shown.split("<mark>")[1:]]


@pytest.mark.parametrize(
    ("language", "typed", "text", "words"),
    [
        # The stem ends in a letter the word does not have, or lacks a few of its last ones.
        ("en", "Germany", "Germany’s GERMANY germane", ["Germany’s", "GERMANY"]),
        ("en", "happiness", "a happy man, happily", ["happy"]),
        ("fr", "compliqué", "Des complications compliquées", ["complications", "compliquées"]),
        ("fr", "fréquent", "Il vient fréquemment", ["fréquemment"]),
        ("es", "adolescente", "la adolescencia", ["adolescencia"]),
        # A token is its word's pieces joined: its letters stand on both sides of a joiner.
        ("de", "Coronakrise", "Die Corona-Krise", ["Corona-Krise"]),
        ("en", "d'Ivoire", "Côte d’Ivoire", ["d’Ivoire"]),
        # Umlauts and ß as they may be written.
        ("de", "Häuserkampf", "HAEUSERKAMPF und Häuserkämpfe", ["HAEUSERKAMPF", "Häuserkämpfe"]),
        (
            "de",
            "Strassenbahn",
            "Die Straßenbahnen, die STRASSENBAHN",
            ["Straßenbahnen", "STRASSENBAHN"],
        ),
        ("de", "Löwenthal", "Loewenthals Buch", ["Loewenthals"]),
        # A compound's part, in any spelling.
        ("de", "Politik", "Außenpolitik und Aussenpolitik", ["Außenpolitik", "Aussenpolitik"]),
        ("de", "Bahn", "Straßenbahnen", ["Straßenbahnen"]),
        # A part whose stem is no piece of the word as written.
        ("en", "Germany", "a Germany-based firm", ["Germany-based"]),
        ("de", "zueinander", "zueinanderfindenden", ["zueinanderfindenden"]),
    ],
)
def test_a_word_is_marked_whatever_its_stemmer_makes_of_its_end(
    language: str, typed: str, text: str, words: list[str]
) -> None:
    assert marked(text, query(typed, language), language) == words


def test_a_prefix_marks_the_words_it_begins_in_every_spelling() -> None:
    wanted = Query(clauses=(Prefix("Löwenth*", "lowenth"),))
    assert marked("Loewenthal, Löwenthals, Lowenthaler", wanted, "de") == [
        "Loewenthal",
        "Löwenthals",
        "Lowenthaler",
    ]


@cache
def _listed(language: str) -> list[str]:
    """One in SAMPLE_STEP of the words the spell checker's list of ``language`` holds, as
    written."""
    resource = importlib.resources.files("spellchecker") / "resources" / f"{language}.json.gz"
    with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as unpacked:
        listed = sorted(json.load(unpacked))
    return listed[::SAMPLE_STEP]


@pytest.mark.parametrize("language", ["de", "en", "fr", "es", "ru"])
def test_every_listed_word_is_marked_by_itself_and_by_its_parts(language: str) -> None:
    assert language in STEM_TAILS
    analyser = Analyser(language)
    lost: list[tuple[str, str]] = []
    for word in _listed(language):
        if len(word) > compounds.MAX_LETTERS or [*word_spans(word)] != [(0, len(word))]:
            continue
        forms = analyser.word(word)
        tokens = ((forms.token,) if forms.token else ()) + forms.parts
        for token in tokens:
            wanted = Query(clauses=(Term(token, (token,)),))
            if highlight(word, wanted, language) != f"<mark>{html.escape(word)}</mark>":
                lost.append((word, token))
    assert lost == []


def test_a_text_made_to_meet_the_probe_everywhere_costs_little() -> None:
    vocabulary(compounds.LANGUAGE)
    wanted = query("Kasachstanreise", "de")  # its probe: kasachstanre
    # Words that begin as the query's word does, but are other words.
    texts = [
        "Kasachstanreich " * 15_000,
        "Kasachstanreich-" * 15_000,
        "Kasachstanreich" * 15_000,
        "Kaesaechstaenreich " * 12_000,
        "Ka-sa-chs-tan-re " * 12_000,
    ]
    for text in texts:
        spent = cpu_seconds(lambda: (highlight(text, wanted, "de"), snippet(text, wanted, "de")))  # noqa: B023
        shown = highlight(text, wanted, "de")
        cut = snippet(text, wanted, "de")
        assert spent < 1.0, f"{text[:20]}: {spent:.2f} s"
        assert shown.count("<mark>") <= CANDIDATES_MAX
        assert "<mark>" not in cut


def test_a_query_of_many_long_words_on_words_that_begin_alike_costs_little() -> None:
    vocabulary(compounds.LANGUAGE)
    letters = "abcdefghijklmnopqrstuvwxyzäöüß"
    words = [
        "".join(letters[(i * 7 + j * 11) % len(letters)] for j in range(29)) for i in range(16)
    ]
    languages = ["de", "en", "fr", "es", "it", "ru"]
    wanted = Query(clauses=tuple(Term(word, query_forms(word, languages)) for word in words))
    # Every word a candidate: each begins as a query word does, none is one.
    ends = [a + b for a in letters for b in letters]
    text = " ".join(f"{words[index % 16][:20]}{ends[index]}" for index in range(len(ends)))
    spent = cpu_seconds(lambda: (highlight(text, wanted, "de"), snippet(text, wanted, "de")))
    shown = highlight(text, wanted, "de")
    cut = snippet(text, wanted, "de")
    assert spent < 1.0, f"{spent:.2f} s"
    assert "<mark>" not in shown + cut


def test_the_letters_after_a_probes_first_match_exactly_their_class() -> None:
    # They are written as a cheaper pattern than a class (app.search.highlights._one_of): the
    # same characters, one at a time, also in a lookbehind, whatever the code point.
    everything = "".join(chr(code) for code in range(0x30000) if not 0xD800 <= code < 0xE000)
    sets = [_letters(letter) for letter in "abcdefghijklmnopqrstuvwxyz0123456789ßæøœþıł"]
    sets += ["".join(sorted(JOINERS)), _letters("s") + "ßẞ"]
    for letters in sets:
        wanted = set(letters)
        assert set(re.findall(_class(letters), everything)) == wanted
        assert set(re.findall(_one_of(letters), everything)) == wanted
        behind = re.compile(f"(?s).(?<={_one_of(letters)})")
        assert set(behind.findall(everything)) == wanted


def test_a_probe_leaves_out_the_branches_another_begins_and_finds_the_same_words() -> None:
    # A word's forms (straßenbahn, straßenbahnen) begin alike: the longer's branch can match
    # only where the shorter's does, and only where a match begins is used.
    languages = ["de", "en", "fr", "es", "it", "ru"]
    words = ["Straßenbahnen", "Frelmleben", "Häuserkämpfe", "Kasachstan", "Ärzte"]
    wanted = Query(clauses=tuple(Term(word, query_forms(word, languages)) for word in words))
    probe = _needles(wanted, "de").probe
    assert probe is not None
    tokens = {form for clause in wanted.clauses for form in clause.forms}  # type: ignore[union-attr]
    branches = [b for token in tokens for b in _branches(token, _probe_length(token, "de"))]
    every = "|".join(f"(?<={_one_of(b.first)}){b.rest}" for b in dict.fromkeys(branches))
    first = "".join(dict.fromkeys(char for branch in branches for char in branch.first))
    unpruned = re.compile(f"{_class(first)}(?:{every})")
    assert len(probe.pattern) < len(unpruned.pattern)
    text = (
        "Die STRASSENBAHNEN, Straßen-Bahn und Strassenbahn; frelmlebens Frelm-leben FRELML "
        "Haeuserkaempfe Häuser-kämpfe HÄUSER Kasach-stan kasachstans Kaſachſtan ÄRZTE Aerzte "
        "Arzt Ärztin strasse Frel Käse Strß"
    )
    for at in range(len(text)):
        assert bool(probe.match(text, at)) == bool(unpruned.match(text, at)), text[at:]
