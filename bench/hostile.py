"""Hostile writes against a real server while another client reads: does the reader notice?

    .venv/bin/python -m bench.hostile [--rounds 2] [--database-url URL]

Starts `presseschau serve` (one worker) on a fresh database with the demo content (SQLite in a
temporary folder unless a URL is given). A reader requests posts, a post and /healthz one after
another, alone first (the baseline) and then while a writer sends the hostile-input corpus
(tests/hostile_corpus.py), each shape as large as each text field's limit allows, through
every write route. Prints the reader's p50/p99/max in both phases and the writer's answers,
and writes them to bench/results/hostile-<database>-<date>.json. Issue 17 asks for a reader
p99 under 50 ms meanwhile. It fails (exit 1) on any 5xx or transport error.
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx

from app.auth.models import TOKEN_NAME_MAX, Role
from app.derived.root import open_database
from app.posts.models import BODY_MAX, CREDIT_MAX, TITLE_MAX
from app.sources.models import DESCRIPTION_MAX
from bench import results, servers
from tests.factories import make_account
from tests.hostile_corpus import corpus

READS = ["/api/v1/posts", "/api/v1/posts?page=2", "/healthz"]
Write = Callable[[httpx.Client, str], httpx.Response]


def _writes(author: dict[str, str], editor: dict[str, str], post_id: int) -> Iterator[tuple[str, int, Write]]:  # fmt: skip
    """Each text field of the write routes: its name, its limit, how to send a value."""
    yield "post title", TITLE_MAX, lambda c, v: c.post("/api/v1/posts", headers=author, json={"title": v})  # fmt: skip
    yield "post body", BODY_MAX, lambda c, v: c.post("/api/v1/posts", headers=author, json={"title": "T", "body": v})  # fmt: skip
    yield "post credit", CREDIT_MAX, lambda c, v: c.post("/api/v1/posts", headers=author, json={"title": "T", "credit": v})  # fmt: skip
    yield "changed body", BODY_MAX, lambda c, v: c.patch(f"/api/v1/posts/{post_id}", headers=author, json={"body": v})  # fmt: skip
    yield "token name", TOKEN_NAME_MAX, lambda c, v: c.post("/api/v1/tokens", headers=author, json={"name": v})  # fmt: skip
    yield "source description", DESCRIPTION_MAX, lambda c, v: c.post("/api/v1/sources", headers=editor, json={"name": f"Q {time.monotonic_ns()}", "description": v})  # fmt: skip


def _percentiles(samples: list[float]) -> dict[str, float]:
    if len(samples) < 2:
        return {"requests": len(samples)}
    cuts = statistics.quantiles(samples, n=100)
    return {
        "requests": len(samples),
        "p50_ms": round(cuts[49] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
    }


def _read_until(base: str, stop: threading.Event, samples: list[float], errors: Counter[str]) -> None:  # fmt: skip
    with httpx.Client(base_url=base, timeout=30) as client:
        number = 0
        while not stop.is_set():
            path = READS[number % len(READS)]
            number += 1
            started = time.perf_counter()
            try:
                status = client.get(path).status_code
            except httpx.TransportError as error:
                errors[type(error).__name__] += 1
                continue
            samples.append(time.perf_counter() - started)
            if status != 200:
                errors[f"read {status}"] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="Times the corpus is sent.")
    parser.add_argument("--baseline-seconds", type=float, default=10)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    folder, url = servers.demo_database("hostile", args.database_url)
    database = open_database(url)
    author = make_account(database, Role.author, name=f"hostile-{os.getpid()}").headers
    editor = make_account(database, Role.editor, name=f"hostile-editor-{os.getpid()}").headers
    database.dispose()

    answers: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    slowest_write: dict[str, Any] = {"seconds": 0.0}
    phases: dict[str, list[float]] = {"alone": [], "during hostile writes": []}
    with servers.api(url, 1, folder / "server.log", folder) as server:
        for phase, samples in phases.items():
            stop = threading.Event()
            reader = threading.Thread(target=_read_until, args=(server.base, stop, samples, errors))
            reader.start()
            if phase == "alone":
                time.sleep(args.baseline_seconds)
            else:
                with httpx.Client(base_url=server.base, timeout=120) as client:
                    draft = client.post("/api/v1/posts", headers=author, json={"title": "Entwurf"})
                    for _ in range(args.rounds):
                        for field, limit, send in _writes(author, editor, draft.json()["id"]):
                            for shape, value in corpus(limit).items():
                                started = time.perf_counter()
                                try:
                                    status = send(client, value).status_code
                                except httpx.TransportError as error:
                                    errors[type(error).__name__] += 1
                                    continue
                                took = time.perf_counter() - started
                                if took > slowest_write["seconds"]:
                                    slowest_write = {"seconds": round(took, 3), "field": field, "shape": shape}  # fmt: skip
                                answers[str(status)] += 1
                                if status >= 500:
                                    errors[f"write {status} {field} {shape}"] += 1
            stop.set()
            reader.join()

    summary = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": results.machine(),
        "git": results.git(),
        "database": url.split(":", 1)[0],
        "reader": {phase: _percentiles(samples) for phase, samples in phases.items()},
        "writes": dict(sorted(answers.items())),
        "slowest_write": slowest_write,
        "errors": dict(errors),
    }
    out = results.save(f"hostile-{summary['database']}", summary)
    print(json.dumps({k: v for k, v in summary.items() if k not in ("machine", "git")}, indent=2))
    print(f"written to {out.relative_to(results.ROOT)}")
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
