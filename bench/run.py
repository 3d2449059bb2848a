"""The load benchmark: the API against a bare ASGI app, driven by wrk.

    .venv/bin/python -m bench.run [--quick | --full] [--seconds S] [--sqlite-posts N ...]
                                  [--pg-posts N ...] [--seed 1]

Quick (the default, `make bench`): 100k posts on SQLite, 5 s per scenario, under 5 minutes
with the dataset generated. Full (`make bench-full`): 10k, 100k and 1M posts on SQLite and
100k on PostgreSQL (add 1M with `--pg-posts 100000 1000000`), 20 s per scenario, and the
scale comparison (cold-read p50 at the largest SQLite dataset ÷ the smallest). Datasets are
cached in bench/data/; results go to bench/results/bench-<mode>-<date>.json, and the table is
printed. Exits 1 when any scenario got an unexpected status or a socket error.
"""

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import cache, loadgen, results, table
from bench.scenarios import Settings, run_suite

MODES: dict[str, dict[str, Any]] = {
    "quick": {"sqlite": [100_000], "pg": [], "seconds": 5.0, "warmup": 2.0},
    "full": {"sqlite": [10_000, 100_000, 1_000_000], "pg": [100_000], "seconds": 20.0,
             "warmup": 5.0},
}  # fmt: skip


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="mode", action="store_const", const="quick")
    mode.add_argument("--full", dest="mode", action="store_const", const="full")
    parser.add_argument("--seconds", type=float, help="Per scenario (quick 5, full 20).")
    parser.add_argument("--warmup", type=float, help="Untimed, per server (quick 2, full 5).")
    parser.add_argument("--sqlite-posts", type=int, nargs="*", help="SQLite dataset sizes.")
    parser.add_argument("--pg-posts", type=int, nargs="*", help="PostgreSQL dataset sizes.")
    parser.add_argument("--seed", type=int, default=1, help="Dataset and URL lists.")
    parser.set_defaults(mode="quick")
    return parser.parse_args()


def main() -> None:
    try:
        _run(_arguments())
    except KeyboardInterrupt:
        # The servers, working copies and temporary files are gone by now (context managers).
        sys.exit("interrupted: servers stopped, working copies removed, no results written")


def _run(args: argparse.Namespace) -> None:
    loadgen.check_wrk()
    defaults = MODES[args.mode]
    settings = Settings(
        seconds=args.seconds or defaults["seconds"],
        warmup=args.warmup if args.warmup is not None else defaults["warmup"],
        seed=args.seed,
    )
    datasets = [
        ("sqlite", posts)
        for posts in (args.sqlite_posts if args.sqlite_posts is not None else defaults["sqlite"])
    ]
    datasets += [
        ("postgresql", posts)
        for posts in (args.pg_posts if args.pg_posts is not None else defaults["pg"])
    ]
    started, clock = datetime.now(UTC), time.monotonic()
    machine = results.machine()
    runs = []
    for backend, posts in datasets:
        print(f"{backend}, {posts:,} posts:", flush=True)
        dataset = cache.ensure(backend, posts, args.seed)
        with (
            cache.working_copy(dataset) as url,
            tempfile.TemporaryDirectory(prefix="bench-") as folder,
        ):
            runs.append(run_suite(dataset, url, settings, Path(folder)))
    doc = results.document(
        mode=args.mode,
        started=started,
        settings={
            "seconds": settings.seconds,
            "warmup": settings.warmup,
            "seed": settings.seed,
            "connections": loadgen.CONNECTIONS,
            "wrk_threads": 1,
        },
        runs=runs,
        machine_before=machine,
        seconds=time.monotonic() - clock,
    )
    path = results.write(doc)
    print()
    print(table.render(doc))
    print(f"\n{doc['seconds']:.0f} s in all; written to {path.relative_to(results.ROOT)}")
    if doc["errors"]:
        print(f"{doc['errors']} error(s): see the errors column", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
