"""The search benchmarks' plumbing: the relevance corpus and its judgments, the figures, the
corpus's loading through the API, and the load benchmark's search queries by frequency band.

None of it needs the search endpoint: these are what the relevance and speed figures rest on.
"""

import math
import random
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient

from app.core.db import Database
from app.search.analyzer import fold
from bench import search_corpus, search_index, search_report
from bench.kinds import kind_of
from bench.responses import Representatives
from bench.results import UNCACHED
from bench.scenarios import (
    NO_SEARCH,
    SCENARIOS,
    SEARCH,
    SEARCH_ONE,
    UNCACHED_SCENARIOS,
    Settings,
    compare,
    load_of,
)
from bench.search_corpus import BY_SLUG, SOURCES, CorpusPost, generate, load, read
from bench.search_index import index_dataset, index_size, search_table_of
from bench.search_load import BANDS, SampledPost, choose_bands, paths, sample_posts, words
from bench.search_queries import QUERIES, Judged
from bench.search_relevance import Outcome, Run, disagreements, ndcg_at, precision_at, recall
from bench.search_report import verdict
from bench.urls import Urls
from tests.factories import make_account, make_post, make_source


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
    # Posts that name other topics in passing, so ranking has something to decide.
    assert 0.2 <= sum(bool(post.mentions) for post in corpus) / len(corpus) <= 0.5
    assert all(topic != post.topic for post in corpus for topic in post.mentions)
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
    and no other post does unless it names one of the topics in passing."""
    for post in corpus:
        holds = any(evidence in _text(post) for evidence in query.evidence)
        about = post.topic in query.topics
        assert holds == (about or bool(set(post.mentions) & set(query.topics))), (
            post.number, post.topic, post.mentions, query.evidence,
        )  # fmt: skip
        if about:
            assert holds


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
    # A post that names an excluded topic in passing is not relevant to "-word".
    (excluding,) = [query for query in QUERIES if query.q == "Wende -Zeitenwende"]
    left_out = {post.number for post in corpus if "zeitenwende" in post.mentions}
    assert excluding.relevant(corpus) == (
        {post.number for post in corpus if post.topic == "energiewende"} - left_out
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
    assert sorted(tag["name"] for tag in shown["tags"]) == sorted(post.tags)


def test_databases_agree_only_on_the_same_posts_in_the_same_order() -> None:
    def run(backend: str, found: list[int]) -> Run:
        outcome = Outcome("Wende", "q=Wende", "compound", 2, found, len(found), None, 1, 1, 1)
        return Run(backend, 2, 0, 0, [outcome])

    assert disagreements([run("sqlite", [1, 2]), run("postgresql", [1, 2])]) == []
    assert disagreements([run("sqlite", [1, 2]), run("postgresql", [2, 1])]) == ["Wende"]


# The load benchmark's search queries (bench.search_load).


COMMON_WORDS = " ".join(f"gemeinwort{letter}" for letter in "abcdefghijklmnopqrstuvwxy")


def _sample() -> list[SampledPost]:
    """2,000 posts: 'haushalt' and 25 'gemeinwort<x>' in every one, 'regierung' in every other,
    'einzigartig<n>' words each in one post only (0.05 %: rare), and a sentence to quote."""
    posts = []
    for number in range(2000):
        rare = f" einzigartig{'abcdefghij'[number % 10]}{'klmnopqrst'[number // 10 % 10]}"
        text = "Haushalt und Zeitung: Regierung" if number % 2 else "Haushalt der Zeitung"
        text += f" berichtet heute ausführlich {COMMON_WORDS}" + (rare if number < 100 else "")
        posts.append(SampledPost(text, f"quelle-{number % 3}", f"2022-0{number % 4 + 1}"))
    return posts


def test_bands_draw_rare_common_two_phrase_and_filtered_queries() -> None:
    sample = _sample()
    bands = choose_bands(sample, random.Random(1), count=50)
    assert set(bands) == set(BANDS)
    texts = [post.text.casefold() for post in sample]

    def words_of(query: str) -> list[str]:
        return parse_qs(query)["q"][0].strip('"').split()

    rare = {word for query in bands["rare"].queries for word in words_of(query)}
    assert rare
    assert all(word.startswith("einzigartig") for word in rare)
    assert bands["rare"].note == ""
    assert bands["rare"].max_share < 0.001
    common = {word for query in bands["commonest"].queries for word in words_of(query)}
    assert common <= set(words(COMMON_WORDS)) | {"haushalt", "zeitung", "berichtet", "heute",
                                                 "ausführlich"}  # fmt: skip
    assert len(common) > 10
    assert not common & rare
    assert len(bands["two"].queries) == 50
    for query in bands["two"].queries:
        first, second = words_of(query)
        assert first != second
        assert any(first in item and second in item for item in texts)
    for query in bands["phrase"].queries:
        phrase = parse_qs(query)["q"][0]
        assert phrase.startswith('"')
        assert any(phrase.strip('"') in post.text for post in sample)
    for query in bands["filtered"].queries:
        params = parse_qs(query)
        (word,) = params["q"]
        matching = [post for post in sample if word in post.text.casefold()]
        if "source" in params:
            assert any(post.source == params["source"][0] for post in matching)
        else:
            month = params["after"][0][:7]
            assert params["before"][0] > params["after"][0]
            assert any(post.month == month for post in matching)
    assert any("source" in parse_qs(q) for q in bands["filtered"].queries)
    assert any("after" in parse_qs(q) for q in bands["filtered"].queries)
    assert paths(bands)["rare"][0].startswith("/api/v1/search?q=einzigartig")


def test_without_rare_words_the_rare_band_is_the_rarest_tenth_and_says_so() -> None:
    sample = [post._replace(text=post.text.split(" einzig")[0]) for post in _sample()]
    band = choose_bands(sample, random.Random(1), count=20)["rare"]
    assert "rarest tenth" in band.note
    assert band.queries
    assert band.max_share >= 0.001


def test_the_search_endpoint_is_a_kind_of_its_own() -> None:
    assert kind_of("GET", "/api/v1/search", b"q=Kasachstan&source=tass", False) == "search_api"
    assert kind_of("GET", "/api/v1/posts", b"q=Kasachstan", False) == "search"


def test_band_lists_are_written_for_wrk_and_a_band_without_its_list_is_skipped(
    tmp_path: Path,
) -> None:
    urls = Urls(hot_list="/a", hot_post="/b", hot_day="/c", bands={"rare": ["/api/v1/search?q=x"]})
    files = urls.write(tmp_path)
    assert files["search_rare"].read_text() == "/api/v1/search?q=x\n"
    assert "search_two" not in files
    settings = Settings(seconds=1, warmup=0, seed=1)
    reps = Representatives(tmp_path, tmp_path, None, {})
    by_name = {scenario.name: scenario for scenario in UNCACHED_SCENARIOS}
    assert load_of(by_name["search rare"], files, reps, "t", "n", settings) is not None
    assert load_of(by_name["search two"], files, reps, "t", "n", settings) is None
    assert compare(None, None, NO_SEARCH) == {"skipped": NO_SEARCH}
    assert all(scenario in UNCACHED_SCENARIOS for scenario in SEARCH + SEARCH_ONE)
    assert not set(SEARCH) & set(SCENARIOS)


def test_the_report_sets_search_beside_cold_post_reads_and_the_targets() -> None:
    def item(name: str, rps: float, p95: float = 0.0) -> dict[str, Any]:
        return {"name": f"{name}{UNCACHED}", "figures": {"rps": rps, "p95_ms": p95}}

    scenarios = [item("cold post", 1000), item("search rare", 150), item("search commonest", 50)]
    scenarios += [item("search rare (1 client)", 80, 12.5)]
    found = verdict(scenarios, UNCACHED)
    assert found.cold_post_rps == 1000
    bands = {band.band: band for band in found.bands}
    assert bands["rare"].share_of_cold_post == 0.15
    assert bands["rare"].p95_ms == 12.5
    assert bands["commonest"].share_of_cold_post == 0.05
    assert bands["commonest"].p95_ms is None
    assert bands["commonest"].target_p95_ms == 300
    assert bands["two"].rps is None
    run = {"scenarios": scenarios, "search": {"index_size": {"bytes_per_100k_posts": 2**20 * 50},
                                              "bands": {"rare": {"note": "none rare"}}}}  # fmt: skip
    lines = "\n".join(search_report.render(run, UNCACHED))
    assert "| rare | 150.0 | 15.0% | 12.5 | 100 |" in lines
    assert "50.0 MB per 100,000 posts" in lines
    assert "Rare band: none rare." in lines
    assert search_report.render({"scenarios": [item("cold post", 1000)]}, UNCACHED) == []


def test_search_tables_own_their_fts5_shadow_tables() -> None:
    assert search_table_of("post_search_text_data") == "post_search_text"
    assert search_table_of("post_search") == "post_search"
    assert search_table_of("post_search_queue") == "post_search_queue"
    assert search_table_of("search_words") == "search_words"
    assert search_table_of("posts") is None


def test_the_sample_is_read_from_the_database(db: Database) -> None:
    editor = make_account(db)
    source = make_source(db, name="TASS", slug="tass")
    make_post(db, editor, title="Kasachstan heute", body="Unruhen im Land", source_id=source.id)
    make_post(db, editor, title="Ohne Quelle", body="Text", status="draft")
    with db.engine.connect() as connection:
        sample = sample_posts(connection, random.Random(1))
    assert len(sample) == 1
    (post,) = sample
    assert post.text == "Kasachstan heute Unruhen im Land"
    assert post.source == "tass"
    assert post.month == "2022-01"


def test_a_dataset_is_indexed_and_its_index_measured(db: Database, database_url: str) -> None:
    editor = make_account(db)
    for _ in range(3):
        make_post(db, editor, body="Die Energiewende in Kasachstan")
    index_dataset(database_url)
    size = index_size(database_url)
    assert size["posts"] == 3
    assert size["tables"]["post_search_text"] > 0
    assert size["bytes"] == sum(size["tables"].values())
    assert size["bytes_per_100k_posts"] == round(size["bytes"] * 100_000 / 3)


def test_a_reindex_reports_each_tenth_once(capsys: pytest.CaptureFixture[str]) -> None:
    progress = search_index._Progress()
    for handled in (500, 1000, 2500, 2500, 10_000):
        progress(handled, 10_000)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("%")[0].split()[-1] for line in lines] == [
        str(n) for n in range(10, 101, 10)
    ]


def test_postgresql_search_is_set_against_sqlite_on_the_same_dataset_size() -> None:
    def run(backend: str, posts: int, p95: float) -> dict[str, Any]:
        name = f"search rare (1 client){UNCACHED}"
        return {"backend": backend, "posts": posts,
                "scenarios": [{"name": name, "figures": {"rps": 10, "p95_ms": p95}}]}  # fmt: skip

    runs = [run("sqlite", 10_000, 5), run("sqlite", 100_000, 20), run("postgresql", 100_000, 30)]
    compared = search_report.backends(runs, UNCACHED)
    assert compared == {
        "posts": 100_000,
        "target_ratio": 2.0,
        "p95_ms": {"rare": {"sqlite": 20, "postgresql": 30, "ratio": 1.5}},
    }
    assert "| rare | 20.0 | 30.0 | 1.50× |" in search_report.render_backends(compared)
    assert search_report.backends(runs[:2], UNCACHED) is None
