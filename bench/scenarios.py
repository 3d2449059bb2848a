"""The scenarios, and one suite of them against one dataset: the API, the bare app, 2 workers.

Every scenario runs with the same script and URL list against the API and against the bare
app, so the ratio between the two is the cost of the API's work for exactly those requests.
The cold scenarios also run against a server without its response cache, compared with the
bare app, and against `serve --workers 2`, compared with one worker. The servers compared
run side by side and take turns scenario by scenario, so each ratio is of two figures taken
within seconds of each other. Reads run before writes, so the front page's ETag is still
current for the 304 scenario and the lists are the dataset's; each server gets a short
untimed warm-up with the cold URL mix first.
"""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import loadgen, responses, servers
from bench.cache import DATA, Dataset
from bench.loadgen import Load, Measurement
from bench.responses import Representatives
from bench.results import UNCACHED
from bench.search_index import index_size
from bench.search_load import BANDS
from bench.urls import collect


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    urls: str | None  # which URL file (see bench.urls.Urls.write); None for writes only
    connections: int = loadgen.CONNECTIONS
    write_share: float = 0.0
    revalidate: bool = False  # send If-None-Match with the front page's ETag
    expected: tuple[int, ...] = (200,)
    report_only: bool = False  # its errors are recorded but do not fail the run
    min_seconds: float = 0.0  # for requests so slow that a short run would complete none
    edits: bool = False  # its writes PATCH the body of the posts its URLs name
    accept_encoding: str | None = None  # sent with its GETs (none: identity, as wrk asks)


# The search endpoint, a scenario per band of queries (bench.search_load): 16 clients for its
# throughput beside the cold post reads, one client for the latency a reader sees (p95). Run
# on the server without its response cache only: a band draws from a few dozen words, whose
# answers the cache would soon hold, and the figures are to say what a search costs.
SEARCH = tuple(Scenario(f"search {band}", f"search_{band}") for band in BANDS)
SEARCH_ONE = tuple(
    Scenario(f"search {band} (1 client)", f"search_{band}", connections=1) for band in BANDS
)
NO_SEARCH = "no search endpoint in this app"
NO_ETAG = "no ETag from the API"

SCENARIOS = (
    Scenario("hot list", "hot_list"),
    Scenario("hot post", "hot_post"),
    Scenario("hot day", "hot_day"),
    # Feed readers poll the same few feeds: answered from the response cache, like lists.
    Scenario("hot feed", "hot_feed"),
    # The same reads asked gzipped, as browsers and feed readers ask: the response cache keeps
    # each entry's gzip bytes, and the bare app sends those very bytes (bench.kinds.coded).
    Scenario("gzip hot list", "hot_list", accept_encoding="gzip"),
    Scenario("gzip hot post", "hot_post", accept_encoding="gzip"),
    Scenario("gzip hot day", "hot_day", accept_encoding="gzip"),
    Scenario("gzip hot feed", "hot_feed", accept_encoding="gzip"),
    Scenario("304 list", "hot_list", revalidate=True, expected=(304,)),
    Scenario("cold list", "cold_list"),
    # The same pages with fields=id,slug,title: cut from the stored documents, so at least as
    # fast as the full list (issue 21's bar); the bare app sends one such page's bytes.
    Scenario("cold list fields", "cold_list_fields"),
    Scenario("cold post", "cold_post"),
    Scenario("cold day", "cold_day"),
    Scenario("cold source", "cold_source"),
    # A post list narrowed by q, a word of a real post: the index's matches in the list's own
    # order (before the index, a scan of every body). One client for at least 15 s; a figure
    # to watch, not a pass/fail.
    Scenario("search (1 client)", "search", connections=1, report_only=True, min_seconds=15),
    Scenario("mix 10% writes", "cold_mix", write_share=0.1, expected=(200, 201)),
    Scenario("writes (1 client)", None, connections=1, write_share=1.0, expected=(201,)),
    # Each PATCH changes a post's body, so each keeps a revision (and stores the post's
    # document again), as an editor's save does.
    Scenario(
        "edits (1 client)",
        "cold_post",
        connections=1,
        write_share=1.0,
        edits=True,
        expected=(200,),
    ),
)
COLD = tuple(scenario for scenario in SCENARIOS if scenario.name.startswith("cold "))
# Without the response cache: what each request costs, searches included.
UNCACHED_SCENARIOS = COLD + SEARCH + SEARCH_ONE
LOGS = DATA / "logs"


