"""Search is good enough on the judged corpus, and the same on both databases.

Runs bench.search_relevance on a fresh SQLite and a fresh PostgreSQL database: the corpus
loaded through the API, indexed, every judged query run anonymously through the app. The
means must reach THRESHOLDS (set from the first full run: a change that makes search worse
fails here) and both databases must return the same posts in the same order for every query.
"""

import pytest

from bench.search_relevance import Run, disagreements, run_backend
from tests.conftest import BACKENDS, FreshDatabase

# The first full run's figures (bench.search_relevance, 2026-12-07: recall 0.999, precision
# at 10 0.969, nDCG@10 0.974 on both databases), a little below them: a change that makes
# search worse fails here.
THRESHOLDS = {"recall": 0.99, "precision_at_10": 0.96, "ndcg_at_10": 0.965}


@pytest.fixture(scope="module")
def runs(fresh_database_url: FreshDatabase) -> dict[str, Run]:
    return {backend: run_backend(backend, fresh_database_url(backend)) for backend in BACKENDS}


@pytest.mark.parametrize("backend", BACKENDS)
def test_relevance_reaches_the_thresholds(runs: dict[str, Run], backend: str) -> None:
    run = runs[backend]
    failed = [(item.q, item.params, item.error) for item in run.outcomes if item.error]
    assert not failed
    means = run.means()
    for name, floor in THRESHOLDS.items():
        assert means[name] >= floor, (name, means, run.outcomes)


def test_both_databases_return_the_same_posts_in_the_same_order(runs: dict[str, Run]) -> None:
    assert disagreements(list(runs.values())) == []
