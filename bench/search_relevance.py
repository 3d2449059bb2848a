"""How good search is: recall, precision at 10 and nDCG@10 over the judged corpus, per database.

    .venv/bin/python -m bench.search_relevance [--database URL] [--sqlite-only]

For each database — SQLite in a temporary folder, and PostgreSQL: the empty database at URL, or
else a throwaway server like the tests' (when its binaries are installed) — migrates a fresh
database, loads the corpus (bench.search_corpus) through the API, indexes it (the index's
``reindex``), and runs every query of bench.search_queries through the real app in this process
as an anonymous reader, paging through all results. Per query: recall (the share of the relevant
posts found at all), precision at 10 (relevant among the first 10, divided by 10 or by the
number of relevant posts when there are fewer) and nDCG@10 with binary gains; their means per
database; and whether both databases returned the same posts in the same order for every query
(they must: one analyzer and one ranking, in Python, for both). Writes
bench/results/search-relevance-<YYYYMMDD>.json and prints a table.
"""

import argparse
import importlib
import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from fastapi.testclient import TestClient

from app.auth import service as auth
from app.auth.models import Role
from app.auth.schemas import UserCreate
from app.core.config import Settings
from app.core.db import Database
from app.core.migrations import upgrade
from app.derived.root import open_database
from app.main import create_app
from bench import results
from bench.search_corpus import CorpusPost, load, read
from bench.search_queries import QUERIES, Judged
from tests.postgres_server import PostgresServer, find_bindir

TOP = 10
PER_PAGE = 100  # the endpoint's largest page
MAX_PAGES = 20  # 2,000 results: more than the corpus holds
EDITOR = "Relevanz-Redaktion"
SEARCH = "/api/v1/search"

Reindex = Callable[..., int]


def _reindex() -> Reindex:
    # By name: the benchmark measures whichever index the app has.
    return cast(Reindex, importlib.import_module("app.search.index").reindex)


def recall(found: Sequence[int], relevant: set[int]) -> float:
    """The share of the relevant posts among everything found (1.0 when none is relevant)."""
    if not relevant:
        return 1.0
    return len(relevant.intersection(found)) / len(relevant)


def precision_at(found: Sequence[int], relevant: set[int], k: int = TOP) -> float:
    """Relevant posts among the first k, divided by k or by the relevant count if smaller, so
    a query with three relevant posts that ranks them first scores 1.0."""
    wanted = min(k, len(relevant))
    if wanted == 0:
        return 1.0 if not found else 0.0
    return sum(1 for number in found[:k] if number in relevant) / wanted


def ndcg_at(found: Sequence[int], relevant: set[int], k: int = TOP) -> float:
    """Normalised discounted cumulative gain of the first k, binary gains."""
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(k, len(relevant))))
    if ideal == 0:
        return 1.0 if not found else 0.0
    gained = sum(
        1 / math.log2(rank + 2) for rank, number in enumerate(found[:k]) if number in relevant
    )
    return gained / ideal


@dataclass(frozen=True, slots=True)
class Outcome:
    """One query on one database: the corpus numbers found, in order, and the figures."""

    q: str  # as typed, with its filter
    params: str
    covers: str
    relevant: int
    found: list[int]
    total: int
    ranking: str | None
    recall: float
    precision_at_10: float
    ndcg_at_10: float
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Run:
    backend: str
    posts: int
    load_seconds: float
    index_seconds: float
    outcomes: list[Outcome] = field(default_factory=list)

    def means(self) -> dict[str, float]:
        count = len(self.outcomes) or 1
        return {
            name: round(sum(getattr(item, name) for item in self.outcomes) / count, 4)
            for name in ("recall", "precision_at_10", "ndcg_at_10")
        }


def _search(client: TestClient, query: Judged, ids: dict[int, int]) -> tuple[list[int], Any]:
    """Every page of the query's results as corpus numbers, and the first page's answer."""
    numbers = {post_id: number for number, post_id in ids.items()}
    found: list[int] = []
    first: Any = None
    for page in range(1, MAX_PAGES + 1):
        response = client.get(f"{SEARCH}?{query.params()}&per_page={PER_PAGE}&page={page}")
        if response.status_code != 200:
            raise LookupError(f"{response.status_code}: {response.text[:300]}")
        answer = response.json()
        first = first or answer
        found += [numbers.get(item["id"], -item["id"]) for item in answer["items"]]
        if len(answer["items"]) < PER_PAGE or len(found) >= answer["total"]:
            break
    return found, first


def measure(client: TestClient, query: Judged, posts: Sequence[CorpusPost],
            ids: dict[int, int]) -> Outcome:  # fmt: skip
    relevant = query.relevant(posts)
    try:
        found, first = _search(client, query, ids)
    except LookupError as error:
        return Outcome(query.label(), query.params(), query.covers, len(relevant), [], 0, None,
                       0.0, 0.0, 0.0, str(error))  # fmt: skip
    return Outcome(
        q=query.label(),
        params=query.params(),
        covers=query.covers,
        relevant=len(relevant),
        found=found,
        total=first["total"],
        ranking=first.get("ranking"),
        recall=round(recall(found, relevant), 4),
        precision_at_10=round(precision_at(found, relevant), 4),
        ndcg_at_10=round(ndcg_at(found, relevant), 4),
    )