@dataclass(frozen=True, slots=True)
class Settings:
    seconds: float
    warmup: float
    seed: int


def load_of(
    scenario: Scenario, files: dict[str, Path], reps: Representatives, token: str, nonce: str,
    settings: Settings,
) -> Load | None:  # fmt: skip
    """wrk's arguments for the scenario, or None when it cannot run (no ETag yet, or no
    search endpoint to ask)."""
    if scenario.urls is not None and scenario.urls not in files:
        return None
    args = {"seed": str(settings.seed)}
    if scenario.urls is not None:
        args["urls"] = str(files[scenario.urls])
    if scenario.revalidate:
        if reps.etag is None:
            return None
        args["etag"] = reps.etag
    if scenario.write_share:
        args |= {"write_share": f"{scenario.write_share:g}", "token": token,
                 "body": str(reps.body), "nonce": nonce}  # fmt: skip
    if scenario.edits:
        args["edit"] = "1"
    if scenario.accept_encoding is not None:
        args["accept_encoding"] = scenario.accept_encoding
    seconds = max(settings.seconds, scenario.min_seconds)
    return Load(seconds, scenario.connections, args, scenario.expected)


def _print(scenario: str, server: str, figures: Measurement) -> None:
    errors = f"  ERRORS: {'; '.join(figures.errors)}" if figures.errors else ""
    print(
        f"  {scenario:<30} {server:<10} {figures.rps:>9,.1f} req/s  p50 {figures.p50_ms:>8.2f} ms"
        f"  p99 {figures.p99_ms:>8.2f} ms  RSS {figures.rss_sum_peak_mb:>6.1f} MB{errors}",
        flush=True,
    )


def _measure(
    sides: list[tuple[servers.Server, str]], scenarios: tuple[Scenario, ...],
    files: dict[str, Path], reps: Representatives, token: str, settings: Settings,
) -> list[dict[str, Measurement | None]]:  # fmt: skip
    """Warm each server up, then run each scenario on the servers in turn, one right after
    the other: the machine's speed drifts over minutes, and a ratio between two figures
    taken far apart would measure the drift. None for a scenario that cannot run."""
    if settings.warmup > 0:
        warmup = Load(settings.warmup, args={"urls": str(files["cold_mix"])})
        for server, _ in sides:
            loadgen.run(server.base, warmup, server.pid)
    found: list[dict[str, Measurement | None]] = [{} for _ in sides]
    for scenario in scenarios:
        for (server, label), figures in zip(sides, found, strict=True):
            load = load_of(scenario, files, reps, token, f"{label}{server.port}", settings)
            if load is None:
                print(f"  {scenario.name:<30} {label:<10} skipped: {_why_not(scenario, files)}",
                      flush=True)  # fmt: skip
                figures[scenario.name] = None
                continue
            measurement = loadgen.run(server.base, load, server.pid)
            _print(scenario.name, label, measurement)
            figures[scenario.name] = measurement
    return found


def _why_not(scenario: Scenario, files: dict[str, Path]) -> str:
    return NO_SEARCH if scenario.urls is not None and scenario.urls not in files else NO_ETAG


def _ratio(value: float, reference: float) -> float | None:
    """Three significant digits: 0.00483 stays 0.00483, not 0.0."""
    return float(f"{value / reference:.3g}") if reference else None


