"""The webhook benchmark end to end at a tiny size: a real server and worker deliver every
message, signed, to the bench's receiver, and each phase yields its figures."""

from pathlib import Path

from app.core.migrations import upgrade
from bench.webhooks import Sizes, measure
from tests.conftest import FreshDatabase


def test_the_webhook_bench_measures_every_phase(
    backend: str, fresh_database_url: FreshDatabase, tmp_path: Path
) -> None:
    url = fresh_database_url(backend)
    upgrade(url)
    sizes = Sizes(
        posts=20, rate=20, latency_seconds=1, rounds=1, round_seconds=1, endpoints=2,
        sparse_posts=2, sparse_every_seconds=1.5,
    )  # fmt: skip

    figures = measure(url, tmp_path, sizes)

    publish, unpublish = figures["drain"]
    # Each bulk publish or unpublish is a post.updated and a change of visibility per post.
    assert (publish["endpoints"], publish["deliveries"]) == (1, 40)
    assert (unpublish["endpoints"], unpublish["deliveries"]) == (2, 80)
    assert publish["deliveries_per_second"] > 0
    steady, sparse = figures["latency"]
    assert (steady["pace"], steady["messages"], sparse["messages"]) == ("steady", 20, 2)
    assert 0 < steady["p50_ms"] <= steady["max_ms"]
    sides = [round_["side"] for round_ in figures["writes"]["rounds"]]
    assert sides == ["A", "B"]
    a_round, b_round = figures["writes"]["rounds"]
    assert a_round["deliveries"] == 0  # endpoints off: no deliveries are made
    # Each B creation is a post.published to each of the two endpoints, counted in its round.
    assert b_round["deliveries"] == b_round["creations"] * 2 > 0
    assert a_round["server_cpu_seconds"] > 0
    assert figures["duplicates"] == 0
    assert figures["messages_by_type"]["post.published"] >= 20 + 20