def run_backend(backend: str, url: str, queries: Sequence[Judged] = QUERIES) -> Run:
    """Migrate the empty database at ``url``, load and index the corpus, run the queries."""
    upgrade(url)
    database = open_database(url)
    try:
        return _run(backend, url, database, queries)
    finally:
        database.dispose()


def _run(backend: str, url: str, database: Database, queries: Sequence[Judged]) -> Run:
    settings = Settings(database_url=url, timezone="Europe/Berlin", language="de")
    _, token = database.call(auth.create_user, data=UserCreate(name=EDITOR, role=Role.editor))
    posts = read()
    app = create_app(settings=settings, database=database)
    with TestClient(app, raise_server_exceptions=False) as client:
        started = time.monotonic()
        ids = load(client, token, posts)
        loaded = time.monotonic()
        _reindex()(database, settings.search_languages)
        indexed = time.monotonic()
        run = Run(backend, len(posts), round(loaded - started, 2), round(indexed - loaded, 2))
        run.outcomes.extend(measure(client, query, posts, ids) for query in queries)
    return run


def disagreements(runs: Sequence[Run]) -> list[str]:
    """The queries whose found posts (or their order) differ between the runs."""
    if len(runs) < 2:
        return []
    first, *others = runs
    return [
        item.q
        for index, item in enumerate(first.outcomes)
        if any(other.outcomes[index].found != item.found for other in others)
    ]


@contextmanager
def _sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="relevance-") as folder:
        yield f"sqlite:///{Path(folder) / 'relevance.sqlite3'}"


@contextmanager
def _postgres_url() -> Iterator[str]:
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL binaries not found: give --database URL or --sqlite-only")
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server.create_database("presseschau_relevance")
    finally:
        with suppress(subprocess.CalledProcessError):
            server.stop()


def document(runs: Sequence[Run], started: datetime) -> dict[str, Any]:
    return {
        "kind": "search-relevance",
        "date": started.isoformat(timespec="seconds"),
        "git": results.git(),
        "queries": len(QUERIES),
        "runs": [
            {
                "backend": run.backend,
                "posts": run.posts,
                "load_seconds": run.load_seconds,
                "index_seconds": run.index_seconds,
                "means": run.means(),
                "errors": sum(item.error is not None for item in run.outcomes),
                "queries": [asdict(item) for item in run.outcomes],
            }
            for run in runs
        ],
        "databases_agree": not disagreements(runs),
        "disagreements": disagreements(runs),
    }


def render(runs: Sequence[Run]) -> str:
    """A Markdown table: each query's figures per database, then the means."""
    names = [run.backend for run in runs]
    head = "| query | covers | relevant | " + " | ".join(
        f"{name} recall | {name} P@10 | {name} nDCG@10" for name in names
    )
    lines = [head + " |", "|---|---|--:|" + "--:|--:|--:|" * len(runs)]
    for index, item in enumerate(runs[0].outcomes if runs else []):
        cells = [item.q, item.covers, str(item.relevant)]
        for run in runs:
            outcome = run.outcomes[index]
            if outcome.error:
                cells += ["error", "", ""]
            else:
                cells += [f"{outcome.recall:.2f}", f"{outcome.precision_at_10:.2f}",
                          f"{outcome.ndcg_at_10:.2f}"]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    means = ["**mean**", "", ""]
    for run in runs:
        figures = run.means()
        means += [f"**{figures[key]:.3f}**" for key in ("recall", "precision_at_10", "ndcg_at_10")]
    lines.append("| " + " | ".join(means) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="An empty PostgreSQL database to use (postgresql://…).")
    parser.add_argument("--sqlite-only", action="store_true", help="Measure SQLite alone.")
    args = parser.parse_args()
    started = datetime.now(UTC)
    runs: list[Run] = []
    with _sqlite_url() as url:
        print("sqlite: loading, indexing, searching", flush=True)
        runs.append(run_backend("sqlite", url))
    if args.database or not args.sqlite_only:
        with _given(args.database) as url:
            print("postgresql: loading, indexing, searching", flush=True)
            runs.append(run_backend("postgresql", url))
    doc = document(runs, started)
    path = results.RESULTS / f"search-relevance-{started:%Y%m%d}.json"
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print(render(runs))
    for run in runs:
        print(f"{run.backend}: load {run.load_seconds} s, index {run.index_seconds} s, "
              f"means {run.means()}")  # fmt: skip
    if len(runs) > 1:
        agree = doc["databases_agree"]
        print("databases agree on every query" if agree else
              f"databases differ on: {', '.join(doc['disagreements'])}")  # fmt: skip
    print(f"written to {path.relative_to(results.ROOT)}")
    errors = sum(run_doc["errors"] for run_doc in doc["runs"])
    if errors or not doc["databases_agree"]:
        sys.exit(1)


@contextmanager
def _given(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    with _postgres_url() as made:
        yield made


if __name__ == "__main__":
    main()