def compare(
    subject: Measurement | None, reference: Measurement | None, why_not: str = NO_ETAG
) -> dict[str, Any]:
    """Figures of both and subject ÷ reference for req/s, p50, p99 and peak RSS (tree total);
    ``why_not`` says why a scenario that did not run did not."""
    if subject is None or reference is None:
        return {"skipped": why_not if subject is None else "no reference"}
    measured = subject.requests > 0 and reference.requests > 0  # else latencies are 0, not fast
    return {
        "figures": subject.as_dict(),
        "reference_figures": reference.as_dict(),
        "ratios": {
            "rps": _ratio(subject.rps, reference.rps) if measured else None,
            "p50": _ratio(subject.p50_ms, reference.p50_ms) if measured else None,
            "p99": _ratio(subject.p99_ms, reference.p99_ms) if measured else None,
            "rss": _ratio(subject.rss_sum_peak_mb, reference.rss_sum_peak_mb),
        },
        "errors": subject.errors + [f"reference: {error}" for error in reference.errors],
    }


def _entry(scenario: Scenario, name: str, server: str, reference: str) -> dict[str, Any]:
    return {
        "name": name,
        "server": server,
        "reference": reference,
        "connections": scenario.connections,
        "write_share": scenario.write_share,
        "report_only": scenario.report_only,
    }


def run_suite(
    dataset: Dataset, database_url: str, settings: Settings, folder: Path
) -> dict[str, Any]:
    """All scenarios on one working copy of a dataset; the servers are stopped afterwards."""
    started = time.monotonic()
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{dataset.key}.log"
    log.write_text("")
    print(f"  collecting URLs from the {dataset.backend} database", flush=True)
    urls = collect(database_url, settings.seed)
    files = urls.write(folder)
    search = {"bands": urls.band_summaries,
              "index_size": index_size(database_url) if urls.bands else None}  # fmt: skip
    token = dataset.token
    with servers.api(database_url, 1, log, folder) as api:
        reps = responses.fetch(api.base, urls, token, folder)
        with servers.bare(reps.responses, log) as bare:
            one, baseline = _measure(
                [(api, "API"), (bare, "bare")], SCENARIOS, files, reps, token, settings
            )
            with servers.api(database_url, 1, log, folder, response_cache=False) as uncached_api:
                uncached, uncached_baseline = _measure(
                    [(uncached_api, "no cache"), (bare, "bare")], UNCACHED_SCENARIOS, files, reps,
                    token, settings,
                )  # fmt: skip
    # Two workers against a fresh single worker, warmed up alike, with the writes above in
    # the database for both.
    with (
        servers.api(database_url, 1, log, folder) as single,
        servers.api(database_url, 2, log, folder) as double,
    ):
        two, single_again = _measure(
            [(double, "2 workers"), (single, "1 worker")], COLD, files, reps, token, settings
        )
    scenarios = [
        _entry(scenario, scenario.name, "API, 1 worker", "bare app")
        | compare(one[scenario.name], baseline[scenario.name], _why_not(scenario, files))
        for scenario in SCENARIOS
    ]
    scenarios += [
        _entry(scenario, f"{scenario.name}{UNCACHED}", "API, 1 worker, no cache", "bare app")
        | compare(
            uncached[scenario.name], uncached_baseline[scenario.name], _why_not(scenario, files)
        )
        for scenario in UNCACHED_SCENARIOS
    ]
    scenarios += [
        _entry(scenario, f"{scenario.name}, 2 workers", "API, 2 workers", "API, 1 worker")
        | compare(two[scenario.name], single_again[scenario.name])
        for scenario in COLD
    ]
    return {
        "backend": dataset.backend,
        "posts": dataset.posts,
        "dataset_seed": dataset.seed,
        "etag": reps.etag is not None,
        "responses": reps.sizes,
        "seconds": round(time.monotonic() - started, 1),
        "scenarios": scenarios,
        "search": search,
    }
