"""Webhook deliveries against a real server: how fast, how soon, and what they cost writes.

    .venv/bin/python -m bench.webhooks [--posts 500] [--rate 20] [--latency-seconds 8]
        [--sparse-posts 6] [--rounds 3] [--round-seconds 5] [--database-url URL]

Starts `presseschau serve` (one worker, its worker process included) on a fresh migrated
database (SQLite in a temporary folder unless a URL is given) with
PRESSESCHAU_WEBHOOKS_ALLOW_PRIVATE=true, and a receiver in this process (bench.receiver) with
endpoints subscribed to every post event. Issue 21's targets: at least 200 deliveries/s,
commit-to-delivery p50 at most 1 s, write throughput lowered by at most 10 % meanwhile.

1. Drain: ``--posts`` drafts are made with no endpoint subscribed, then published by bulk
   requests with one endpoint, then unpublished with four (each change of a post is a
   ``post.updated`` and a ``post.published`` or ``post.unpublished`` to each endpoint);
   deliveries/s is the messages received over the seconds from the first to the last.
2. Latency: one endpoint, published posts created at ``--rate`` a second, then a few far
   apart (the worker back at its poll between them); for each, the time from the API's 201
   (its commit) to the receiver getting its ``post.published``.
3. Writes: creations/s from one client with the four endpoints off (A: no deliveries are
   made) and on (B), in rounds A B B A A B ..., the deliveries of a B round drained before
   the next round; the median of the B/A ratios of each pair, and the CPU the server and
   this process (client and receiver) used during each round.

Every signature is checked with the Standard Webhooks library after the measurement. Results
go to bench/results/webhooks-<YYYYMMDD>.json (webhooks-postgresql-... on PostgreSQL); the run
fails (exit 1) on any unexpected answer, a bad signature or a message that never arrived.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from app.auth.models import Role
from app.core.migrations import upgrade
from app.derived.root import open_database
from bench import results, servers
from bench.receiver import Message, Receiver, check
from tests.factories import make_account

POST_TYPES = ["post.published", "post.updated", "post.unpublished", "post.trashed", "post.deleted"]
BULK = 100  # the API's largest bulk request
# How long a phase waits for its deliveries before it counts the missing ones as failures.
DRAIN_TIMEOUT = 120.0
# A phase's deliveries are all in once none has arrived for this long: longer than the
# worker's poll (1 s), so one sweep's wait cannot end a phase early.
QUIET = 1.5
BODY = "Ein Absatz über das, was geschah, und warum es zählt. " * 20


@dataclass(frozen=True)
class Sizes:
    posts: int = 500
    rate: float = 20.0
    latency_seconds: float = 8.0
    rounds: int = 3
    round_seconds: float = 5.0
    endpoints: int = 4
    # Posts far enough apart that the worker goes back to its poll between them.
    sparse_posts: int = 6
    sparse_every_seconds: float = 1.5


class Failed(Exception):
    """The run cannot be trusted: an unexpected answer, a bad signature, a lost message."""


class Api:
    """One client of the server, as a site's editor and admin use it."""

    def __init__(self, base: str, editor: dict[str, str], admin: dict[str, str]) -> None:
        self.client = httpx.Client(base_url=base, timeout=60)
        self.editor = editor
        self.admin = admin
        self.number = 0

    def expect(self, response: httpx.Response, status: int) -> Any:
        if response.status_code != status:
            raise Failed(f"{response.request.method} {response.request.url.path}: "
                         f"{response.status_code} {response.text[:300]}")  # fmt: skip
        return response.json() if response.content else None

    def create(self, status: str) -> int:
        self.number += 1
        answer = self.client.post(
            "/api/v1/posts",
            headers=self.editor,
            json={"title": f"Meldung {self.number}", "body": BODY, "status": status},
        )
        return int(self.expect(answer, 201)["id"])

    def bulk(self, action: str, ids: list[int]) -> None:
        for start in range(0, len(ids), BULK):
            answer = self.client.post(
                "/api/v1/posts/bulk",
                headers=self.editor,
                json={"action": action, "ids": ids[start : start + BULK]},
            )
            self.expect(answer, 200)

    def subscribe(self, url: str) -> tuple[int, str]:
        answer = self.client.post(
            "/api/v1/webhooks", headers=self.admin, json={"url": url, "events": POST_TYPES}
        )
        made = self.expect(answer, 201)
        return int(made["id"]), str(made["secret"])

    def enable(self, endpoint_ids: list[int], enabled: bool) -> None:
        for endpoint_id in endpoint_ids:
            answer = self.client.patch(
                f"/api/v1/webhooks/{endpoint_id}", headers=self.admin, json={"enabled": enabled}
            )
            self.expect(answer, 200)


