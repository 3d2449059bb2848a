"""The load benchmark's dataset: its words are distributed like a real archive's (many in one
post only, a few in most), its rows are what the API would make of them, and the search
benchmark's rare band is made of words that really are rare."""

import random
import re
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy import text

from app.core.db import Database
from app.core.html import make_excerpt, render_markdown
from app.search.index import reindex
from bench import cache
from bench.dataset import VERSION, generate_posts, plan
from bench.lexicon import WORD_MAX, Kind, Lexicon
from bench.search_index import index_dataset
from bench.search_load import (
    RARE_SHARE,
    SampledPost,
    Vocabulary,
    choose_bands,
    document_counts,
    rare_vocabulary,
    words,
)
from tests.factories import make_account, make_post

POSTS = 2000


def _generate(seed: int, posts: int = POSTS) -> list[dict[str, Any]]:
    planned = plan(posts, seed, 20)
    rows = generate_posts(
        planned.rng,
        days=planned.days,
        pool=planned.pool,
        writer=planned.writer,
        sources=list(enumerate(planned.specs, start=1)),
        tag_ids=list(range(1, 53)),
        author_id=1,
    )
    return [row for row, _ in rows]


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return _generate(seed=1)


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon(1)


def _text(row: dict[str, Any]) -> str:
    return f"{row['title']} {row['body']}"


def test_the_same_seed_gives_the_same_posts(rows: list[dict[str, Any]]) -> None:
    assert _generate(seed=1) == rows
    other = _generate(seed=2, posts=50)
    assert [row["body"] for row in other[:50]] != [row["body"] for row in rows[:50]]
    assert Lexicon(2).words != Lexicon(1).words


def test_bodies_keep_their_size_and_render_as_the_api_renders_them(
    rows: list[dict[str, Any]],
) -> None:
    assert all(2000 <= len(row["body"].encode()) <= 4000 for row in rows)
    # The post's words were put into blocks rendered before they were drawn.
    for row in rows[::10]:
        assert row["body_html"] == render_markdown(row["body"]), row["id"]
        assert row["excerpt"] == make_excerpt(row["body"]), row["id"]
        assert "Qz" not in row["body"]


def test_the_lexicon_holds_tens_of_thousands_of_words_that_need_no_escaping(
    lexicon: Lexicon,
) -> None:
    every = [word for kind in Kind for word in lexicon.words[kind]]
    assert len(every) >= 40_000
    assert len({word.casefold() for word in every}) == len(every)
    letters = re.compile(r"[^\W\d_]+")
    for word in every:
        assert all(letters.fullmatch(name) for name in word.split(" ")), word
        assert len(word.encode()) <= WORD_MAX
    assert any("ß" in word for word in lexicon.words[Kind.PLACE])
    assert any(set("äöü") & set(word) for word in lexicon.words[Kind.PERSON])


def test_the_vocabulary_is_zipf_like(rows: list[dict[str, Any]]) -> None:
    counts = document_counts(_text(row) for row in rows)
    by_posts = sorted(counts.values(), reverse=True)
    # Thousands of distinct words, most of them in a single post, a few in most posts.
    assert len(counts) > 5000
    assert sum(found == 1 for found in by_posts) > len(counts) / 2
    assert sum(found > POSTS / 2 for found in by_posts) >= 10
    # Rarer by rank: the 100th word is in far more posts than the 1,000th.
    assert by_posts[99] > 10 * by_posts[999]


def test_a_post_names_its_topic_again_and_again(
    rows: list[dict[str, Any]], lexicon: Lexicon
) -> None:
    names = {word.split(" ")[-1].casefold() for kind in Kind for word in lexicon.words[kind]}
    repeated = titled = 0
    for row in rows:
        named = Counter(word for word in words(_text(row)) if word in names)
        repeated += max(named.values(), default=0) >= 3
        titled += any(word in names for word in words(row["title"]))
    assert repeated > 0.9 * POSTS
    assert titled > 0.5 * POSTS


def test_the_rare_band_of_a_generated_dataset_is_real(rows: list[dict[str, Any]]) -> None:
    sample = [SampledPost(_text(row), None, "2026-10") for row in rows]
    band = choose_bands(sample, random.Random(1), count=100)["rare"]
    assert band.note == ""
    assert band.max_share < RARE_SHARE
    assert band.words > 1000
    texts = [set(words(post.text)) for post in sample]
    for query in band.queries[:20]:
        word = parse_qs(query)["q"][0].casefold()
        assert 0 < sum(word in found for found in texts) < RARE_SHARE * POSTS


def test_the_rare_band_takes_the_whole_datasets_shares_over_a_samples() -> None:
    """The index's vocabulary counts every post: its rare words make the band, whatever the
    sample shows (here: no word in fewer than 0.1 % of its posts)."""
    sample = [
        SampledPost(f"Haushalt Zeitung Gelegentlich{'abcdefghij'[n % 10]}", None, "2026-10")
        for n in range(2000)
    ]
    alone = choose_bands(sample, random.Random(1), count=30)["rare"]
    assert "rarest tenth" in alone.note
    rare = {f"Seltenwort{letter}": 0.0004 for letter in "abcdefghijklmnopqrstuvwxyz"}
    bands = choose_bands(sample, random.Random(1), count=30, vocabulary=Vocabulary(10**5, rare))
    band = bands["rare"]
    assert {parse_qs(query)["q"][0] for query in band.queries} <= set(rare)
    assert len(band.queries) == 30
    assert band.words == len(rare)
    assert band.max_share == 0.0004
    assert band.note == ""


def test_datasets_of_another_shape_are_cached_under_another_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = cache.key("sqlite", 100_000, 1)
    monkeypatch.setattr(cache, "VERSION", VERSION + 1)
    assert cache.key("sqlite", 100_000, 1) != now


def test_rare_words_are_counted_over_the_whole_index(db: Database, database_url: str) -> None:
    editor = make_account(db)
    for number, name in enumerate(["Kolbenfeld", "Wrawonbrink", "Süßmilchau", "Trelandis"]):
        body = f"Gemeinsam berichten alle über {name}."
        if number < 2:
            body += " Zweimalig erwähnt."
        make_post(db, editor, title=f"Bericht {name}", body=body)
    assert index_dataset(database_url) == 4
    with db.engine.connect() as connection:
        vocabulary = rare_vocabulary(connection, share=0.5)
    assert vocabulary is not None
    assert vocabulary.posts == 4
    # In one post of four: rare at 50 %; in two or four: not.
    assert {"Kolbenfeld", "Wrawonbrink", "Süßmilchau", "Trelandis"} <= set(vocabulary.rare)
    assert not {"Gemeinsam", "Zweimalig", "Bericht", "berichten"} & set(vocabulary.rare)
    assert vocabulary.rare["Trelandis"] == 0.25
    # Indexing again counts each word again and never down: a word never looks rarer.
    reindex(db, ["de"])
    with db.engine.connect() as connection:
        again = rare_vocabulary(connection, share=0.5)
        indexed = connection.execute(text("SELECT count(*) FROM post_search")).scalar_one()
    assert indexed == 4
    assert again is not None
    # Each name is now counted in two posts of four: none is rare at 50 % any more.
    assert again.rare == {}


def test_without_an_index_there_is_no_vocabulary(db: Database) -> None:
    editor = make_account(db)
    make_post(db, editor, title="Ohne Index", body="Nichts ist indexiert.")
    with db.engine.connect() as connection:
        assert rare_vocabulary(connection) is None
