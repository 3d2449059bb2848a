"""The search benchmarks' plumbing: the relevance corpus and its judgments, the figures, the
corpus's loading through the API, and the load benchmark's search queries by frequency band.

None of it needs the search endpoint: these are what the relevance and speed figures rest on.
"""

import math
from collections import Counter

import pytest
from fastapi.testclient import TestClient

from app.core.db import Database
from app.search.analyzer import fold
from bench import search_corpus
from bench.search_corpus import BY_SLUG, SOURCES, CorpusPost, generate, load, read
from bench.search_queries import QUERIES, Judged
from bench.search_relevance import Outcome, Run, disagreements, ndcg_at, precision_at, recall
from tests.factories import make_account


@pytest.fixture(scope="module")
def corpus() -> list[CorpusPost]:
    return read()


def _text(post: CorpusPost) -> str:
    """What the index reads of a post, folded: title, body, tags and the source's name."""
    return fold(" ".join([post.title, post.body, *post.tags, BY_SLUG[post.source].name]))


def test_the_committed_corpus_is_what_the_generator_makes() -> None:
    assert search_corpus.as_json(generate()) == search_corpus.FILE.read_text()
    assert generate(seed=7)[:5] == generate(seed=7)[:5]
    assert generate(seed=7)[:5] != generate(seed=8)[:5]


def test_the_corpus_has_the_seeds_shape_and_variety(corpus: list[CorpusPost]) -> None:
    assert len(corpus) >= 300
    english = sum(post.language == "en" for post in corpus)
    assert 0.08 <= english / len(corpus) <= 0.15
    assert len({post.source for post in corpus}) == len(SOURCES) >= 6
    assert len({post.month for post in corpus}) >= 4
    assert len({post.topic for post in corpus}) >= 25
    for post in corpus:
        assert post.title.endswith(f" ({BY_SLUG[post.source].name})")
        assert f"\n{post.original_url}" in post.body
        assert ("Weiterlesen" if post.language == "de" else "Read more") in post.body
        assert post.credit is None or post.body.endswith(post.credit)
    assert any(post.credit for post in corpus)
    assert [post.published_at for post in corpus] == sorted(post.published_at for post in corpus)
    words = " ".join(post.title + " " + post.body for post in corpus)
    for written in ("Unruhen", "Unruhe ", "Kasachstans", "Energiewende", "Außenpolitik",
                    "Wasserstoffstrategie", "Ärzte", "Straße", "Löwenthal", "Lockdown"):  # fmt: skip
        assert written in words


def test_there_are_forty_queries_covering_every_feature(corpus: list[CorpusPost]) -> None:
    assert len(QUERIES) >= 40
    covered = Counter(query.covers for query in QUERIES)
    for feature in ("word", "inflection", "folding", "umlaut", "sharp s", "compound", "phrase",
                    "or", "exclusion", "prefix", "english", "filter", "two words"):  # fmt: skip
        assert covered[feature] >= 1, feature
    assert {query.q for query in QUERIES} >= {"Strasse", "Aerzte", "Loewenthal", "Wende", "Politik"}
    assert any(query.source for query in QUERIES)
    assert any(query.month for query in QUERIES)
    for query in QUERIES:
        assert query.relevant(corpus), query


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: f"{query.q} {query.params()}")
def test_the_labels_agree_with_the_text(query: Judged, corpus: list[CorpusPost]) -> None:
    """Judged by construction: every post of the query's topics holds the words it looks for,
    and no post of another topic holds any of them."""
    for post in corpus:
        holds = any(evidence in _text(post) for evidence in query.evidence)
        assert holds == (post.topic in query.topics), (post.number, post.topic, query.evidence)


def test_filters_narrow_the_judgments(corpus: list[CorpusPost]) -> None:
    base = Judged("Kasachstan", "word", ("kasachstan",), ("kasachstan",))
    by_source = Judged("Kasachstan", "filter", ("kasachstan",), ("kasachstan",), source="tass")
    by_month = Judged("Kasachstan", "filter", ("kasachstan",), ("kasachstan",), month="2022-01")
    assert by_source.relevant(corpus) < base.relevant(corpus)
    assert by_month.relevant(corpus) < base.relevant(corpus)
    assert {corpus[n - 1].source for n in by_source.relevant(corpus)} == {"tass"}
    assert {corpus[n - 1].month for n in by_month.relevant(corpus)} == {"2022-01"}
    assert by_source.params() == "q=Kasachstan&source=tass"
    assert by_month.params() == (
        "q=Kasachstan&after=2022-01-01T00%3A00%3A00%2B01%3A00"
        "&before=2022-02-01T00%3A00%3A00%2B01%3A00"
    )
    december = Judged("x", "filter", ("x",), ("x",), month="2021-12")
    assert "before=2022-01-01" in december.params()


def test_recall_precision_and_ndcg() -> None:
    relevant = {1, 2, 3}
    assert recall([9, 1, 8, 2, 3], relevant) == 1.0
    assert recall([1, 8], relevant) == pytest.approx(1 / 3)
    # Fewer relevant posts than 10: all of them first is perfect precision.
    assert precision_at([1, 2, 3, 7, 8], relevant) == 1.0
    assert precision_at([7, 1, 2], relevant) == pytest.approx(2 / 3)
    many = set(range(1, 21))
    assert precision_at(list(range(1, 6)) + list(range(100, 110)), many) == 0.5
    assert ndcg_at([1, 2, 3, 9], relevant) == 1.0
    assert ndcg_at([9, 1, 2, 3], relevant) < 1.0
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at([9, 1, 2, 3], relevant) == pytest.approx(
        (1 / math.log2(3) + 1 / math.log2(4) + 1 / math.log2(5)) / ideal
    )
    assert ndcg_at([], relevant) == 0.0
    assert precision_at([], relevant) == 0.0


def test_loading_writes_the_corpus_through_the_api(
    client: TestClient, db: Database, corpus: list[CorpusPost]
) -> None:
    editor = make_account(db)
    ids = load(client, editor.token, corpus)
    assert sorted(ids) == [post.number for post in corpus]
    for slug, count in Counter(post.source for post in corpus).items():
        listed = client.get(f"/api/v1/posts?source={slug}&per_page=1").json()
        assert listed["total"] == count
    post = corpus[0]
    shown = client.get(f"/api/v1/posts/{ids[post.number]}").json()
    # The source was recognised from the title's suffix, which it loses, as imports do.
    assert shown["title"] == post.title.removesuffix(f" ({BY_SLUG[post.source].name})")
    assert shown["source"]["slug"] == post.source
    assert shown["language"] == post.language
    assert sorted(shown["tags"]) == sorted(post.tags)


def test_databases_agree_only_on_the_same_posts_in_the_same_order() -> None:
    def run(backend: str, found: list[int]) -> Run:
        outcome = Outcome("Wende", "q=Wende", "compound", 2, found, len(found), None, 1, 1, 1)
        return Run(backend, 2, 0, 0, [outcome])

    assert disagreements([run("sqlite", [1, 2]), run("postgresql", [1, 2])]) == []
    assert disagreements([run("sqlite", [1, 2]), run("postgresql", [2, 1])]) == ["Wende"]