def _percentiles(seconds: list[float]) -> dict[str, float | int]:
    ordered = sorted(seconds)
    # Inclusive: a few samples never give a p95 above their largest.
    cuts = (
        statistics.quantiles(ordered, n=100, method="inclusive")
        if len(ordered) > 1
        else ordered * 99
    )
    return {
        "messages": len(ordered),
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def _drain(api: Api, receiver: Receiver, action: str, ids: list[int], endpoints: int) -> dict[str, Any]:  # fmt: skip
    """Queue deliveries with bulk requests (at least one per post and endpoint: a publish is
    also a ``post.updated``); how fast they arrive."""
    start = receiver.count()
    least = len(ids) * endpoints
    queued_at = time.monotonic()
    api.bulk(action, ids)
    queued = time.monotonic() - queued_at
    if not receiver.wait_for(start + least, DRAIN_TIMEOUT):
        raise Failed(f"{action}: {receiver.count() - start} of at least {least} deliveries arrived")
    receiver.wait_quiet(QUIET, DRAIN_TIMEOUT)
    arrivals = receiver.since(start)
    first, last = arrivals[0].at, arrivals[-1].at
    rate = round((len(arrivals) - 1) / (last - first), 1) if last > first else None
    return {
        "action": action,
        "endpoints": endpoints,
        "posts": len(ids),
        "deliveries": len(arrivals),
        "bulk_requests_seconds": round(queued, 2),
        "seconds_first_to_last": round(last - first, 2),
        "deliveries_per_second": rate,
        "first_arrival_after_first_request_seconds": round(first - queued_at, 2),
    }


class Pace(NamedTuple):
    name: str
    every_seconds: float  # between one creation's start and the next
    posts: int


def _latency(api: Api, receiver: Receiver, pace: Pace) -> dict[int, float]:
    """Published posts created at ``pace``, the deliveries of each awaited; when each
    post's 201 came."""
    start = receiver.count()
    committed: dict[int, float] = {}
    began = time.monotonic()
    for number in range(pace.posts):
        time.sleep(max(0.0, began + number * pace.every_seconds - time.monotonic()))
        post_id = api.create("published")
        committed[post_id] = time.monotonic()
    if not receiver.wait_for(start + len(committed), DRAIN_TIMEOUT):
        raise Failed(f"latency: {receiver.count() - start} of {len(committed)} arrived")
    receiver.wait_quiet(QUIET, DRAIN_TIMEOUT)
    return committed


def _delays(pace: Pace, committed: dict[int, float], messages: list[Message]) -> dict[str, Any]:
    """From each post's 201 to its ``post.published`` reaching the receiver (endpoint 1)."""
    arrived: dict[int, float] = {}
    for message in messages:
        if message.type == "post.published" and message.subject_id in committed:
            arrived.setdefault(message.subject_id, message.at)
    missing = [post_id for post_id in committed if post_id not in arrived]
    if missing:
        raise Failed(f"latency: no post.published for posts {missing[:10]}")
    delays = [arrived[post_id] - at for post_id, at in committed.items()]
    return {"pace": pace.name, "every_seconds": pace.every_seconds, **_percentiles(delays)}


class Writes(NamedTuple):
    made: int
    per_second: float


def _writes(api: Api, seconds: float) -> Writes:
    """Published posts created one after another for ``seconds``."""
    made = 0
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        api.create("published")
        made += 1
    return Writes(made, made / (time.monotonic() - began))


class Cpu(NamedTuple):
    server: float
    bench: float


def _cpu(server: int) -> Cpu:
    """CPU seconds used so far by the server's process tree and by this process."""
    used = sum(servers.cpu_seconds(pid) for pid in servers.process_tree(server))
    return Cpu(used, time.process_time())


def _order(rounds: int) -> Iterator[str]:
    """A B B A A B B A ...: each side first as often as the other."""
    for pair in range(rounds):
        yield from ("A", "B") if pair % 2 == 0 else ("B", "A")


@contextmanager
def _server(url: str, folder: Path) -> Iterator[servers.Server]:
    command = [str(servers.PRESSESCHAU), "serve", "--workers", "1"]
    env = {"PRESSESCHAU_DATABASE_URL": url, "PRESSESCHAU_WEBHOOKS_ALLOW_PRIVATE": "true"}
    with servers.Server("API", command, env, "/readyz", folder / "server.log") as server:
        yield server


def measure(url: str, folder: Path, sizes: Sizes) -> dict[str, Any]:
    """Every figure of one run on the migrated, empty database ``url``."""
    database = open_database(url)
    try:
        editor = make_account(database, Role.editor, name=f"webhooks-editor-{os.getpid()}")
        admin = make_account(database, Role.admin, name=f"webhooks-admin-{os.getpid()}")
    finally:
        database.dispose()
    with _server(url, folder) as server, Receiver() as receiver:
        api = Api(server.base, editor.headers, admin.headers)
        drafts = [api.create("draft") for _ in range(sizes.posts)]
        endpoint_ids: list[int] = []
        for endpoint in range(1, sizes.endpoints + 1):
            endpoint_id, receiver.secrets[endpoint] = api.subscribe(receiver.url(endpoint))
            endpoint_ids.append(endpoint_id)
            if endpoint > 1:
                api.enable([endpoint_id], False)  # on only for the phases that want it
        drain = [_drain(api, receiver, "publish", drafts, 1)]
        if sizes.endpoints > 1:
            api.enable(endpoint_ids[1:], True)
            drain.append(_drain(api, receiver, "unpublish", drafts, sizes.endpoints))
            api.enable(endpoint_ids[1:], False)

        paces = [
            Pace("steady", 1 / sizes.rate, max(1, round(sizes.rate * sizes.latency_seconds))),
            Pace("sparse", sizes.sparse_every_seconds, sizes.sparse_posts),
        ]
        committed = [_latency(api, receiver, pace) for pace in paces]

        rounds: list[dict[str, Any]] = []
        api.enable(endpoint_ids, False)
        for side in _order(sizes.rounds):
            api.enable(endpoint_ids, side == "B")
            before = receiver.count()
            cpu = _cpu(server.pid)
            writes = _writes(api, sizes.round_seconds)
            used = _cpu(server.pid)
            rounds.append({
                "side": side,
                "creations": writes.made,
                "creations_per_second": round(writes.per_second, 1),
                # What competed for the cores during the round: the server and its worker
                # process; this process (the one client and the receiver).
                "server_cpu_seconds": round(used.server - cpu.server, 2),
                "bench_cpu_seconds": round(used.bench - cpu.bench, 2),
            })  # fmt: skip
            # A B round's deliveries (a post.published per creation and endpoint) are all
            # sent before the next round begins, so an A round measures writes alone, and the
            # B rounds all start from an empty queue. The endpoints stay on until then: a
            # paused endpoint's deliveries wait for it.
            if side == "B" and not receiver.wait_for(
                before + writes.made * len(endpoint_ids), DRAIN_TIMEOUT
            ):
                raise Failed(f"writes: {receiver.count() - before} deliveries of a B round came")
            receiver.wait_quiet(QUIET, DRAIN_TIMEOUT)
            rounds[-1]["deliveries"] = receiver.count() - before
            api.enable(endpoint_ids, False)
        everything = receiver.since(0)

    checked = check(everything, receiver.secrets)
    if checked.bad_signatures:
        raise Failed(f"{checked.bad_signatures} messages failed signature verification")
    a = [r["creations_per_second"] for r in rounds if r["side"] == "A"]
    b = [r["creations_per_second"] for r in rounds if r["side"] == "B"]
    return {
        "sizes": asdict(sizes),
        "drain": drain,
        "latency": [
            _delays(pace, posts, checked.messages)
            for pace, posts in zip(paces, committed, strict=True)
        ],
        "writes": {
            "endpoints_on_in_b": sizes.endpoints,
            "rounds": rounds,
            "median_a": statistics.median(a),
            "median_b": statistics.median(b),
            "median_ratio_b_to_a": round(
                statistics.median(y / x for x, y in zip(a, b, strict=True)), 3
            ),
        },
        "messages_checked": len(checked.messages),
        "messages_by_type": dict(Counter(message.type for message in checked.messages)),
        "duplicates": checked.duplicates,
    }


def table(figures: dict[str, Any]) -> str:
    rows = ["| measure | figure | target |", "|---|--:|---|"]
    for drain in figures["drain"]:
        rows.append(f"| deliveries/s, bulk {drain['action']} of {drain['posts']} posts to "
                    f"{drain['endpoints']} endpoint(s): {drain['deliveries']} deliveries | {drain['deliveries_per_second']} | ≥ 200 |")  # fmt: skip
    for latency in figures["latency"]:
        rows.append(f"| commit to delivery, a post every {latency['every_seconds']:g} s, p50 / p95 / "
                    f"max ms | {latency['p50_ms']} / {latency['p95_ms']} / {latency['max_ms']} | p50 ≤ 1,000 |")  # fmt: skip
    writes = figures["writes"]
    rows.append(f"| creations/s, endpoints off (A) / {writes['endpoints_on_in_b']} on (B), "
                f"medians | {writes['median_a']} / {writes['median_b']} | |")  # fmt: skip
    rows.append(f"| median B/A ratio | {writes['median_ratio_b_to_a']} | ≥ 0.9 |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = Sizes()
    parser.add_argument("--posts", type=int, default=defaults.posts)
    parser.add_argument("--rate", type=float, default=defaults.rate)
    parser.add_argument("--latency-seconds", type=float, default=defaults.latency_seconds)
    parser.add_argument("--rounds", type=int, default=defaults.rounds)
    parser.add_argument("--round-seconds", type=float, default=defaults.round_seconds)
    parser.add_argument("--sparse-posts", type=int, default=defaults.sparse_posts)
    parser.add_argument("--database-url", help="An empty database (default: a new SQLite file).")
    args = parser.parse_args()
    sizes = Sizes(
        posts=args.posts,
        rate=args.rate,
        latency_seconds=args.latency_seconds,
        rounds=args.rounds,
        round_seconds=args.round_seconds,
        sparse_posts=args.sparse_posts,
    )

    folder = Path(tempfile.mkdtemp(prefix="presseschau-webhooks-"))
    url = args.database_url or f"sqlite:///{folder}/webhooks.sqlite3"
    upgrade(url)
    started = datetime.now(UTC)
    machine = results.machine()
    began = time.monotonic()
    try:
        figures = measure(url, folder, sizes)
    except Failed as failure:
        sys.exit(f"failed: {failure} (server log: {folder / 'server.log'})")
    summary = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine | {"load_average_after": results.load_average()},
        "git": results.git(),
        "database": url.split(":", 1)[0],
        "seconds": round(time.monotonic() - began, 1),
        **figures,
    }
    stem = "webhooks" if summary["database"] == "sqlite" else f"webhooks-{summary['database']}"
    out = results.save(stem, summary)
    shutil.rmtree(folder)  # kept only when the run failed, for its server log
    print(table(figures))
    print(json.dumps({k: v for k, v in summary.items() if k not in ("machine", "git")}, indent=2))
    print(f"load average before {machine['load_average']}, after "
          f"{summary['machine']['load_average_after']}; written to {out.relative_to(results.ROOT)}")  # fmt: skip


if __name__ == "__main__":
    main()
